"""The audit log shows admins no case data (issue 8, item 6).

A family is built through the portal's own pages with distinctive names, reasons,
statements and search terms, every action is performed, and then every page an
admin can reach (the audit log with each filter and page, each family's log, the
families list, the admin pages) is crawled for those strings. The figure "case
data visible to admins" comes from test_case_data_visible_to_admins_is_zero.
"""

import re

import pytest
import sqlalchemy as sa

from portal.audit import details, record
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Evidence,
    Family,
    IdentifiedProblem,
    Member,
    TeamMembership,
    User,
)
from tests import factories as f

FAMILY_NAME = "Quixotrelle family"
CHILD = "Zebulon Quixotrelle"
PARENT = "Marisol Quixotrelle"
WITHDRAWN_MEMBER = "Ottoline Wrongfamily"
MEMBER_REASON = "Recorded under the wrong family by Snickerdoodle"
PROBLEM_REASON = "The caution belonged to Thistlewhaite next door"
RETURN_REASON = "Please add the Brambleworth clinic letter"
PM_RETURN_REASON = "Jabberwocky: say which practitioner confirmed"
REOPEN_REASON = "Reopened after the Fennimore incident"
STATEMENT = "Statement about Kettleburrow progress"
PRACTITIONER = "Dr Wolfsbane Pemberton, GP"
SEARCH = "Quixotrel"
LONG_SEARCH = "Marzipanfog" * 910  # about 10,000 characters, as the probe typed
DISTINCTIVE = (
    FAMILY_NAME,
    CHILD,
    PARENT,
    WITHDRAWN_MEMBER,
    MEMBER_REASON,
    PROBLEM_REASON,
    RETURN_REASON,
    PM_RETURN_REASON,
    REOPEN_REASON,
    STATEMENT,
    PRACTITIONER,
    "Quixotrel",
    "Marzipanfog",
    "Zebulon",
    "Marisol",
    "Ottoline",
    "Snickerdoodle",
    "Thistlewhaite",
    "Brambleworth",
    "Jabberwocky",
    "Fennimore",
    "Kettleburrow",
    "Wolfsbane",
)


def ok(response):
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:2000]
    page = response.get_data(as_text=True)
    assert "govuk-error-summary" not in page, re.findall(r"#[\w-]+\">[^<]+", page)
    return response


def as_user(app, user):
    client = app.test_client()
    f.sign_in(client, user)
    return client


def one(app, model, **filters):
    with app.app_context():
        return db.session.scalars(sa.select(model).filter_by(**filters).order_by(model.id.desc())).first()


def evidence_form(member_id, statement=STATEMENT, practitioner=PRACTITIONER):
    return {
        "outcome": "6.2",
        "members": str(member_id),
        "source": "Social Care and Early Help practitioners (via CareFirst & Profile)",
        "period-start-day": "1",
        "period-start-month": "2",
        "period-start-year": "2024",
        "period-end-day": "1",
        "period-end-month": "8",
        "period-end-year": "2024",
        "values-confirmed": "yes",
        "values-practitioner": practitioner,
        "statement": statement,
    }


@pytest.fixture
def everything_done(app, people):
    """Every action of the portal on one family, through its pages; the family."""
    lead, partner, police = people["lead_professional"], people["partner"], people["police_partner"]
    with app.app_context():
        next_lead = f.make_user("lead_professional")
    lp = as_user(app, lead)
    ok(lp.post("/families/new", data={"name": FAMILY_NAME, "plan": "suffolk-2017", "engaged_on": ["8", "1", "2024"]}))
    family = one(app, Family)
    base = f"/families/{family.id}"
    for name, role, born in ((PARENT, "parent", "1986"), (CHILD, "child", "2012"), (WITHDRAWN_MEMBER, "child", "2013")):
        ok(
            lp.post(
                f"{base}/members/new",
                data={
                    "name": name,
                    "role": role,
                    "date_of_birth": ["3", "4", born],
                    "activity": "education" if role == "child" else "",
                },
            )
        )
    parent, child = one(app, Member, name=PARENT), one(app, Member, name=CHILD)
    wrong = one(app, Member, name=WITHDRAWN_MEMBER)
    ok(lp.post(f"{base}/members/{wrong.id}/withdraw", data={"reason": MEMBER_REASON}))
    for indicator in ("1/a", "6/a", "2/a"):
        ok(
            lp.post(
                f"{base}/problems/new",
                data={
                    "indicator": indicator,
                    "stage": "identification",
                    "identified_on": ["8", "1", "2024"],
                    "member": str(child.id if indicator == "2/a" else parent.id),  # 2: school attendance
                },
            )
        )
    problem = one(app, IdentifiedProblem, problem_id="2")
    ok(lp.post(f"{base}/problems/{problem.id}/withdraw", data={"reason": PROBLEM_REASON}))
    ok(lp.post(f"{base}/essentials", data={"essentials": ["lead_professional"], "in_place_on": ["5", "3", "2024"]}))
    ok(lp.post(f"{base}/plan-outcomes", data={"outcomes": ["6.2"]}))
    ok(lp.post(f"{base}/engaged", data={"engaged_on": ["9", "1", "2024"]}))
    for agency in (people["school"], people["police"]):
        ok(lp.post(f"{base}/team/new", data={"agency": str(agency.id)}))
    # The school submits, the lead professional returns it, the school corrects it, the lead accepts it.
    school = as_user(app, partner)
    school.post(f"{base}/evidence/check", data=evidence_form(parent.id), headers={"HX-Request": "true"})
    ok(school.post(f"{base}/evidence/new", data=evidence_form(parent.id)))
    first = one(app, Evidence)
    ok(
        lp.post(
            f"{base}/reviews/{first.id}",
            data={f"e{first.id}-decision": "returned", f"e{first.id}-reason": RETURN_REASON},
        )
    )
    ok(school.post(f"{base}/evidence/{first.id}/correct", data=evidence_form(parent.id, STATEMENT + " again")))
    second = one(app, Evidence)
    ok(lp.post(f"{base}/reviews/{second.id}", data={f"e{second.id}-decision": "accepted"}))
    # The lead professional's own evidence: refused to them, returned by a programme manager.
    ok(lp.post(f"{base}/evidence/new", data=evidence_form(parent.id, STATEMENT + " by the lead")))
    own = one(app, Evidence)
    ok(lp.post(f"{base}/reviews/{own.id}", data={f"e{own.id}-decision": "accepted"}))
    pm = as_user(app, people["programme_manager"])
    pm.get("/families/reviews")
    ok(
        pm.post(
            f"{base}/reviews/{own.id}", data={f"e{own.id}-decision": "returned", f"e{own.id}-reason": PM_RETURN_REASON}
        )
    )
    # Refusals: another agency's evidence, a partner's evidence the lead may not correct, pages not theirs.
    as_user(app, police).get(f"{base}/evidence/{second.id}")
    lp.get(f"{base}/evidence/{second.id}/correct")
    lp.get("/audit")
    as_user(app, people["admin"]).get(base)
    # Searches, the detach, the PDF, closing and reopening, a handover.
    lp.get("/families/", query_string={"q": SEARCH})
    lp.get("/families/", query_string={"q": LONG_SEARCH})
    lp.get("/families/", query_string={"q": SEARCH}, headers={"HX-Request": "true"})
    membership = one(app, TeamMembership, agency_id=people["police"].id)
    ok(lp.post(f"{base}/team/{membership.id}/end"))
    ok(lp.post(f"{base}/close", data={"closed_on": ["1", "9", "2024"]}))
    lp.get(f"{base}/closure-summary.pdf")
    ok(lp.post(f"{base}/reopen", data={"reason": REOPEN_REASON}))
    admin = as_user(app, people["admin"])
    admin.get(f"/admin/users/{lead.id}/families")
    ok(lp.post(f"{base}/hand-over", data={"lead": str(next_lead.id)}))
    as_user(app, people["verifier"]).get(f"/families/{family.id}/audit")
    return family


def admin_pages(app, client):
    """Every page an admin reaches: each GET route with real ids, the log with every filter, every page."""
    with app.app_context():
        ids = {
            "family_id": db.session.scalars(sa.select(Family.id)).all(),
            "user_id": db.session.scalars(sa.select(User.id)).all(),
            "agency_id": db.session.scalars(sa.select(db.text("id")).select_from(db.text("agency"))).all(),
            "plan_id": ["suffolk-2017"],
        }
        emails = db.session.scalars(sa.select(AuditEvent.user_email).distinct()).all()
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint.startswith("auth."):
            continue
        choices = [{}]
        for name in rule.arguments:
            choices = [{**c, name: value} for c in choices for value in ids.get(name, [])]
        urls += [rule.build(c)[1] for c in choices]
    page = client.get("/audit").get_data(as_text=True)
    actions = re.findall(r'<option value="([^"]+)"', page)
    assert "member.withdraw" in actions and "evidence.return" in actions
    urls += [f"/audit?action={a}" for a in actions] + [f"/audit?email={e}" for e in emails if e]
    seen, pages = set(), {}
    while urls:
        url = urls.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        body = response.get_data(as_text=True)
        pages[url] = (response.status_code, body)
        urls += [link.replace("&amp;", "&") for link in re.findall(r'href="(/audit[^"#]*page=\d+[^"]*)"', body)]
        urls += [link.replace("&amp;", "&") for link in re.findall(r'href="(/families/\d+/audit[^"#]*)"', body)]
    return pages


def test_case_data_visible_to_admins_is_zero(app, people, everything_done):
    admin = as_user(app, people["admin"])
    pages = admin_pages(app, admin)
    assert sum(status == 200 for status, _ in pages.values()) >= 20
    audited = [body for url, (status, body) in pages.items() if url.startswith("/audit?") and status == 200]
    assert len(audited) >= 10 and any("member.withdraw" in body for body in audited)
    visible = sorted({(url, s) for url, (_, body) in pages.items() for s in DISTINCTIVE if s in body})
    print(f"\ncase data visible to admins: {len(visible)} (in {len(pages)} admin pages)")
    assert visible == []


def test_every_detail_the_portal_recorded_holds_ids_and_action_words_only(app, everything_done):
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent)).all()
        withheld = [(e.action, e.detail) for e in events if not details.is_safe(e.detail)]
    leaked = [(e.action, e.detail) for e in events for s in DISTINCTIVE if s in e.detail]
    assert leaked == [] and withheld == []
    actions = {e.action for e in events}
    assert {
        "family.create",
        "member.add",
        "member.withdraw",
        "problem.withdraw",
        "evidence.submit",
        "evidence.correct",
        "evidence.accept",
        "evidence.return",
        "case.reopen",
        "family.handover",
        "family.list",
        "evidence.review-refused",
        "evidence.access-refused",
        "evidence.correct-refused",
        "access.refused",
        "family.access-refused",
        "closure.download",
        "audit.read",
    } <= actions
    assert max(len(e.detail) for e in events) < 100  # the 10,000-character search left no trace


def test_a_verifier_still_sees_the_family_name_on_the_log(app, people, everything_done):
    page = as_user(app, people["verifier"]).get(f"/families/{everything_done.id}/audit").get_data(as_text=True)
    assert FAMILY_NAME in page


def test_details_recorded_before_the_rule_are_withheld_from_the_log(app, people):
    with app.app_context():
        family = f.make_family(people["lead_professional"], name=FAMILY_NAME)
        record(
            "member.withdraw",
            family,
            detail=f"member 3: {CHILD}; reason: {MEMBER_REASON}",
            user=db.session.get(User, people["lead_professional"].id),
        )
        record("family.list", detail=f"search: {SEARCH}", user=db.session.get(User, people["lead_professional"].id))
        record(
            "audit.read", family, detail="GET /families/1/audit?page=2", user=db.session.get(User, people["admin"].id)
        )
        db.session.commit()
    admin = as_user(app, people["admin"])
    for url in ("/audit", f"/families/{family.id}/audit", "/audit?action=family.list"):
        page = admin.get(url).get_data(as_text=True)
        assert details.WITHHELD in page
        assert not any(s in page for s in (CHILD, MEMBER_REASON, SEARCH, FAMILY_NAME))


@pytest.mark.parametrize(
    "detail, safe",
    [
        ("evidence 40 v2 replaces evidence 39 v1", True),
        ("GET /families/5/evidence/40", True),
        ("POST /admin/plans/<plan_id>/open", True),
        ("GET /audit; filtered by action, email; page 2", True),
        ("plan suffolk-2017", True),
        ("user 5; role lead_professional", True),
        ("", True),
        ("member 12: Zebulon (child)", False),
        ("search: smith", False),
        ("GET /families/?q=smith", False),
        ("GET /families/5/smith", False),
        ("reason: moved away", False),
    ],
)
def test_what_a_detail_may_say(app, detail, safe):
    with app.app_context():
        assert details.is_safe(detail) is safe


def test_request_detail_keeps_a_routes_text_arguments_as_placeholders(app, people):
    client = as_user(app, people["partner"])
    client.post("/admin/plans/Smith%20family/open")
    with app.app_context():
        [event] = db.session.scalars(sa.select(AuditEvent).filter_by(action="access.refused")).all()
    assert event.detail == "POST /admin/plans/<plan_id>/open"


def test_the_audit_families_page_is_audited(app, people):
    as_user(app, people["admin"]).get("/audit/families")
    with app.app_context():
        [event] = db.session.scalars(sa.select(AuditEvent).filter_by(action="audit.read")).all()
    assert (event.detail, event.user_id) == ("GET /audit/families", people["admin"].id)
