"""Every refused request is in the audit log as a refusal, never as a read (issue 8, item 6).

Walks app.url_map as each role, so a route added later is covered: every route is
asked for with GET, and with POST by roles its access rule leaves out, using the ids
of a family the user works with, the ids of another family through that family's
URL (a changed id), and another family's own URLs. Each answer of 403 or 404 must
have left audit rows that are all refusals. The figure "requests answered 403 or
refused that are missing from the audit log" comes from this test.
"""

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEvent, Evidence, TeamMembership
from tests import factories as f

REFUSALS = {
    "access.refused",
    "family.access-refused",
    "evidence.access-refused",
    "job.access-refused",
    "claim.access-refused",
    "closure.verify-refused",
}
ROLES = ("partner", "police_partner", "lead_professional", "verifier", "programme_manager", "admin")


def _family(lead, people, attached):
    family = f.make_family(lead, "suffolk-2017")
    member = f.add_member(family, lead)
    problem = f.add_problem(family, lead, "2", "a", member=member)
    for agency in attached:
        f.attach(family, agency, lead)
    evidence = Evidence(
        family_id=family.id,
        outcome_id="2.1",
        member_ids=[member.id],
        source="x",
        period_start=dt.date(2024, 1, 8),
        period_end=dt.date(2024, 7, 8),
        values={},
        statement="x",
        submitted_by_id=people["police_partner"].id,
        agency_id=people["police"].id,
    )  # the police's: the school's partner may not see it
    db.session.add(evidence)
    db.session.flush()
    document = _document(evidence, people["police_partner"])
    db.session.commit()
    membership = db.session.scalars(sa.select(TeamMembership).filter_by(family_id=family.id)).first()
    return family, {
        "member_id": member.id,
        "problem_id": problem.id,
        "evidence_id": evidence.id,
        "membership_id": membership.id if membership else 999_999,
        "document_id": document.id,
    }


def _document(evidence, by):
    """A stored document on the evidence (docs/documents.md), so its download route is walked too."""
    from flask import current_app

    from portal.documents.storage import storage
    from portal.models import EvidenceDocument

    sha256 = storage(current_app).put(b"%PDF-1.4\n%%EOF\n")
    row = EvidenceDocument(
        evidence_id=evidence.id,
        family_id=evidence.family_id,
        sha256=sha256,
        size=15,
        kind="pdf",
        filename="letter.pdf",
        scanned_with="ClamAV",
        uploaded_by_id=by.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def world(app, people):
    with app.app_context():
        own, own_ids = _family(people["lead_professional"], people, (people["school"], people["police"]))
        other_lead = f.make_user("lead_professional")
        other, other_ids = _family(other_lead, people, (people["police"],))
        from portal.models import Job

        job = Job(kind="closure-summaries-zip", requested_by_id=other_lead.id, params={"family_ids": [other.id]})
        db.session.add(job)
        db.session.commit()
        common = {
            "user_id": other_lead.id,
            "agency_id": people["police"].id,
            "plan_id": "suffolk-2017",
            "job_id": job.id,
            "code": "ZZZZZZZZZZZZ",
            "claim_id": 999_999,
            "window_id": 999_999,
            "line_id": 999_999,
            "decision_id": 999_999,
            "kind": "csv",
            "section": "eligibility",
        }
        return [
            ({"family_id": own.id, **common, **own_ids}),
            ({"family_id": own.id, **common, **other_ids}),  # another family's rows through this one
            ({"family_id": other.id, **common, **other_ids}),
        ]


def allowed_roles(view) -> set[str] | None:
    rule = getattr(view, "_access_rule", "")
    if ":" not in rule:
        return None  # public or any signed-in user
    return {r.strip() for r in rule.split(":", 1)[1].split(",")}


def requests_for(app, world, role):
    seen = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.startswith(("auth.", "main.")):
            continue
        allowed = allowed_roles(app.view_functions[rule.endpoint])
        user_role = "partner" if role == "police_partner" else role
        methods = ["GET"] if "GET" in rule.methods else []
        if "POST" in rule.methods and allowed is not None and user_role not in allowed:
            methods.append("POST")  # refused before any form is read: nothing changes
        for ids in world:
            url = rule.build({name: ids[name] for name in rule.arguments})[1]
            for method in methods:
                if (method, url) not in seen:
                    seen.add((method, url))
                    yield method, url


def _last_event_id(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0


def _events_after(app, event_id):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id > event_id)).all()


def test_requests_refused_missing_from_the_audit_log_is_zero(app, people, world):
    refused, missing, as_reads = [], [], []
    for role in ROLES:
        client = app.test_client()
        f.sign_in(client, people[role])
        for method, url in requests_for(app, world, role):
            before = _last_event_id(app)
            status = client.open(url, method=method, data={}).status_code
            assert status != 500, f"{role} {method} {url}"
            if status not in (403, 404):
                continue
            refused.append((role, method, url, status))
            events = _events_after(app, before)
            if not any(
                e.action in REFUSALS and e.detail.startswith(method) and e.user_id == people[role].id for e in events
            ):
                missing.append(f"{role} {method} {url} -> {status}")
            as_reads += [f"{role} {method} {url}: {e.action}" for e in events if e.action not in REFUSALS]
    print(
        f"\nrequests answered 403 or refused that are missing from the audit log: {len(missing)} "
        f"(of {len(refused)} refused)"
    )
    assert missing == [], "\n".join(missing)
    assert as_reads == [], "\n".join(as_reads)
    statuses = {status for *_, status in refused}
    assert statuses == {403, 404} and len(refused) > 150
    # The cases the probe found: a role check's 403, and a partner asking for another agency's evidence.
    assert any(r == "partner" and u.endswith(f"/evidence/{world[0]['evidence_id']}") for r, _, u, _ in refused)
    assert any(r == "lead_professional" and u == "/audit" and s == 403 for r, _, u, s in refused)


def test_a_partner_asking_for_another_agencys_evidence_is_logged_as_a_refusal_not_a_read(app, people, world):
    client = app.test_client()
    f.sign_in(client, people["partner"])
    url = f"/families/{world[0]['family_id']}/evidence/{world[0]['evidence_id']}"
    before = _last_event_id(app)
    assert client.get(url).status_code == 404
    assert [(e.action, e.detail, e.family_id) for e in _events_after(app, before)] == [
        ("evidence.access-refused", f"GET {url}", world[0]["family_id"])
    ]


def test_a_role_check_refusal_is_audited(app, people):
    client = app.test_client()
    f.sign_in(client, people["verifier"])
    before = _last_event_id(app)
    assert client.get("/audit").status_code == 403
    assert [(e.action, e.detail, e.user_role) for e in _events_after(app, before)] == [
        ("access.refused", "GET /audit", "verifier")
    ]
