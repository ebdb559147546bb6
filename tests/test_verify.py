"""/verify: a verification code says whether its summary still matches the records, and what
changed since; only for those who may check that family, with one "not found" for everyone else."""

import datetime as dt
import shutil
import time

import pytest

from portal.closure import snapshot as snapshots
from portal.demo import load_demo
from portal.demo.people import DEMO_PASSWORD, email
from portal.extensions import db
from portal.models import (
    AuditEvent,
    CaseClosure,
    ClosureSummary,
    Evidence,
    Family,
    IdentifiedProblem,
    Review,
    User,
)
from portal.rules.plan import frameworks_dir
from tests.factories import comparable_page, make_user, sign_in

CLOSED = "HERTS-EX-001"
UNDER_REVIEW = "SUF-EX-0002"


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo(dt.date.today())
    return app


def _family(ref):
    return db.session.scalar(db.select(Family).filter_by(ref=ref))


def _user(local_part):
    return db.session.scalar(db.select(User).filter_by(email=email(local_part)))


def _as(client, app, local_part):
    client.post("/sign-out")
    with app.app_context():
        sign_in(client, _user(local_part), password=DEMO_PASSWORD)


def _download(client, app, ref, who="verifier"):
    _as(client, app, who)
    with app.app_context():
        family_id = _family(ref).id
    response = client.get(f"/families/{family_id}/closure-summary.pdf")
    assert response.status_code == 200
    return response.headers["X-Verification-Code"]


def _check(client, code):
    response = client.get(f"/verify/{code}")
    return response.status_code, response.get_data(as_text=True)


def test_a_fresh_summary_matches_and_says_who_made_it(demo, client):
    code = _download(client, demo, CLOSED, who="lead")
    _as(client, demo, "verifier")
    status, page = _check(client, code)
    assert status == 200
    assert "This summary matches the records" in page and "Matches" in page
    assert "Jenny Clarke" in page and CLOSED in page and "What changed since" not in page
    with demo.app_context():
        event = db.session.scalar(db.select(AuditEvent).filter_by(action="closure.verify"))
        assert event.family_id == _family(CLOSED).id and event.detail.endswith("matches")


def test_when_each_copy_was_made_is_said_in_uk_time_as_on_every_other_page(demo, client):
    """23:30 UTC on 1 July is 00:30 BST on 2 July: the day as well as the hour a council reads."""
    code = _download(client, demo, CLOSED, who="lead")
    with demo.app_context():
        first = db.session.scalar(db.select(ClosureSummary).filter_by(code=code.replace("-", "")))
        db.session.add(  # another download of the same summary, recorded on a summer night
            ClosureSummary(
                code=first.code,
                family_id=first.family_id,
                snapshot=first.snapshot,
                plan_hash=first.plan_hash,
                as_of=first.as_of,
                generated_by_id=first.generated_by_id,
                generated_at=dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC),
            )
        )
        db.session.commit()
    _as(client, demo, "verifier")
    status, page = _check(client, code)
    assert status == 200
    assert "2 July 2026 at 00:30 BST by Jenny Clarke" in page
    assert "UTC" not in page


def test_the_form_takes_a_typed_code_in_any_case_with_spaces(demo, client):
    code = _download(client, demo, CLOSED)
    response = client.get("/verify", query_string={"code": f"  {code.lower().replace('-', ' ')} "})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{code}")
    assert "This summary matches the records" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "Enter the verification code"),
        ("   ", "Enter the verification code"),
        ("ABCD", "12 letters and numbers"),
        ("UUUU-UUUU-UUUU", "12 letters and numbers"),
        ("<script>alert(1)</script>" * 30, "12 letters and numbers"),
    ],
)
def test_a_bad_code_gets_a_clear_error_on_the_field(demo, client, typed, message):
    _as(client, demo, "verifier")
    response = client.get("/verify", query_string={"code": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 200  # as every form in the portal: the page, with its errors
    assert "There is a problem" in page and 'href="#code"' in page and message in page
    assert "<title>Error: " in page and "<script>alert" not in page


def test_a_code_too_long_for_any_query_is_refused_with_a_message_naming_it(demo, client):
    _as(client, demo, "verifier")
    response = client.get("/verify", query_string={"code": "<script>alert(1)</script>" * 200})
    page = response.get_data(as_text=True)
    assert response.status_code == 400  # the boundary every query parameter has (portal/boundaries)
    assert "1000 characters or fewer" in page
    assert "<title>Error: " in page and "<script>alert" not in page


def test_after_new_evidence_and_changes_it_lists_what_changed(demo, client):
    code = _download(client, demo, UNDER_REVIEW)
    with demo.app_context():
        family = _family(UNDER_REVIEW)
        lead = family.lead_professional
        waiting = next(
            e for e in db.session.scalars(db.select(Evidence).filter_by(family_id=family.id)) if e.status == "submitted"
        )
        db.session.add(Review(evidence_id=waiting.id, decision="accepted", reviewed_by_id=lead.id))
        db.session.add(
            Evidence(
                family_id=family.id,
                outcome_id="2.1",
                member_ids=[],
                source="School census",
                period_start=dt.date(2025, 1, 6),
                period_end=dt.date(2025, 7, 18),
                values={},
                statement="New",
                submitted_by_id=lead.id,
            )
        )
        db.session.add(
            IdentifiedProblem(
                family_id=family.id,
                problem_id="1",
                indicator_id="a",
                stage="identification",
                identified_on=dt.date(2025, 2, 3),
                recorded_by_id=lead.id,
            )
        )
        db.session.add(CaseClosure(family_id=family.id, closed_on=dt.date.today(), recorded_by_id=lead.id))
        db.session.commit()
    status, page = _check(client, code)
    assert status == 200
    assert "The records have changed since this summary was made" in page and "Changed" in page
    assert "Evidence added: \u201cSchool census\u201d for outcome 2.1, 6 January 2025 to 18 July 2025." in page
    assert "Evidence reviewed: " in page and "was accepted by Jenny Clarke" in page
    assert "Problem or need added: 1 (a), identified on 3 February 2025." in page
    assert f"The closure changed: open then, closed on {dt.date.today().day} " in page


def test_a_correction_and_a_withdrawn_member_are_listed(demo, client):
    code = _download(client, demo, UNDER_REVIEW)
    with demo.app_context():
        family = _family(UNDER_REVIEW)
        lead = family.lead_professional
        old = next(
            e for e in db.session.scalars(db.select(Evidence).filter_by(family_id=family.id)) if e.status == "submitted"
        )
        db.session.add(
            Evidence(
                family_id=family.id,
                outcome_id=old.outcome_id,
                member_ids=old.member_ids,
                source=old.source,
                period_start=old.period_start,
                period_end=old.period_end,
                values=old.values,
                statement="Corrected",
                submitted_by_id=lead.id,
                replaces_id=old.id,
                version=2,
            )
        )
        member = family.current_members[0]
        member.withdrawn_at, member.withdrawn_reason = dt.datetime.now(dt.UTC), "Recorded in error"
        db.session.commit()
        name = member.name
    _, page = _check(client, code)
    assert "Evidence corrected: " in page and "(version 2)" in page
    assert f"Family member withdrawn: {name}." in page


def test_the_review_of_evidence_added_since_is_listed_so_the_checker_knows_whether_it_counts(demo, client):
    """The summary knew nothing of the evidence; its acceptance is what makes it count now."""
    code = _download(client, demo, UNDER_REVIEW)
    with demo.app_context():
        family = _family(UNDER_REVIEW)
        lead = family.lead_professional
        new = Evidence(
            family_id=family.id,
            outcome_id="2.1",
            member_ids=[],
            source="School census",
            period_start=dt.date(2025, 1, 6),
            period_end=dt.date(2025, 7, 18),
            values={},
            statement="New",
            submitted_by_id=lead.id,
        )
        db.session.add(new)
        db.session.flush()
        db.session.add(Review(evidence_id=new.id, decision="returned", reason="Dates", reviewed_by_id=lead.id))
        db.session.commit()
    _, page = _check(client, code)
    said = "\u201cSchool census\u201d for outcome 2.1, 6 January 2025 to 18 July 2025"
    assert f"Evidence added: {said}." in page
    assert f"Evidence reviewed: {said} (version 1) was returned by" in page


def test_a_changed_plan_file_is_listed(demo, client, tmp_path, monkeypatch):
    code = _download(client, demo, CLOSED)
    copy = tmp_path / "frameworks"
    shutil.copytree(frameworks_dir(), copy)
    with open(copy / "hertfordshire-2022.yaml", "a") as plan:
        plan.write("\n# edited by the council\n")
    monkeypatch.setenv("PORTAL_FRAMEWORKS", str(copy))
    _, page = _check(client, code)
    assert "The plan file changed since this summary was made." in page


def test_a_superseded_code_still_resolves_and_names_the_summary_that_replaced_it(demo, client):
    old = _download(client, demo, CLOSED)
    with demo.app_context():
        family = _family(CLOSED)
        family.engaged_on = family.engaged_on - dt.timedelta(days=1)
        db.session.commit()
    new = _download(client, demo, CLOSED)
    assert new != old
    status, page = _check(client, old)
    assert status == 200
    assert "A newer summary of this family superseded this one" in page and new in page
    assert "The date of engagement changed from " in page
    _, page = _check(client, new)
    assert "This summary matches the records" in page and "superseded" not in page


def _not_found_page(client, code):
    response = client.get(f"/verify/{code}")
    return response.status_code, comparable_page(response.get_data(as_text=True).replace(code, "CODE"))


@pytest.mark.parametrize("who", ["school", "police", "admin", "stranger lead"])
def test_anyone_who_may_not_check_the_family_gets_the_same_not_found_as_an_unknown_code(demo, client, who):
    code = _download(client, demo, CLOSED)
    unknown = "ZZZZ-ZZZZ-ZZZZ"
    if who == "stranger lead":
        client.post("/sign-out")
        with demo.app_context():
            sign_in(client, make_user("lead_professional", name="Zed Stranger"))
    else:
        _as(client, demo, who)
    hidden, missing = _not_found_page(client, code), _not_found_page(client, unknown)
    assert hidden[0] == missing[0] == 404
    assert hidden[1] == missing[1]
    assert "No summary found for this code" in hidden[1] and CLOSED not in hidden[1]
    with demo.app_context():
        refused = db.session.scalars(
            db.select(AuditEvent).filter_by(action="closure.verify-refused").order_by(AuditEvent.id)
        ).all()
        assert refused[0].family_id == _family(CLOSED).id
        assert refused[1].family_id is None and refused[1].detail.endswith("unknown")  # never what was typed


def test_a_refusal_takes_as_long_for_a_hidden_code_as_for_an_unknown_one(demo, client, monkeypatch):
    """Both answer no sooner than VERIFY_REFUSAL_SECONDS: loading the family to refuse it cannot show."""
    code = _download(client, demo, CLOSED)
    _as(client, demo, "school")
    monkeypatch.setitem(demo.config, "VERIFY_REFUSAL_SECONDS", 0.3)  # the app lasts the session
    for asked in (code, "ZZZZ-ZZZZ-ZZZZ", "not a code"):
        started = time.monotonic()
        assert client.get(f"/verify/{asked}").status_code == 404
        assert time.monotonic() - started >= 0.3, asked


def test_code_look_ups_are_limited_per_user(demo, client, monkeypatch):
    code = _download(client, demo, CLOSED)
    monkeypatch.setitem(demo.config, "VERIFY_LIMIT_PER_USER", "3 per minute")
    statuses = [_check(client, code)[0] for _ in range(3)] + [_check(client, "ZZZZ-ZZZZ-ZZZZ")[0]]
    assert statuses == [200, 200, 200, 429]
    _as(client, demo, "lead")  # another user has their own count
    assert _check(client, code)[0] == 200


def test_the_lead_professional_and_a_programme_manager_may_check(demo, client):
    code = _download(client, demo, CLOSED)
    _as(client, demo, "lead")
    assert _check(client, code)[0] == 200
    client.post("/sign-out")
    with demo.app_context():
        sign_in(client, make_user("programme_manager"))
    assert _check(client, code)[0] == 200


def test_signed_out_visitors_are_sent_to_sign_in(demo, client):
    for url in ("/verify", "/verify/ABCD-EFGH-JKMN"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_stored_snapshot_rebuilds_the_code(demo, client):
    code = _download(client, demo, CLOSED)
    with demo.app_context():
        row = db.session.scalar(db.select(ClosureSummary))
        assert snapshots.grouped(snapshots.code_for(row.snapshot)) == code
        assert row.snapshot == snapshots.take(_family(CLOSED), row.as_of)
