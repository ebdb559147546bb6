"""The claim cycle (issue 10), through the pages, on the demo families (SQLite and PostgreSQL)."""

import csv
import datetime as dt
import io
import re
import zipfile
from html.parser import HTMLParser
from types import SimpleNamespace

import pypdf
import pytest
import sqlalchemy as sa

from portal import casefile, verdicts
from portal.claims import approving, building, claimable, ledger, redecide, sampling, tasks, verifying
from portal.claims.building import Refused
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Claim,
    ClaimLine,
    ClaimLineExit,
    ClaimSample,
    ClaimWindow,
    ClaimWindowPlan,
    Family,
    FamilyVerdict,
    Job,
    LineDecision,
    User,
)
from portal.models.append_only import AppendOnlyError
from portal.rules.claims import draw_sample
from tests import factories as f
from tests.claims_helpers import (  # noqa: F401
    PHASE_2,
    TURNED_AROUND_PHASE_2,
    claim_files,
    demo,
    demo_window,
    sign_in,
)
from tests.test_families_list import queries_to_list


def built_claim(app, client, demo, status="claimable"):
    """Claim 1: every claimable phase-2 family, added through the filter by the first programme manager."""
    window = demo_window(app)
    sign_in(client, demo["programme"])
    assert client.post(f"/claims/windows/{window.id}/claims").status_code == 302
    with app.app_context():
        claim_id = db.session.scalar(sa.select(Claim.id).order_by(Claim.id.desc()))
    response = client.post(f"/claims/{claim_id}/add", data={"all": "1", "status": status})
    assert response.status_code == 302
    return claim_id


# A claim window's form as a programme manager fills it in (tests change what they need).
WINDOW_FORM = {
    "name": "Quarter 3 claims",
    "claim_date": ["1", "10", "2026"],
    "plans": ["suffolk-2017"],
    "tolerance_percent": "5",
    "sample_percent": "10",
    "sample_minimum": "2",
    "minimum_intervention_days": "90",
}


def claim(app, claim_id):
    return db.session.get(Claim, claim_id)


def lines_of(app, claim_id):
    with app.app_context():
        return {
            line.family_ref: line.id for line in db.session.scalars(sa.select(ClaimLine).filter_by(claim_id=claim_id))
        }


def test_a_window_keeps_the_plan_files_it_decides_with(app, client, demo):
    sign_in(client, demo["programme"])
    response = client.post(
        "/claims/windows/new",
        data=WINDOW_FORM | {"name": "2026-27 quarter 3", "plans": ["hertfordshire-2022"]},
    )
    assert response.status_code == 302
    with app.app_context():
        window = db.session.scalar(sa.select(ClaimWindow).filter_by(name="2026-27 quarter 3"))
        stored = window.plans[0]
        from pathlib import Path

        from portal.claims.plans import sha256

        text = (Path(__file__).resolve().parents[1] / "frameworks" / "hertfordshire-2022.yaml").read_text()
        assert (stored.plan_text, stored.plan_sha256) == (text, sha256(text))
        assert window.phase == "supporting-families-2022"
        with pytest.raises(AppendOnlyError):
            stored.plan_text = "edited"
            db.session.flush()
        db.session.rollback()


def test_a_window_whose_name_was_taken_while_its_form_was_checked_gets_the_message_not_an_error(
    app, client, demo, monkeypatch
):
    # Two programme managers (or a double click) opening windows of one name at once: both
    # forms pass the name check before either is saved. The database's unique name decides.
    from portal.claims.forms import WindowForm

    form = WINDOW_FORM | {"name": "Quarter 3 claims"}
    sign_in(client, demo["programme"])
    assert client.post("/claims/windows/new", data=form).status_code == 302
    monkeypatch.setattr(WindowForm, "validate_name", lambda self, field: None)  # checked before the first save
    response = client.post("/claims/windows/new", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in body
    assert "A claim window with this name exists already: choose another name" in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ClaimWindow).filter_by(name=form["name"])) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the name of the claim window"),
        ({"plans": ["hertfordshire-2022", "suffolk-2017"]}, "Choose plans of one programme phase only"),
        (
            {"tolerance_percent": "101"},
            "Tolerated rejection rate in the sample (%) must be a whole number from 0 to 100",
        ),
        ({"sample_minimum": "many"}, "Smallest sample (lines) must be a whole number"),
        ({"claim_date": ["31", "2", "2026"]}, "Claim date must be a real date"),
        ({"claim_date": ["31", "12", "9999"]}, "Claim date must be no later than"),
    ],
)
def test_a_window_with_bad_answers_says_which_and_why(app, client, demo, data, message):
    sign_in(client, demo["programme"])
    form = WINDOW_FORM | {"name": "Q"}
    form.update(data)
    if data == {}:
        form["name"] = "  "
    response = client.post("/claims/windows/new", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in body
    assert message in body


def test_the_claimable_list_decides_every_family_of_the_window_and_filters(app, client, demo):
    window = demo_window(app)
    sign_in(client, demo["programme"])
    body = client.get(f"/claims/windows/{window.id}?status=claimable").get_data(as_text=True)
    refs = set(re.findall(r'href="/families/\d+">([A-Z0-9-]+)</a>', body))
    assert refs == TURNED_AROUND_PHASE_2
    body = client.get(f"/claims/windows/{window.id}?status=not_claimable&plan=sunderland-2015").get_data(as_text=True)
    assert set(re.findall(r'href="/families/\d+">([A-Z0-9-]+)</a>', body)) == {"SUN-0207"}
    assert "is not achieved" in body  # the engine's reason
    ce = client.get(f"/claims/windows/{window.id}?status=claimable&claim_type=continuous_employment").get_data(
        as_text=True
    )
    assert set(re.findall(r'href="/families/\d+">([A-Z0-9-]+)</a>', ce)) == {
        "SUF-EX-0003",
        "SWK-0451",
        "DUR-2018-0733",
        "SUN-0318",
    }
    ordered = client.get(f"/claims/windows/{window.id}?status=claimable&sort=ref&order=descending").get_data(
        as_text=True
    )
    listed = re.findall(r'href="/families/\d+">([A-Z0-9-]+)</a>', ordered)
    assert listed == sorted(TURNED_AROUND_PHASE_2, reverse=True)
    assert 'aria-sort="descending"' in ordered


def test_the_claimable_list_runs_no_more_queries_for_more_families(app, client, demo):
    window = demo_window(app)
    sign_in(client, demo["programme"])
    url = f"/claims/windows/{window.id}"
    before = queries_to_list(app, client, url)
    with app.app_context():
        from tests.test_families import add_evidence, suffolk_case

        people = {"lead_professional": demo["lead"], "partner": demo["school"], "school": demo["school"].agency}
        for _ in range(4):
            family, parent, _ = suffolk_case(people)
            add_evidence(family, parent, demo["school"], status="accepted", reviewer=demo["lead"])
    assert queries_to_list(app, client, url) == before


def test_a_claim_built_from_the_filter_keeps_a_snapshot_of_each_line(app, client, demo):
    claim_id = built_claim(app, client, demo)
    with app.app_context():
        lines = db.session.scalars(sa.select(ClaimLine).filter_by(claim_id=claim_id)).all()
        assert {line.family_ref for line in lines} == TURNED_AROUND_PHASE_2
        line = lines[0]
        assert line.verdict["turned_around"] and line.verdict["as_of"] == demo_window(app).claim_date.isoformat()
        assert line.evidence and all(item["id"].startswith("e") and item["version"] >= 1 for item in line.evidence)
        assert all(e["status"] == "accepted" for e in line.case_snapshot["evidence"])
        assert re.fullmatch(r"[0-9a-f]{64}", line.snapshot_hash)
        actions = db.session.scalars(sa.select(AuditEvent.action).filter_by(family_id=line.family_id)).all()
        assert "claim.line.add" in actions


def test_a_family_already_in_a_claim_of_the_phase_is_refused_naming_that_claim(app, client, demo):
    first = built_claim(app, client, demo)
    window = demo_window(app)
    assert client.post(f"/claims/windows/{window.id}/claims").status_code == 302
    with app.app_context():
        second = db.session.scalar(sa.select(Claim.id).order_by(Claim.id.desc()))
        family_id = db.session.scalar(sa.select(Family.id).filter_by(ref="SUF-EX-0001"))
    response = client.post(f"/claims/{second}/add", data={"family_id": str(family_id)}, follow_redirects=True)
    assert f"SUF-EX-0001 is already in claim {first}" in response.get_data(as_text=True)
    assert lines_of(app, second) == {}


@pytest.mark.parametrize(
    "spelt",
    [
        pytest.param(lambda name: f"  {name.upper()} ", id="in capitals, with spaces"),
        pytest.param(lambda name: name[:2] + "\u200b" + name[2:], id="with a zero-width space"),
        pytest.param(lambda name: name[:2] + "\u00ad" + name[2:], id="with a soft hyphen"),
        pytest.param(lambda name: "\u202e" + name, id="after a right-to-left override"),
        pytest.param(lambda name: name[:2] + "\u2060" + name[2:], id="with a word joiner"),
        pytest.param(
            lambda name: "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalpha() else c for c in name),
            id="in full-width letters",
        ),
    ],
)
def test_a_member_of_a_claimed_family_is_refused_in_another_family(app, client, demo, spelt):
    # The same person, spelt so that a reader sees the same name: still one person to the check.
    first = built_claim(app, client, demo)
    with app.app_context():
        claimed = db.session.scalar(sa.select(Family).filter_by(ref="SWK-0217"))
        person = claimed.current_members[0]
        other = f.make_family(demo["lead"], "southwark-2018", name="Another household")
        f.add_member(other, demo["lead"], role=person.role, born=person.date_of_birth, name=spelt(person.name))
        window = db.session.scalar(sa.select(ClaimWindow).order_by(ClaimWindow.id))
        c = building.create_claim(window, demo["programme2"])
        added, refused = building.add_families(c, [other.id], demo["programme2"])
    assert added == []
    assert refused and f"is already claimed for in claim {first} (family SWK-0217)" in refused[0]


def test_a_family_not_claimable_is_refused_with_the_engines_reason(app, client, demo):
    built_claim(app, client, demo)
    with app.app_context():
        family = db.session.scalar(sa.select(Family).filter_by(ref="SUN-0207"))
        c = db.session.scalar(sa.select(Claim))
        added, refused = building.add_families(c, [family.id], demo["programme"])
    assert added == [] and "SUN-0207 cannot be claimed for as of" in refused[0]


def draw(app, client, claim_id):
    assert client.post(f"/claims/{claim_id}/sample").status_code == 302
    with app.app_context():
        return db.session.scalar(sa.select(ClaimSample).filter_by(claim_id=claim_id).order_by(ClaimSample.id.desc()))


def test_the_sample_is_reproducible_from_its_seed_and_always_holds_flagged_lines(app, client, demo):
    claim_id = built_claim(app, client, demo)
    sample = draw(app, client, claim_id)
    window = demo_window(app)
    assert sample.size == max(window.sample_minimum, -(-8 * window.sample_percent // 100))
    assert sample.chosen == draw_sample(sample.population, sample.flagged, sample.seed, sample.size)
    assert sampling.reproduces(sample)
    others = draw_sample(sample.population, sample.population[:2], sample.seed, sample.size)
    assert set(sample.population[:2]) <= set(others)  # flagged lines are always in
    assert draw_sample(range(1, 100), [], "seed-a", 10) != draw_sample(range(1, 100), [], "seed-b", 10)
    assert set(draw_sample(range(1, 100), [], "s", 10)) <= set(draw_sample(range(1, 100), [], "s", 20))


def test_a_redraw_needs_a_reason_and_is_audited(app, client, demo):
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    response = client.post(f"/claims/{claim_id}/sample/redraw", data={"reason": "  "})
    assert "Enter the reason" in response.get_data(as_text=True)
    assert (
        client.post(f"/claims/{claim_id}/sample/redraw", data={"reason": "Seed shown to a builder"}).status_code == 302
    )
    with app.app_context():
        samples = db.session.scalars(sa.select(ClaimSample).filter_by(claim_id=claim_id)).all()
        assert [s.kind for s in samples] == ["drawn", "redrawn"] and samples[1].reason == "Seed shown to a builder"
        # The reason is the sample's; the audit row says there was one (admins read the log).
        assert db.session.scalar(sa.select(AuditEvent.detail).filter_by(action="claim.sample.redrawn")).endswith(
            "; with a reason"
        )


def test_once_a_sampled_line_is_decided_the_sample_can_be_widened_but_not_redrawn(app, client, demo):
    """A redraw after a rejection would let the claim's builder trade a sample that found a fault
    for a fresh one, and so escape the widening the rejection rate asks for."""
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    sign_in(client, demo["verifier"])
    with app.app_context():
        first = claim(app, claim_id).sample.chosen[0]
    rejected = {"decision": "rejected", "reason_code": "evidence_insufficient", "note": "Statement only"}
    assert client.post(f"/claims/{claim_id}/lines/{first}/decision", data=rejected).status_code == 302
    sign_in(client, demo["programme"])
    page = client.get(f"/claims/{claim_id}").get_data(as_text=True)
    assert "Redraw the sample" not in page
    response = client.post(f"/claims/{claim_id}/sample/redraw", data={"reason": "A fresh look"}, follow_redirects=True)
    assert "its sample can be widened but not redrawn" in response.get_data(as_text=True)
    with app.app_context():
        samples = db.session.scalars(sa.select(ClaimSample).filter_by(claim_id=claim_id)).all()
        assert [s.kind for s in samples] == ["drawn"]
        assert sampling.sample_state(claim(app, claim_id)).rejected == 1


def test_a_decision_made_while_the_sample_is_being_redrawn_waits_and_sees_the_new_sample(
    app, client, demo, monkeypatch
):
    """The redraw checks that nothing is decided, then writes the new sample. A verifier deciding a
    line in between must not slip a decision in on a line the new sample leaves out."""
    import threading

    claim_id = built_claim(app, client, demo)
    old = draw(app, client, claim_id)
    line_id = old.chosen[0]
    # A seed whose sample leaves that line out, so a decision that slipped in would show.
    seed = next(
        f"{n:016x}"
        for n in range(1000)
        if line_id not in draw_sample(old.population, old.flagged, f"{n:016x}", old.size)
    )
    monkeypatch.setattr(sampling.secrets, "token_hex", lambda _n: seed)
    paused, go = threading.Event(), threading.Event()
    original_audit = sampling.audit

    def audit_then_wait(*args, **kwargs):  # the redraw has checked and drawn; it commits after this
        original_audit(*args, **kwargs)
        paused.set()
        assert go.wait(30)

    monkeypatch.setattr(sampling, "audit", audit_then_wait)
    outcome = {}

    def redraw():
        with app.app_context():
            user = db.session.get(type(demo["programme"]), demo["programme"].id)
            outcome["sample"] = sampling.draw(claim(app, claim_id), user, "Seed shown to a builder").chosen

    def decide():
        with app.app_context():
            user = db.session.get(type(demo["verifier"]), demo["verifier"].id)
            try:
                verifying.decide(db.session.get(ClaimLine, line_id), user, "verified")
                outcome["decided"] = True
            except Refused as refusal:
                outcome["refused"] = str(refusal)

    pm = threading.Thread(target=redraw)
    pm.start()
    assert paused.wait(30)
    verifier = threading.Thread(target=decide)
    verifier.start()
    verifier.join(1.5)  # it waits for the redraw (or, unguarded, has already decided)
    go.set()
    pm.join(30)
    verifier.join(30)
    assert line_id not in outcome["sample"]
    assert outcome.get("refused", "").endswith(f"is not in the audit sample of claim {claim_id}")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LineDecision)) == 0


def decide_all(app, client, demo, claim_id, reject=(), verifier="verifier"):
    sign_in(client, demo[verifier])
    with app.app_context():
        chosen = claim(app, claim_id).sample.chosen
        refs = {line.id: line.family_ref for line in claim(app, claim_id).lines}
        decided = {line.id for line in claim(app, claim_id).lines if line.decision}
    for n, line_id in enumerate(chosen):
        if line_id in decided:
            continue  # decisions already recorded stand
        data = (
            {"decision": "rejected", "reason_code": "evidence_insufficient", "note": "Statement only"}
            if n in reject
            else {"decision": "verified"}
        )
        response = client.post(f"/claims/{claim_id}/lines/{line_id}/decision", data=data)
        assert response.status_code == 302, (refs[line_id], response.get_data(as_text=True)[-500:])
    return chosen


def test_the_whole_cycle_to_a_submitted_claim_and_its_files(app, client, demo):
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    chosen = decide_all(app, client, demo, claim_id)
    # The builder cannot approve; the second programme manager can.
    sign_in(client, demo["programme"])
    response = client.post(f"/claims/{claim_id}/approve", follow_redirects=True)
    assert "another programme manager must approve it" in response.get_data(as_text=True)
    sign_in(client, demo["programme2"])
    check = client.get(f"/claims/{claim_id}/check").get_data(as_text=True)
    assert "Approve the claim" in check and "suffolk-2017, Continuous employment" in check
    assert client.post(f"/claims/{claim_id}/approve").status_code == 302
    response = client.post(f"/claims/{claim_id}/submit")
    assert response.headers["Location"].endswith(f"/claims/{claim_id}/submitted")
    csv_body = client.get(f"/claims/{claim_id}/files/csv")
    assert csv_body.status_code == 200
    rows = list(csv.DictReader(io.StringIO(csv_body.get_data(as_text=True))))
    assert {r["reference"] for r in rows} == TURNED_AROUND_PHASE_2
    assert sum(r["decision"] == "verified" for r in rows) == len(chosen)
    with app.app_context():
        hashes = {line.family_ref: line.snapshot_hash for line in claim(app, claim_id).lines}
    assert all(r["evidence_hash"] == hashes[r["reference"]] for r in rows)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/claims/{claim_id}/files/zip").data))
    names = archive.namelist()
    assert f"claim-{claim_id}.csv" in names and f"claim-{claim_id}-report.pdf" in names
    assert sorted(n for n in names if n.startswith("closure-summaries/")) == sorted(
        f"closure-summaries/{ref}-closure-summary.pdf" for ref in TURNED_AROUND_PHASE_2
    )
    assert archive.read(names[-1]).startswith(b"%PDF")
    with app.app_context():
        downloads = db.session.scalars(
            sa.select(AuditEvent.detail).filter_by(action="claim.download").order_by(AuditEvent.id)
        ).all()
        assert [d.split(":")[1].split(",")[0].strip() for d in downloads] == ["csv", "zip"]
        # Claimed lines are read-only: the rows refuse changes.
        line = claim(app, claim_id).lines[0]
        with pytest.raises(AppendOnlyError):
            line.claim_type = "continuous_employment"
            db.session.flush()
        db.session.rollback()


def test_a_programme_manager_whose_role_changed_no_longer_downloads_the_claim_file_of_the_job_they_started(
    app, client, demo
):
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    decide_all(app, client, demo, claim_id)
    sign_in(client, demo["programme2"])
    assert client.post(f"/claims/{claim_id}/approve").status_code == 302
    assert client.post(f"/claims/{claim_id}/submit").status_code == 302  # starts the claim-files job
    with app.app_context():
        job_id = db.session.scalar(sa.select(Job.id).filter_by(kind="claim-files").order_by(Job.id.desc()))
    assert client.get(f"/jobs/{job_id}/file").status_code == 200
    for role in ("admin", "partner", "lead_professional"):
        with app.app_context():
            db.session.get(type(demo["programme2"]), demo["programme2"].id).role = role
            db.session.commit()
        other = app.test_client()
        sign_in(other, demo["programme2"])
        for path in (f"/jobs/{job_id}", f"/jobs/{job_id}/file"):
            assert other.get(path).status_code == 404, (role, path)
    with app.app_context():
        refused = sa.select(sa.func.count()).select_from(AuditEvent)
        refused = refused.filter_by(user_id=demo["programme2"].id, action="job.access-refused")
        assert db.session.scalar(refused) == 6  # each refusal audited


def test_a_claim_page_that_is_not_there_is_a_refusal_in_the_audit_log(app, client, demo):
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    with app.app_context():
        line_id = claim(app, claim_id).sample.chosen[0]
    sign_in(client, demo["verifier"])
    missing = {  # the path, and its audit detail: text in the path stays '<name>', never what was typed
        f"/claims/{claim_id}/lines/{line_id}/check/bogus": f"GET /claims/{claim_id}/lines/{line_id}/check/<section>",
        f"/claims/{claim_id}/submitted": f"GET /claims/{claim_id}/submitted",  # the claim is still a draft
        f"/claims/{claim_id}/files/csv": f"GET /claims/{claim_id}/files/<kind>",  # no files before submission
        f"/claims/{claim_id}/files/exe": f"GET /claims/{claim_id}/files/<kind>",  # no such kind of file
    }
    for path in missing:
        assert client.get(path).status_code == 404, path
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AuditEvent.detail)
            .filter_by(user_id=demo["verifier"].id, action="access.refused")
            .order_by(AuditEvent.id)
        ).all()
    assert rows == list(missing.values())


def test_a_verifier_never_decides_a_family_they_lead_or_a_claim_they_built(app, client, demo):
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    with app.app_context():
        c = claim(app, claim_id)
        line = next(line for line in c.lines if line.id in c.sample.chosen)
        # The verifier who leads the family (role changed since) and the verifier who built the claim.
        leader = f.make_user("verifier")
        family = line.family
        family.lead_professional_id = leader.id
        db.session.commit()
        assert "You lead" in verifying.why_not_decide(leader, line)
        with pytest.raises(Refused):
            verifying.decide(line, leader, "verified")
        builder = db.session.get(type(demo["programme"]), demo["programme"].id)
        builder.role = "verifier"
        db.session.commit()
        assert "You built claim" in verifying.why_not_decide(builder, line)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LineDecision)) == 0
    sign_in(client, demo["verifier"])
    outside = next(i for i in lines_of(app, claim_id).values() if i not in c.sample.chosen)
    response = client.post(
        f"/claims/{claim_id}/lines/{outside}/decision", data={"decision": "verified"}, follow_redirects=True
    )
    assert "is not in the audit sample" in response.get_data(as_text=True)


def test_a_changed_decision_is_a_new_row_naming_the_one_it_replaces(app, client, demo):
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    decide_all(app, client, demo, claim_id, reject={0})
    with app.app_context():
        line_id = claim(app, claim_id).sample.chosen[0]
        rejection = db.session.get(ClaimLine, line_id).decision.id
    # The form carries the decision it was drawn against, as the verifier's browser sends it.
    assert f'value="{rejection}"' in client.get(f"/claims/{claim_id}/lines/{line_id}/decision").get_data(as_text=True)
    changed = {"decision": "verified", "replaces": str(rejection)}
    assert client.post(f"/claims/{claim_id}/lines/{line_id}/decision", data=changed).status_code == 302
    with app.app_context():
        rows = db.session.scalars(sa.select(LineDecision).filter_by(line_id=line_id).order_by(LineDecision.id)).all()
        assert [(r.decision, r.sequence) for r in rows] == [("rejected", 1), ("verified", 2)]
        assert rows[1].replaces_id == rows[0].id and rows[0].reason_code == "evidence_insufficient"


def test_a_rejection_needs_a_reason_code_and_a_note(app, client, demo):
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    sign_in(client, demo["verifier"])
    with app.app_context():
        line_id = claim(app, claim_id).sample.chosen[0]
    body = client.post(f"/claims/{claim_id}/lines/{line_id}/decision", data={"decision": "rejected"}).get_data(
        as_text=True
    )
    assert "Choose why the line is rejected" in body and "Enter a note" in body


def test_too_many_rejections_block_approval_until_the_sample_is_widened(app, client, demo):
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)  # 8 lines, 25% -> 2, minimum 3: 3 lines
    decide_all(app, client, demo, claim_id, reject={0})  # 1 of 3 rejected: 33% > 10%
    with app.app_context():
        state = sampling.sample_state(claim(app, claim_id))
        assert (len(state.sampled), state.rejected, state.exceeded) == (3, 1, True)
        assert state.widen_by == 5  # 1/(3+7) would be 10%, but only 5 lines are left: every line
        assert any("widen the sample by 5 lines" in b for b in approving.blockers(claim(app, claim_id)))
        assert approving.why_not_approve(claim(app, claim_id), demo["programme2"]).startswith("The rejection rate")
    sign_in(client, demo["programme"])
    assert "Widen the sample by 5 lines" in client.get(f"/claims/{claim_id}").get_data(as_text=True)
    assert client.post(f"/claims/{claim_id}/sample/widen").status_code == 302
    with app.app_context():
        sample = claim(app, claim_id).sample
        assert sample.kind == "widened" and len(sample.chosen) == 8
    decide_all(app, client, demo, claim_id)  # the earlier decisions stand; the rest verified
    with app.app_context():
        c = claim(app, claim_id)
        assert approving.blockers(c) == []
        approving.approve(c, demo["programme2"])
        assert [line.family_ref for line in approving.rejected(c)] and len(approving.included(c)) == 7


def test_widening_asks_for_enough_lines_to_bring_the_rate_within_the_tolerance():
    from portal.rules.claims import widening

    assert widening(10, 1, 10, 100) is None
    assert widening(10, 2, 10, 100) == 10  # 2 / 20 = 10%
    assert widening(10, 3, 10, 15) == 5  # not enough lines: every one
    assert widening(10, 1, 0, 40) == 30


def test_redeciding_as_of_the_claim_date_gives_the_stored_verdict_even_after_the_plan_changes(
    app, client, demo, tmp_path, monkeypatch
):
    claim_id = built_claim(app, client, demo)
    import shutil
    from pathlib import Path

    copy = tmp_path / "frameworks"
    shutil.copytree(Path(__file__).resolve().parents[1] / "frameworks", copy)
    text = (copy / "suffolk-2017.yaml").read_text()
    (copy / "suffolk-2017.yaml").write_text(text.replace('version: "3.2"', 'version: "3.3"'))
    monkeypatch.setenv("PORTAL_FRAMEWORKS", str(copy))
    with app.app_context():
        for line in claim(app, claim_id).lines:
            again = redecide.as_of_claim_date(line)
            assert again.same_verdict and again.same_hash, line.family_ref
        line = next(line for line in claim(app, claim_id).lines if line.plan_id == "suffolk-2017")
        today = redecide.as_of_today(line)
        assert any("plan file suffolk-2017.yaml has changed" in c for c in today.changes)
    sign_in(client, demo["verifier"])
    body = client.get(f"/claims/{claim_id}/lines/{line.id}/redecide").get_data(as_text=True)
    assert "Same verdict" in body


def test_a_tampered_snapshot_is_not_reproduced(app, client, demo):
    claim_id = built_claim(app, client, demo)
    with app.app_context():
        line = claim(app, claim_id).lines[0]
        with db.session.no_autoflush:  # never saved: the row itself cannot change
            line.case_snapshot = {**line.case_snapshot, "evidence": []}
            assert not redecide.as_of_claim_date(line).same_verdict
        db.session.rollback()


def submitted_claim(app, client, demo):
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    decide_all(app, client, demo, claim_id)
    with app.app_context():
        c = claim(app, claim_id)
        approving.approve(c, demo["programme2"])
        approving.submit(claim(app, claim_id), demo["programme2"])
    return claim_id


def test_withdrawal_is_a_ledger_row_and_the_family_is_claimable_again_at_a_later_date(app, client, demo, monkeypatch):
    claim_id = submitted_claim(app, client, demo)
    ids = lines_of(app, claim_id)
    sign_in(client, demo["programme"])
    body = client.post(f"/claims/{claim_id}/lines/{ids['SWK-0217']}/withdraw", data={"reason": ""}).get_data(
        as_text=True
    )
    assert "Enter the reason" in body
    response = client.post(
        f"/claims/{claim_id}/lines/{ids['SWK-0217']}/withdraw",
        data={"reason": "Spot check: attendance data was for another child"},
    )
    assert response.status_code == 302
    again = client.post(
        f"/claims/{claim_id}/lines/{ids['SWK-0217']}/withdraw", data={"reason": "twice"}, follow_redirects=True
    )
    assert "has been withdrawn from claim" in again.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(sa.select(ClaimLineExit)).all()
        assert [(r.kind, r.reason) for r in rows] == [
            ("withdrawn", "Spot check: attendance data was for another child")
        ]
        line = db.session.get(ClaimLine, ids["SWK-0217"])
        assert line.verdict["turned_around"]  # the line itself is kept as it was
        assert "SWK-0217" not in {line.family_ref for line in approving.included(claim(app, claim_id))}
        # A later window: the rules still say turned around, so it may be claimed again.
        later = ClaimWindow(
            name="Later",
            claim_date=dt.date.today() + dt.timedelta(days=90),
            phase="troubled-families-2",
            tolerance_percent=10,
            sample_percent=10,
            sample_minimum=1,
            minimum_intervention_days=0,
            created_by_id=demo["programme"].id,
        )
        db.session.add(later)
        db.session.flush()
        for wp in db.session.scalar(sa.select(ClaimWindow).order_by(ClaimWindow.id)).plans:
            db.session.add(
                ClaimWindowPlan(
                    window_id=later.id,
                    plan_id=wp.plan_id,
                    title=wp.title,
                    version=wp.version,
                    plan_sha256=wp.plan_sha256,
                    plan_text=wp.plan_text,
                    tools_sha256=wp.tools_sha256,
                    tools_text=wp.tools_text,
                )
            )
        db.session.commit()
        with pytest.raises(Refused, match="claims in it can be started and built from that day"):
            building.create_claim(later, demo["programme"])
        monkeypatch.setattr(casefile, "today", lambda: later.claim_date)  # the later claim date has come
        c = building.create_claim(later, demo["programme"])
        family_id = db.session.get(ClaimLine, ids["SWK-0217"]).family_id
        other_id = db.session.get(ClaimLine, ids["SUF-EX-0001"]).family_id
        added, refused = building.add_families(c, [family_id, other_id], demo["programme"])
        assert [line.family_ref for line in added] == ["SWK-0217"]
        assert "SUF-EX-0001 is already in claim" in refused[0]
        # Held twice now (withdrawn from the first claim, in the later one): it is in the later claim.
        for _ in range(3):
            hold = ledger.held(later).by_family[family_id]
            assert hold.in_claim and hold.claim_id == c.id


def test_a_withdrawn_or_rejected_family_cannot_go_back_into_a_claim_of_the_same_claim_date(app, client, demo):
    """The withdrawal says "only as of a later claim date"; a rejection in a submitted claim is the
    verifiers' finding as of that date: neither may be undone by building another claim in the window."""
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    decide_all(app, client, demo, claim_id, reject={0})
    sign_in(client, demo["programme"])
    assert client.post(f"/claims/{claim_id}/sample/widen").status_code == 302  # 1 of 3 rejected: every line
    decide_all(app, client, demo, claim_id)
    with app.app_context():
        c = claim(app, claim_id)
        rejected_ref = db.session.scalar(
            sa.select(ClaimLine.family_ref).join(LineDecision).where(LineDecision.decision == "rejected")
        )
        approving.approve(c, demo["programme2"])
        approving.submit(claim(app, claim_id), demo["programme2"])
    ids = lines_of(app, claim_id)
    withdrawn_ref = next(ref for ref in sorted(ids) if ref != rejected_ref)
    sign_in(client, demo["programme"])
    response = client.post(
        f"/claims/{claim_id}/lines/{ids[withdrawn_ref]}/withdraw", data={"reason": "Attendance was another child's"}
    )
    assert response.status_code == 302
    window = demo_window(app)
    listed = client.get(f"/claims/windows/{window.id}?status=not_claimable").get_data(as_text=True)
    assert f"{withdrawn_ref} was withdrawn from claim {claim_id}, whose claim date is" in listed
    assert f"{rejected_ref} was rejected by the claim verifiers in claim {claim_id}" in listed
    assert "only in a window with a later claim date" in listed
    # The row's earliest claim date agrees with its status: not the engine's "Now".
    for ref in (withdrawn_ref, rejected_ref):
        row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*>{ref}</a>(?:(?!</tr>).)*</tr>", listed, re.S).group(0)
        assert "Only in a window with a later claim date" in row and "Now" not in row, ref
    claimable_now = client.get(f"/claims/windows/{window.id}?status=claimable").get_data(as_text=True)
    assert withdrawn_ref not in claimable_now and rejected_ref not in claimable_now
    sign_in(client, demo["programme2"])
    assert client.post(f"/claims/windows/{window.id}/claims").status_code == 302
    with app.app_context():
        second = db.session.scalar(sa.select(Claim.id).order_by(Claim.id.desc()))
        family_ids = {
            ref: db.session.scalar(sa.select(Family.id).filter_by(ref=ref)) for ref in (withdrawn_ref, rejected_ref)
        }
    for ref, family_id in family_ids.items():
        body = client.post(f"/claims/{second}/add", data={"family_id": family_id}, follow_redirects=True).get_data(
            as_text=True
        )
        assert f"{ref} was " in body and "later claim date" in body, ref
    with app.app_context():
        assert lines_of(app, second) == {}
        refusals = db.session.scalars(sa.select(AuditEvent).filter_by(action="claim.action-refused")).all()
        assert sorted(r.detail for r in refusals if f"to claim {second}:" in r.detail) == sorted(
            f"adding family {family_id} to claim {second}: held" for family_id in family_ids.values()
        )


def test_adding_a_family_of_another_plan_or_an_unknown_id_says_why_nothing_was_added(app, client, demo):
    window = demo_window(app)
    sign_in(client, demo["programme"])
    assert client.post(f"/claims/windows/{window.id}/claims").status_code == 302
    with app.app_context():
        claim_id = db.session.scalar(sa.select(Claim.id).order_by(Claim.id.desc()))
        outside = db.session.scalar(sa.select(Family).where(Family.plan_id.not_in(PHASE_2)))
        outside_id, outside_ref, outside_plan = outside.id, outside.ref, outside.plan_id
    body = client.post(f"/claims/{claim_id}/add", data={"family_id": outside_id}, follow_redirects=True)
    text = body.get_data(as_text=True)
    assert f"{outside_ref} follows the plan {outside_plan}, which claim window" in text
    body = client.post(f"/claims/{claim_id}/add", data={"family_id": "999999"}, follow_redirects=True)
    assert "No family has the id 999999" in body.get_data(as_text=True)
    for hostile in ("\u00b2", "9" * 5000, "-1", "1e3"):
        response = client.post(f"/claims/{claim_id}/add", data={"family_id": hostile}, follow_redirects=True)
        assert response.status_code == 200 and "No claimable family matches" in response.get_data(as_text=True)
    assert lines_of(app, claim_id) == {}


def to_do_count(page: str) -> int:
    """The number in the navigation's "To do (N)"; none shown is 0."""
    found = re.search(r"To do \((\d+)\)", page)
    return int(found.group(1)) if found else 0


def test_a_query_goes_to_the_lead_professional_who_answers_on_the_family_page(app, client, demo):
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    with app.app_context():
        line = db.session.get(ClaimLine, claim(app, claim_id).sample.chosen[0])
        family_id, ref = line.family_id, line.family_ref
    sign_in(client, demo["lead"])
    waiting = to_do_count(client.get("/families/").get_data(as_text=True))
    sign_in(client, demo["verifier"])
    client.post(
        f"/claims/{claim_id}/lines/{line.id}/decision",
        data={"decision": "queried", "note": "Which school sent the attendance?"},
    )
    sign_in(client, demo["lead"])
    page = client.get(f"/families/{family_id}").get_data(as_text=True)
    assert "Which school sent the attendance?" in page
    assert to_do_count(page) == waiting + 1  # the navigation counts the query
    with app.test_request_context():  # the family page reads the queries only when its counts find some
        from portal.claims.verifying import open_queries
        from portal.families.page import awaiting_counts

        lead_user = db.session.get(User, demo["lead"].id)
        fam = db.session.get(Family, family_id)
        assert awaiting_counts(fam, lead_user).claim_queries == len(open_queries(fam)) == 1
    assert "Which school sent the attendance?" in client.get("/to-do").get_data(as_text=True)
    with app.app_context():
        query_id = db.session.scalar(sa.select(LineDecision.id).filter_by(decision="queried"))
    assert (
        client.post(f"/claims/families/{family_id}/queries/{query_id}", data={"answer": "Oakfield Academy"}).status_code
        == 302
    )
    page = client.get(f"/families/{family_id}").get_data(as_text=True)
    assert "Which school sent" not in page
    assert to_do_count(page) == waiting
    # Opened again, the page shows the answer given and no form to answer twice.
    again = client.get(f"/claims/families/{family_id}/queries/{query_id}").get_data(as_text=True)
    assert "Oakfield Academy" in again and 'name="answer"' not in again
    with app.app_context():
        assert "1 sampled line is queried and answered: a claim verifier decides it next" in approving.blockers(
            claim(app, claim_id)
        )
    sign_in(client, demo["verifier"])
    assert "Oakfield Academy" in client.get(f"/claims/{claim_id}/lines/{line.id}").get_data(as_text=True)
    assert ref


def test_every_line_page_and_the_spot_check_pack_open(app, client, demo):
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    sign_in(client, demo["verifier"])
    with app.app_context():
        line = claim(app, claim_id).lines[0]
        from portal.claims import tasks

        slugs = [t.slug for t in tasks.task_list(line) if t.slug != "decision"]
    for slug in slugs:
        response = client.get(f"/claims/{claim_id}/lines/{line.id}/check/{slug}")
        assert response.status_code == 200, slug
    assert client.get(f"/claims/{claim_id}/lines/{line.id}/check/nonsense").status_code == 404
    pdf = client.get(f"/claims/{claim_id}/lines/{line.id}/spot-check.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    from portal.claims.spotcheck import pack_html

    with app.test_request_context(), app.app_context():
        html = pack_html(db.session.get(ClaimLine, line.id), demo["verifier"])
    assert "1. Was the family eligible?" in html and "3. Does the claim qualify" in html


def test_the_check_pages_and_the_spot_check_pack_give_each_evidence_items_period(app, client, demo):
    """The line's evidence metadata keeps the period as [start, end]; the case's evidence as
    {start, end}. Merged, the list won and both pages printed "Period: to", with no dates."""
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    sign_in(client, demo["verifier"])
    with app.app_context():
        line = claim(app, claim_id).lines[0]
        from portal.claims import tasks
        from portal.claims.spotcheck import pack_html

        periods = {e["id"]: e["period"] for e in line.case_snapshot["evidence"]}
        with app.test_request_context():
            pack = pack_html(db.session.get(ClaimLine, line.id), demo["verifier"])
        shown = [
            e
            for t in tasks.task_list(line)
            if t.slug != "decision"
            for e in (tasks.section(line, t.slug).evidence or [])
        ]
        slugs = [t.slug for t in tasks.task_list(line) if t.slug != "decision"]
    assert shown, "the line relies on evidence"

    def said(e):  # the period the GOV.UK way, as both print it
        return f"{verdicts.day(periods[e['id']]['start'])} to {verdicts.day(periods[e['id']]['end'])}"

    for e in shown:
        assert said(e) in pack, e["id"]
    pages = "".join(
        client.get(f"/claims/{claim_id}/lines/{line.id}/check/{slug}").get_data(as_text=True) for slug in slugs
    )
    for e in shown:
        assert said(e) in pages, e["id"]
    assert "<td> to </td>" not in pack


def test_a_continuous_employment_lines_other_problems_are_not_needed_not_missing(app, client, demo):
    """As on the closure summary (issue 9): a continuous-employment claim rests on the adult's
    work alone, so the verifier is told its unachieved problems are not needed, not "Not achieved"."""
    from portal import verdicts

    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    sign_in(client, demo["verifier"])
    with app.app_context():
        from portal.claims import tasks
        from portal.claims.spotcheck import pack_html

        lines = claim(app, claim_id).lines
        checked = 0
        for line in lines:
            ce = line.claim_type == "continuous_employment"
            unachieved = [p for p in line.verdict["problems"] if not p["achieved"]]
            statuses = {t.slug: t.status for t in tasks.task_list(line)}
            page = client.get(f"/claims/{claim_id}/lines/{line.id}").get_data(as_text=True)
            with app.test_request_context():
                pack = pack_html(db.session.get(ClaimLine, line.id), demo["verifier"])
            for p in unachieved:
                section = client.get(f"/claims/{claim_id}/lines/{line.id}/check/problem-{p['id']}").get_data(
                    as_text=True
                )
                if ce:
                    checked += 1
                    assert statuses[f"problem-{p['id']}"] == "Not needed"
                    assert verdicts.NOT_NEEDED in section
                    assert f"{p['title']}: not needed for a continuous-employment claim" in pack
                else:
                    assert statuses[f"problem-{p['id']}"] == "Not achieved"
                    assert verdicts.NOT_NEEDED not in section
            if ce:
                assert "Not achieved" not in page
    assert checked, "the demo claim has a continuous-employment line with a problem not achieved"


def test_a_line_of_another_claim_is_not_found(app, client, demo):
    claim_id = built_claim(app, client, demo)
    line_id = next(iter(lines_of(app, claim_id).values()))
    sign_in(client, demo["verifier"])
    assert client.get(f"/claims/{claim_id + 1}/lines/{line_id}").status_code == 404
    assert client.get(f"/claims/{claim_id}/lines/{line_id + 999}").status_code == 404


def test_two_claims_adding_the_same_family_at_once_cannot_both_win(app, demo):
    with app.app_context():
        window = db.session.scalar(sa.select(ClaimWindow).order_by(ClaimWindow.id))
        a = building.create_claim(window, demo["programme"])
        b = building.create_claim(window, demo["programme"])
        family_id = db.session.scalar(sa.select(Family.id).filter_by(ref="SUN-0142"))
        first, _ = building.add_families(a, [family_id], demo["programme"])
        second, refused = building.add_families(b, [family_id], demo["programme"])
        assert len(first) == 1 and second == [] and f"is already in claim {a.id}" in refused[0]
        assert {k: hold.claim_id for k, hold in ledger.held(window).by_family.items()} == {family_id: a.id}


def test_lines_are_fixed_once_the_sample_is_drawn(app, client, demo):
    claim_id = built_claim(app, client, demo)
    ids = lines_of(app, claim_id)
    assert (
        client.post(f"/claims/{claim_id}/lines/{ids['SUN-0142']}/remove", data={"reason": "Wrong window"}).status_code
        == 302
    )
    with app.app_context():
        assert [line.family_ref for line in approving.included(claim(app, claim_id))].count("SUN-0142") == 0
    draw(app, client, claim_id)
    response = client.post(
        f"/claims/{claim_id}/lines/{ids['SUF-EX-0001']}/remove", data={"reason": "x"}, follow_redirects=True
    )
    assert "so its lines are fixed" in response.get_data(as_text=True)
    with app.app_context():
        family_id = db.session.get(ClaimLine, ids["SUN-0142"]).family_id
    response = client.post(f"/claims/{claim_id}/add", data={"family_id": str(family_id)}, follow_redirects=True)
    assert "so its lines are fixed" in response.get_data(as_text=True)
    with app.app_context():
        sample = claim(app, claim_id).sample
        assert ids["SUN-0142"] not in sample.population and len(sample.population) == 7


@pytest.mark.parametrize(
    "query",
    [
        "page=999999",
        "page=-3",
        "sort=__class__",
        "status=evil&plan=../../etc",
        "lead=1%20OR%201=1",
        "order=sideways&claim_type=<script>",
    ],
)
def test_hostile_list_parameters_are_ignored(app, client, demo, query):
    window = demo_window(app)
    sign_in(client, demo["programme"])
    response = client.get(f"/claims/windows/{window.id}?{query}")
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)


def test_the_same_family_added_to_two_claims_at_once_goes_into_one(app, demo):
    import threading

    with app.app_context():
        window = db.session.scalar(sa.select(ClaimWindow).order_by(ClaimWindow.id))
        claim_ids = [building.create_claim(window, demo["programme"]).id for _ in range(2)]
        family_id = db.session.scalar(sa.select(Family.id).filter_by(ref="DUR-2018-0412"))
    results, barrier = {}, threading.Barrier(2)

    def add(claim_id):
        with app.app_context():
            barrier.wait()
            c = db.session.get(Claim, claim_id)
            added, refused = building.add_families(c, [family_id], demo["programme"])
            results[claim_id] = (len(added), refused)

    threads = [threading.Thread(target=add, args=(i,)) for i in claim_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(n for n, _ in results.values()) == [0, 1]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ClaimLine).filter_by(family_id=family_id)) == 1


def test_redeciding_as_of_today_lists_what_changed_since_the_claim(app, client, demo):
    from portal.models import Evidence, Review
    from portal.models.types import utcnow

    claim_id = built_claim(app, client, demo)
    ids = lines_of(app, claim_id)
    with app.app_context():
        line = db.session.get(ClaimLine, ids["SWK-0217"])
        assert redecide.as_of_today(line).changes == []
        family = line.family
        child = family.current_members[-1]
        child.withdrawn_at, child.withdrawn_reason = utcnow(), "Moved to live with her father"
        new = Evidence(
            family_id=family.id,
            outcome_id="1.1",
            member_ids=[],
            source="Police data",
            period_start=dt.date.today() - dt.timedelta(days=30),
            period_end=dt.date.today(),
            values={},
            statement="Later",
            submitted_by_id=demo["police"].id,
        )
        db.session.add(new)
        db.session.flush()
        db.session.add(Review(evidence_id=new.id, decision="accepted", reviewed_by_id=demo["lead"].id))
        db.session.commit()
        changes = redecide.as_of_today(db.session.get(ClaimLine, ids["SWK-0217"])).changes
        assert f"{child.name} is no longer recorded as a member of the family" in changes
        start, end = verdicts.day(new.period_start), verdicts.day(new.period_end)
        named = f"The evidence for outcome 1.1, \u201cPolice data\u201d for {start} to {end}: accepted after the claim"
        assert named in changes and not any(re.search(r"\be\d+\b|\d{4}-\d\d-\d\d", c) for c in changes), changes
        again = redecide.as_of_claim_date(db.session.get(ClaimLine, ids["SWK-0217"]))
        assert again.same_verdict and again.same_hash  # the claim itself is unchanged


def test_the_zip_rendered_on_several_processes_holds_every_summary_in_order(app, client, demo, monkeypatch):
    from portal.claims import files

    claim_id = built_claim(app, client, demo)
    monkeypatch.setitem(app.config, "CLAIM_PDF_WORKERS", 2)
    monkeypatch.setitem(app.config, "CLAIM_PDF_POOL_FROM", 1)
    steps = []
    with app.app_context():
        assert files.pdf_workers(len(TURNED_AROUND_PHASE_2)) == 2
        files.build_claim_files(claim_id, progress=lambda done, total: steps.append((done, total)))
        row = files.latest_file(claim(app, claim_id), "zip")
        archive = zipfile.ZipFile(files.file_path(row))
        refs = [line.family_ref for line in approving.included(claim(app, claim_id))]
    total = len(refs) + 2
    assert steps == [(n, total) for n in range(2, total + 1)]
    summaries = [n for n in archive.namelist() if n.startswith("closure-summaries/")]
    assert summaries == [f"closure-summaries/{ref}-closure-summary.pdf" for ref in refs]  # the lines' order
    assert all(archive.read(n).startswith(b"%PDF") for n in summaries)


def test_a_family_added_with_the_same_figures_as_a_line_of_the_claim_is_flagged_naming_it(app, demo):
    from portal.claims.snapshot import figures_index, flag_shared_figures

    with app.app_context():
        window = db.session.get(ClaimWindow, demo_window(app).id)
        pm = db.session.merge(demo["programme"])
        new = building.create_claim(window, pm)
        swk = db.session.scalar(sa.select(Family.id).filter_by(ref="SWK-0217"))
        added, refused = building.add_families(new, [swk], pm)
        assert refused == [] and len(added) == 1
        decided = next(r.decided for r in claimable.decided_rows(window, [swk]))
        # The stored line gives the same figures as deciding the family (the stored verdict's JSON is read).
        db.session.expire_all()  # add_families reads the claim's lines afresh; so does this test
        stored = dict(building._line_figures(db.session.get(Claim, new.id)))
        assert stored == {"SWK-0217": decided.figures} and decided.figures
        # Another family whose evidence has the same figures is flagged, naming the line's family.
        other = type(decided)(type("F", (), {"ref": "SUN-9999"})(), {}, decided.verdict, [], [], decided.figures)
        flag_shared_figures([other], figures_index(stored.items()))
        assert [f.code for f in other.flags] == ["perfect_numbers", "perfect_numbers"]
        assert "of family SWK-0217 in the same claim" in other.flags[0].text


class _ListRows(HTMLParser):
    """The claimable list's rows, each as {column label: the cell's text}."""

    def __init__(self):
        super().__init__()
        self.rows, self._label = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.rows.append({})
        elif tag == "td" and "data-label" in attrs:
            self._label = attrs["data-label"]
            self.rows[-1][self._label] = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self._label = None

    def handle_data(self, data):
        if self._label:
            self.rows[-1][self._label] += data


def when_claimable(client, url) -> dict:
    """Each listed family's reference and its "Earliest claim date" cell."""
    parser = _ListRows()
    parser.feed(client.get(url).get_data(as_text=True))
    return {
        " ".join(row["Reference"].split()): " ".join(row["Earliest claim date"].split()) for row in parser.rows if row
    }


NOT_CLAIMABLE_WORDS = {"None: the family is not eligible", "Not known yet: it depends on what is still missing"}


def test_every_row_of_the_claimable_list_says_when_the_family_can_be_claimed(app, client, demo):
    """Never a blank cell: the list used to leave claimable families' dates empty."""
    window = demo_window(app)
    sign_in(client, demo["programme"])
    said = when_claimable(client, f"/claims/windows/{window.id}")
    assert len(said) > len(TURNED_AROUND_PHASE_2) and all(said.values()), said
    assert {ref for ref, text in said.items() if text == "By the claim date"} == TURNED_AROUND_PHASE_2
    assert said["SUN-0207"] in NOT_CLAIMABLE_WORDS
    not_claimable = when_claimable(client, f"/claims/windows/{window.id}?status=not_claimable")
    assert not_claimable and set(not_claimable.values()) <= NOT_CLAIMABLE_WORDS
    claim_id = built_claim(app, client, demo)
    held = set(lines_of(app, claim_id))
    said = when_claimable(client, f"/claims/windows/{window.id}")
    assert held and {ref for ref, text in said.items() if text == "Not applicable: already in a claim"} == held


def test_a_family_not_claimable_yet_says_the_date_the_engine_gives_the_govuk_way():
    verdict = SimpleNamespace(turned_around=False, eligible=True, earliest_claim_date=dt.date(2027, 3, 7))
    row = claimable.Row(SimpleNamespace(verdict=verdict), "not_yet", "", verdict.earliest_claim_date)
    assert row.earliest_text == "7 March 2027"


def test_a_decision_made_on_a_stale_form_does_not_replace_the_one_made_meanwhile(app, client, demo):
    """Two tabs (or two verifiers) open the decision form; one rejects, then the other verifies.
    The second saw no decision, so it is refused: it must not silently replace the rejection."""
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    sign_in(client, demo["verifier"])
    with app.app_context():
        line_id = claim(app, claim_id).sample.chosen[0]
    url = f"/claims/{claim_id}/lines/{line_id}/decision"
    form = client.get(url).get_data(as_text=True)
    seen = re.search(r'name="replaces"[^>]*value="([^"]*)"', form) or re.search(
        r'value="([^"]*)"[^>]*name="replaces"', form
    )
    assert seen and seen.group(1) == ""
    rejected = {
        "decision": "rejected",
        "reason_code": "evidence_insufficient",
        "note": "Statement only",
        "replaces": "",
    }
    assert client.post(url, data=rejected).status_code == 302
    stale = client.post(url, data={"decision": "verified", "replaces": ""}, follow_redirects=True)
    assert "was decided meanwhile" in stale.get_data(as_text=True)
    with app.app_context():
        decisions = db.session.scalars(sa.select(LineDecision).filter_by(line_id=line_id)).all()
        assert [d.decision for d in decisions] == ["rejected"]
        current = decisions[0].id
        refusals = db.session.scalars(sa.select(AuditEvent).filter_by(action="claim.action-refused")).all()
        assert refusals and refusals[-1].detail == f"POST /claims/{claim_id}/lines/{line_id}/decision"
    form = client.get(url).get_data(as_text=True)
    assert f'value="{current}"' in form
    for hostile in ("abc", "-1", str(current + 1), " " * 3):
        response = client.post(url, data={"decision": "verified", "replaces": hostile}, follow_redirects=True)
        assert "was decided meanwhile" in response.get_data(as_text=True), hostile
    assert client.post(url, data={"decision": "verified", "replaces": str(current)}).status_code == 302
    with app.app_context():
        decisions = db.session.scalars(sa.select(LineDecision).filter_by(line_id=line_id).order_by(LineDecision.id))
        assert [(d.decision, d.replaces_id) for d in decisions] == [("rejected", None), ("verified", current)]


def test_a_line_whose_records_changed_since_it_was_added_is_decided_by_a_verifier_before_approval(app, client, demo):
    """The claim's closure summaries are made from the records as they stand: a line added on records
    that said "turned around", and no longer do, must not be claimed without a verifier seeing it."""
    from portal.rules import engine
    from portal.rules.plan import load_plans

    claim_id = built_claim(app, client, demo)
    sample = draw(app, client, claim_id)
    identified_on = dt.date(2025, 1, 6)

    def turned_around_with(line, problem):
        """The line's case as claimed with one more problem, decided as of the claim date: a problem
        can already be achieved by outcomes the family meets (Suffolk's problem 3 counts 2.1)."""
        case = {**line.case_snapshot}
        added = {"problem": problem.id, "indicator": problem.indicators[0].id, "stage": "identification"}
        case["problems"] = [*case["problems"], {**added, "identified_on": identified_on.isoformat()}]
        return engine.evaluate(load_plans()[line.plan_id], case, line.claim.window.claim_date).turned_around

    with app.app_context():
        line, problem = next(
            (line, problem)
            for line in claim(app, claim_id).lines
            if line.id not in sample.chosen and line.claim_type != "continuous_employment"
            for problem in load_plans()[line.plan_id].problems
            if problem.id not in {p["problem"] for p in line.case_snapshot["problems"]}
            and not turned_around_with(line, problem)
        )
        line_id, ref, family = line.id, line.family_ref, line.family
        f.add_problem(family, demo["lead"], problem.id, problem.indicators[0].id, identified_on=identified_on)
    decide_all(app, client, demo, claim_id)
    sign_in(client, demo["programme2"])
    page = client.get(f"/claims/{claim_id}/check").get_data(as_text=True)
    assert f"{ref}&#39;s records have changed since it was added to the claim" in page
    assert "Put the changed lines in the sample" in page and "Approve the claim" not in page
    refused = client.post(f"/claims/{claim_id}/approve", follow_redirects=True).get_data(as_text=True)
    assert "records have changed since it was added" in refused
    with app.app_context():
        assert claim(app, claim_id).status == "draft"
    assert client.post(f"/claims/{claim_id}/sample/changed").status_code == 302
    with app.app_context():
        grown = claim(app, claim_id).sample
        assert grown.kind == "changed" and ref in grown.reason
        assert set(sample.chosen) | {line_id} == set(grown.chosen)  # every line sampled before stays in
        assert sampling.reproduces(grown)
    again = client.post(f"/claims/{claim_id}/sample/changed", follow_redirects=True).get_data(as_text=True)
    assert "No line outside the sample has records changed" in again
    sign_in(client, demo["verifier"])
    decision = {"decision": "rejected", "reason_code": "not_eligible", "note": "A new problem is open"}
    assert client.post(f"/claims/{claim_id}/lines/{line_id}/decision", data=decision).status_code == 302
    sign_in(client, demo["programme2"])
    page = client.get(f"/claims/{claim_id}/check").get_data(as_text=True)
    assert "records have changed" not in page and "The family was not eligible" in page
    assert client.post(f"/claims/{claim_id}/sample/widen").status_code == 302  # 1 of 4 rejected: 25%
    decide_all(app, client, demo, claim_id)
    sign_in(client, demo["programme2"])
    assert client.post(f"/claims/{claim_id}/approve").status_code == 302
    with app.app_context():
        assert claim(app, claim_id).status == "approved"
        assert ref not in {line.family_ref for line in approving.included(claim(app, claim_id))}


class _Visible(HTMLParser):
    """The text a person reads on a page: no attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.text, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def visible(body: str) -> str:
    parser = _Visible()
    parser.feed(body)
    return " ".join(" ".join(parser.text).split())


# What a verifier should never have to decode: ISO dates, the engine's ids, codes with underscores.
CODES = re.compile(r"\b\d{4}-\d\d-\d\d\b|\b[em]\d+\b|\b[a-z]+_[a-z_]+\b")


def test_a_verifiers_pages_and_the_spot_check_pack_speak_in_words(app, client, demo):
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    decide_all(app, client, demo, claim_id, reject={0})
    with app.app_context():
        c = claim(app, claim_id)
        ce_line = next(line.id for line in c.lines if line.claim_type == "continuous_employment")
        pages = []
        for line in c.lines:
            pages.append(f"/claims/{claim_id}/lines/{line.id}")
            pages += [f"/claims/{claim_id}/lines/{line.id}/check/{t.slug}" for t in tasks.task_list(line)[:-1]]
    sign_in(client, demo["verifier"])
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible(response.get_data(as_text=True))
        assert not CODES.findall(text), (
            url,
            [text[max(0, m.start() - 120) : m.end() + 40] for m in CODES.finditer(text)],
        )
    essentials = visible(client.get(f"/claims/{claim_id}/lines/{ce_line}/check/essentials").get_data(as_text=True))
    assert "Missing:" not in essentials
    line_page = visible(client.get(f"/claims/{claim_id}/lines/{ce_line}").get_data(as_text=True))
    assert "Essentials (lead professional, assessment, plan) Missing" not in line_page
    pdf = client.get(f"/claims/{claim_id}/lines/{ce_line}/spot-check.pdf")
    assert pdf.status_code == 200
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    found = [code for code in CODES.findall(text) if code != "sha256"]
    assert not found, found
    sign_in(client, demo["programme2"])
    check = visible(client.get(f"/claims/{claim_id}/check").get_data(as_text=True))
    assert "The evidence does not show the outcome" in check and not CODES.findall(check)


def test_no_claim_is_started_in_a_window_before_its_claim_date(app, client, demo):
    """Deciding as of a date not reached yet would read a sustainment window still running as ended."""
    from portal.claims.windows import open_window

    future = dt.date.today() + dt.timedelta(days=30)
    with app.app_context():
        pm = db.session.merge(demo["programme"])
        window_id = open_window(pm, "Next quarter", future, PHASE_2, 10, 25, 3, 84).id
    sign_in(client, demo["programme"])
    page = client.get(f"/claims/windows/{window_id}").get_data(as_text=True)
    assert "claims in it can be started and built from that day" in page and "Start a claim" not in page
    response = client.post(f"/claims/windows/{window_id}/claims", follow_redirects=True)
    assert "claims in it can be started and built from that day" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Claim).filter_by(window_id=window_id)) == 0
        refusal = db.session.scalars(sa.select(AuditEvent).filter_by(action="claim.action-refused")).all()[-1]
        assert refusal.detail == f"POST /claims/windows/{window_id}/claims"  # the reason is on the page


def test_claim_form_messages_name_the_field_once(app, client, demo):
    sign_in(client, demo["programme"])
    form = {
        "name": "Spring",
        "claim_date-day": "1",
        "claim_date-month": "1",
        "claim_date-year": "2026",
        "plans": PHASE_2,
        "tolerance_percent": "10",
        "sample_percent": "1.5",
        "sample_minimum": "3",
        "minimum_intervention_days": "84",
    }
    body = client.post("/claims/windows/new", data=form).get_data(as_text=True)
    summary = body.split("govuk-error-summary__list")[1].split("</ul>")[0]
    assert summary.count("must be a whole number from") == 1, summary
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    with app.app_context():
        line_id = claim(app, claim_id).sample.chosen[0]
    sign_in(client, demo["verifier"])
    bad = {"decision": "rejected", "reason_code": "made_up", "note": "x"}
    body = client.post(f"/claims/{claim_id}/lines/{line_id}/decision", data=bad).get_data(as_text=True)
    assert "If you are rejecting it, why: choose one of the options" in body
    sign_in(client, demo["programme"])
    with app.app_context():
        other = next(i for i in claim(app, claim_id).sample.population if i != line_id)
    removed = client.post(f"/claims/{claim_id}/lines/{other}/remove", data={"reason": "a\x01b"}).get_data(as_text=True)
    assert "Reason must not include control characters other than tabs and line breaks" in removed


def test_a_family_held_by_an_ended_line_and_a_line_in_a_claim_is_in_that_claim_whatever_the_order():
    ended = ledger.Hold(1, "SWK-0217", ledger.WITHDRAWN, dt.date(2026, 11, 29))
    current = ledger.Hold(3, "SWK-0217", ledger.IN_CLAIM, dt.date(2027, 2, 27))
    for order in ((ended, current), (current, ended)):
        holds: dict = {}
        for hold in order:
            ledger._keep(holds, 17, hold)
        assert holds[17] is current, order


def test_every_claim_audit_detail_holds_ids_and_action_words_only(app, client, demo):
    """Admins read the audit log and see no case data (docs/security.md): what a programme manager
    or a verifier types (a window's name, a reason, a note) and what a refusal tells them on the
    page (references, the engine's words, a verifier's name) is kept in the claim's own rows, never
    in an audit detail."""
    from portal.audit import details

    typed = {
        "window": "Quarter of the Marmalade claims",
        "remove": "Removed on the advice of Brambleworth",
        "redraw": "Seed shown to Fennimore",
        "note": "Statement reads like Kettleburrow copied it",
        "withdraw": "Spot check found Thistlewhaite's attendance",
    }
    sign_in(client, demo["programme"])
    window_form = WINDOW_FORM | {"name": typed["window"]}
    assert client.post("/claims/windows/new", data=window_form).status_code == 302
    claim_id = built_claim(app, client, demo)
    ids = lines_of(app, claim_id)
    with app.app_context():
        refs = set(db.session.scalars(sa.select(Family.ref)))
        not_claimable = db.session.scalar(sa.select(Family.id).where(Family.ref.not_in(list(ids))).limit(1))
        claimed_elsewhere = db.session.get(ClaimLine, ids["SUN-0142"]).family_id
    client.post(f"/claims/{claim_id}/add", data={"family_id": str(not_claimable)})  # refused: not turned around
    client.post(f"/claims/{claim_id}/lines/{ids['SUN-0142']}/remove", data={"reason": typed["remove"]})
    draw(app, client, claim_id)
    client.post(f"/claims/{claim_id}/add", data={"family_id": str(claimed_elsewhere)})  # refused: lines fixed
    assert client.post(f"/claims/{claim_id}/sample/redraw", data={"reason": typed["redraw"]}).status_code == 302
    with app.app_context():
        first = claim(app, claim_id).sample.chosen[0]
    sign_in(client, demo["verifier"])
    decided = client.post(
        f"/claims/{claim_id}/lines/{first}/decision", data={"decision": "verified", "note": typed["note"]}
    )
    assert decided.status_code == 302
    client.post(f"/claims/{claim_id}/lines/{first}/decision", data={"decision": "verified"})  # refused: decided already
    decide_all(app, client, demo, claim_id)
    sign_in(client, demo["programme2"])
    assert client.post(f"/claims/{claim_id}/approve").status_code == 302
    assert client.post(f"/claims/{claim_id}/submit").status_code == 302
    sign_in(client, demo["programme"])
    withdrawn = next(line_id for ref, line_id in ids.items() if ref != "SUN-0142")
    assert (
        client.post(f"/claims/{claim_id}/lines/{withdrawn}/withdraw", data={"reason": typed["withdraw"]}).status_code
        == 302
    )
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.startswith("claim."))).all()
        names = set(db.session.scalars(sa.select(type(demo["verifier"]).name)))
        assert {"claim.window.open", "claim.line.remove", "claim.sample.redrawn", "claim.line.decide"} <= {
            e.action for e in events
        }
        assert {"claim.line.withdraw", "claim.action-refused"} <= {e.action for e in events}
        withheld = [(e.action, e.detail) for e in events if not details.is_safe(e.detail)]
        assert withheld == [], "\n".join(f"{a}: {d}" for a, d in withheld)
        leaked = [
            (e.action, e.detail)
            for e in events
            for text in [*typed.values(), *refs, *names]
            if text and text in e.detail
        ]
        assert leaked == []


def test_nobody_approves_a_claim_whose_sample_they_redrew_or_whose_lines_they_decided(app, client, demo):
    """Segregation of duties beyond building: choosing what the claim is checked on (removing a line,
    redrawing the sample) or checking it (deciding lines, as a verifier since made programme manager)
    is work on the claim too, and its approver must be someone else."""
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    sign_in(client, demo["programme2"])  # not a builder: redraws the sample
    assert client.post(f"/claims/{claim_id}/sample/redraw", data={"reason": "Seed seen"}).status_code == 302
    decide_all(app, client, demo, claim_id)
    sign_in(client, demo["programme2"])
    refused = client.post(f"/claims/{claim_id}/approve", follow_redirects=True).get_data(as_text=True)
    assert f"You removed lines from claim {claim_id} or redrew its sample, so another programme manager" in refused
    with app.app_context():
        assert db.session.get(Claim, claim_id).approval is None
        verifier = db.session.get(type(demo["verifier"]), demo["verifier"].id)
        verifier.role = "programme_manager"  # the verifier who decided the lines, promoted since
        db.session.commit()
    sign_in(client, demo["verifier"])
    refused = client.post(f"/claims/{claim_id}/approve", follow_redirects=True).get_data(as_text=True)
    assert f"You decided lines of claim {claim_id} as a verifier, so another programme manager" in refused
    with app.app_context():
        assert db.session.get(Claim, claim_id).approval is None
        refusals = db.session.scalars(sa.select(AuditEvent.detail).filter_by(action="claim.action-refused")).all()
        assert refusals.count(f"POST /claims/{claim_id}/approve") == 2
        # And the programme manager who drew the sample, made verifier, does not decide its lines.
        drawer = db.session.get(type(demo["programme2"]), demo["programme2"].id)
        drawer.role = "verifier"
        db.session.commit()
        line = db.session.get(ClaimLine, db.session.get(Claim, claim_id).sample.chosen[0])
        assert "or redrew its sample, so another verifier must decide its lines" in verifying.why_not_decide(
            drawer, line
        )


def test_the_family_page_says_a_family_was_claimed_for_beside_the_engines_earliest_claim_date(app, client, demo):
    """The engine says "Now: the family can be claimed for" from the records; a family already in a
    submitted claim must not read as claimable again on its own page (a browser walk found it did)."""
    claim_id = submitted_claim(app, client, demo)
    ids = lines_of(app, claim_id)
    with app.app_context():
        claimed, withdrawn = (db.session.get(ClaimLine, ids[ref]).family_id for ref in ("SUN-0142", "SWK-0217"))
    sign_in(client, demo["programme"])
    client.post(f"/claims/{claim_id}/lines/{ids['SWK-0217']}/withdraw", data={"reason": "Spot check"})
    today = verdicts.day(dt.date.today())
    for role in ("programme", "verifier"):
        sign_in(client, demo[role])
        page = client.get(f"/families/{claimed}").get_data(as_text=True)
        assert f"Claimed for in claim {claim_id}, submitted on {today}" in page, role
        page = client.get(f"/families/{withdrawn}").get_data(as_text=True)
        assert f"Withdrawn from claim {claim_id} on {today}" in page, role
    # "Check the verdict again" (htmx) swaps the verdict block: the claims come with it.
    again = client.get(f"/families/{claimed}/verdict", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f"Claimed for in claim {claim_id}" in again
    with app.app_context():
        unclaimed = db.session.scalar(
            sa.select(Family.id).where(Family.id.not_in(sa.select(ClaimLine.family_id))).limit(1)
        )
    assert 'data-fact="Claims"' not in client.get(f"/families/{unclaimed}").get_data(as_text=True)


def test_a_family_pages_claim_lines_are_read_when_its_verdicts_statement_counted_some(app, client, demo):
    """The verdict's statement counts the family's claim lines; the lines are read as rows only when
    there are some. With the verdict stored (not decided again), a claimed family's page still says
    so, and an unclaimed family's page sends no statement for claim lines."""
    from tests.test_audit_commits import counted

    claim_id = submitted_claim(app, client, demo)
    ids = lines_of(app, claim_id)
    with app.app_context():
        claimed = db.session.get(ClaimLine, ids["SUN-0142"]).family_id
        unclaimed = db.session.scalar(
            sa.select(Family.id).where(Family.id.not_in(sa.select(ClaimLine.family_id))).limit(1)
        )
    sign_in(client, demo["verifier"])
    for family_id in (claimed, unclaimed):
        client.get(f"/families/{family_id}")  # the verdict decided and stored, if it was stale
    with counted(app) as seen:
        page = client.get(f"/families/{claimed}").get_data(as_text=True)
    assert f"Claimed for in claim {claim_id}, submitted on" in page
    assert any(s.lstrip().startswith("SELECT claim_line.") for s in seen.statements)
    with counted(app) as seen:
        page = client.get(f"/families/{unclaimed}").get_data(as_text=True)
    assert 'data-fact="Claims"' not in page
    assert not any(s.lstrip().startswith("SELECT claim_line.") for s in seen.statements)
    assert any("claim_lines" in s for s in seen.statements)  # counted with the verdict
    # A stored verdict of an earlier day is decided again on the page, and carries no count: the lines are read.
    with app.app_context():
        db.session.execute(
            sa.update(FamilyVerdict).where(FamilyVerdict.family_id == claimed).values(as_of=dt.date(2020, 1, 1))
        )
        db.session.commit()
    page = client.get(f"/families/{claimed}").get_data(as_text=True)
    assert f"Claimed for in claim {claim_id}, submitted on" in page


def test_reopening_a_case_in_a_submitted_claim_warns_naming_the_claim(app, client, demo):
    claim_id = submitted_claim(app, client, demo)
    ids = lines_of(app, claim_id)
    with app.app_context():
        lines = [db.session.get(ClaimLine, line_id) for line_id in ids.values()]
        family = next(line.family for line in lines if line.family.closed_on is not None)
        family_id, lead = family.id, db.session.get(type(demo["lead"]), family.lead_professional_id)
    sign_in(client, lead)
    page = client.get(f"/families/{family_id}/reopen").get_data(as_text=True)
    assert f"This family is in a claim: Claimed for in claim {claim_id}, submitted on" in page
    assert "Reopening the case changes the records the claim was made on" in page
    # Once the line is withdrawn (clawed back), no claim rests on the records: no warning.
    line_id = next(i for i in ids.values() if db_line_family(app, i) == family_id)
    sign_in(client, demo["programme"])
    withdrawn = client.post(f"/claims/{claim_id}/lines/{line_id}/withdraw", data={"reason": "Spot check"})
    assert withdrawn.status_code == 302
    sign_in(client, lead)
    page = client.get(f"/families/{family_id}/reopen").get_data(as_text=True)
    assert "This family is in a claim" not in page and "Reopen the case" in page


def db_line_family(app, line_id):
    with app.app_context():
        return db.session.get(ClaimLine, line_id).family_id


def test_a_reason_chosen_with_verified_is_refused_not_dropped(app, client, demo):
    claim_id = built_claim(app, client, demo)
    sample = draw(app, client, claim_id)
    sign_in(client, demo["verifier"])
    url = f"/claims/{claim_id}/lines/{sample.chosen[0]}/decision"
    page = client.post(url, data={"decision": "verified", "reason_code": "not_sustained"}).get_data(as_text=True)
    assert "Choose a reason only when you reject the line, or choose Rejected" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LineDecision)) == 0


def test_a_programme_managers_to_do_list_asks_to_widen_a_failing_sample_and_to_submit_an_approved_claim(
    app, client, demo
):
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    decide_all(app, client, demo, claim_id, reject=(0,))  # 1 of 3 rejected: above the 10% tolerance
    sign_in(client, demo["programme2"])
    todo = " ".join(client.get("/to-do").get_data(as_text=True).split())
    assert f"Claim {claim_id} (" in todo and "tolerance: widen the sample by" in todo
    assert client.post(f"/claims/{claim_id}/sample/widen").status_code == 302
    decide_all(app, client, demo, claim_id)
    sign_in(client, demo["programme2"])
    assert client.post(f"/claims/{claim_id}/approve").status_code == 302
    todo = " ".join(client.get("/to-do").get_data(as_text=True).split())
    assert "approved, not submitted yet" in todo and f"Submit claim {claim_id}" in todo
    assert client.post(f"/claims/{claim_id}/submit").status_code == 302
    assert "approved, not submitted yet" not in client.get("/to-do").get_data(as_text=True)


@pytest.mark.parametrize("sort", ["lead", "plan", "name"])
def test_the_claimable_list_orders_ties_by_reference(app, client, demo, sort):
    window = demo_window(app)
    sign_in(client, demo["programme"])
    page = client.get(f"/claims/windows/{window.id}?sort={sort}").get_data(as_text=True)
    with app.app_context():
        rows = claimable.decided_rows(db.session.get(ClaimWindow, window.id))
        key = {"lead": lambda r: r.family.lead_professional.name, "plan": lambda r: r.family.plan_id}
        key["name"] = lambda r: r.family.name.casefold()
        expected = [r.family.ref for r in sorted(rows, key=lambda r: (key[sort](r), r.family.ref))]
    listed = re.findall(r'<a class="govuk-link" href="/families/\d+">([A-Z0-9-]+)</a>', page)
    assert listed == expected[: len(listed)] and listed


def test_the_line_page_says_whether_another_line_holds_the_family_not_just_check(app, client, demo):
    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    ids = lines_of(app, claim_id)
    sign_in(client, demo["verifier"])
    page = " ".join(client.get(f"/claims/{claim_id}/lines/{ids['SUN-0142']}").get_data(as_text=True).split())
    found = re.search(r"Double claim</a>.*?<strong[^>]*>([^<]+)</strong>", page) or re.search(
        r"Double claim.*?govuk-tag[^>]*>\s*([^<]+?)\s*<", page
    )
    assert found and found.group(1).strip() == "None found"


def test_the_verifiers_to_do_count_asks_who_built_and_chose_a_claim_once_not_once_for_each_line(
    app, client, demo, monkeypatch
):
    # On every page a verifier opens, the navigation counts the sampled lines waiting for them. Asking
    # the whole claim who built it and who chose its sample for each line made the count cost the
    # square of the claim's lines: 185 ms on every page for a 500-line claim (docs/performance.md).
    from portal.todo import lists

    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    asked = {"builders": 0, "choosers": 0}  # looked up where verifying uses them
    for name in asked:
        original = getattr(verifying, name)

        def counted(claim, name=name, original=original):
            asked[name] += 1
            return original(claim)

        monkeypatch.setattr(verifying, name, counted)
    with app.app_context():
        c = claim(app, claim_id)
        sampled = [line for line in c.lines if line.id in c.sample.chosen]
        assert len(sampled) > 1
        verifier = db.session.get(User, demo["verifier"].id)
        counted_items = lists.count_for(verifier)
        assert counted_items == len(sampled)
        assert asked == {"builders": 1, "choosers": 1}  # one draft claim
        assert counted_items == sum(len(s.items) for s in lists.sections_for(verifier) if s.counted)
        # The same rule as deciding one line: the claim's builder, made a verifier, has nothing to decide.
        builder = db.session.get(User, demo["programme"].id)
        builder.role = "verifier"
        db.session.commit()
        assert lists.count_for(builder) == 0
        assert all("You built claim" in verifying.why_not_decide(builder, line) for line in sampled)
