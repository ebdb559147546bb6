"""A member left the household: recorded by the lead professional (append-only), shown, and flagged on claims.

SQLite and PostgreSQL (TEST_DATABASE_URL), like every database test.
"""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from portal import casefile
from portal.claims import claimable
from portal.extensions import db
from portal.families import changes
from portal.models import ClaimWindow, Family, Member, MemberDeparture
from portal.models.append_only import AppendOnlyError
from tests import factories as f
from tests.claims_helpers import demo, demo_window, sign_in  # noqa: F401
from tests.test_families import audit_actions, count, date_parts, has_error, suffolk_case
from tests.test_families_actions import close_directly


@pytest.fixture
def case(app, client, people):
    with app.app_context():
        family, parent, child = suffolk_case(people)
    f.sign_in(client, people["lead_professional"])
    return {"family": family, "parent": parent, "child": child, "base": f"/families/{family.id}"}


def departures(app, family_id):
    with app.app_context():
        return [
            (r.member_id, r.left_on, r.withdraws_id, r.reason)
            for r in db.session.scalars(
                sa.select(MemberDeparture).filter_by(family_id=family_id).order_by(MemberDeparture.id)
            )
        ]


def test_a_member_who_left_stays_in_the_case_and_the_page_says_when(app, client, case):
    child = case["child"]
    response = client.post(f"{case['base']}/members/{child.id}/left", data={"left_on": ["3", "3", "2025"]})
    assert response.status_code == 302 and response.headers["Location"].endswith(case["base"])
    assert departures(app, case["family"].id) == [(child.id, dt.date(2025, 3, 3), None, "")]
    assert "member.left" in audit_actions(app, case["family"].id)
    page = client.get(case["base"]).get_data(as_text=True)
    assert "Mia recorded as having left the household on 3 March 2025" in page
    assert "On 3 March 2025" in page
    with app.app_context():
        family = db.session.get(Family, case["family"].id)
        # Still a member: their evidence still counts, and the engine reads the same case as before.
        assert [m["name"] for m in casefile.case_data(family, [])["members"]] == ["Kerry", "Mia"]
        assert set(family.left_household) == {child.id}


def test_the_record_is_append_only(app, client, case):
    client.post(f"{case['base']}/members/{case['child'].id}/left", data={"left_on": ["3", "3", "2025"]})
    with app.app_context():
        row = db.session.scalars(sa.select(MemberDeparture)).one()
        row.left_on = dt.date(2020, 1, 1)
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()


@pytest.mark.parametrize(
    ("left_on", "message"),
    [
        (["", "", ""], "Enter the date they left the household"),
        (["31", "2", "2025"], "Date they left the household must be a real date"),
        ("tomorrow", "Date they left the household must be today or in the past"),
        (["24", "6", "2012"], "Date they left the household must be on or after their date of birth (25 June 2012)"),
        (["1", "1", "1899"], "Date they left the household must be 1900 or later"),
    ],
)
def test_a_bad_date_is_refused_naming_the_field_and_the_reason(app, client, case, left_on, message):
    if left_on == "tomorrow":
        left_on = date_parts(dt.date.today() + dt.timedelta(days=1))
    page = client.post(f"{case['base']}/members/{case['child'].id}/left", data={"left_on": left_on})
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "There is a problem" in body
    assert has_error(body, "left_on", message), re.findall(r'href="#left_on-day">[^<]*', body)
    assert departures(app, case["family"].id) == []


def test_another_familys_member_cannot_be_recorded_through_this_family(app, client, people, case):
    with app.app_context():
        other = f.make_family(people["lead_professional"], name="Other family")
        stranger = f.add_member(other, people["lead_professional"], name="Stranger")
    for url in (f"{case['base']}/members/{stranger.id}/left", f"{case['base']}/members/{stranger.id}/left/withdraw"):
        assert client.post(url, data={"left_on": ["3", "3", "2025"], "reason": "x"}).status_code == 404
        assert client.get(url).status_code == 404
    assert count(app, MemberDeparture) == 0


def test_a_member_withdrawn_as_recorded_in_error_cannot_be_recorded_as_leaving(app, client, case):
    client.post(f"{case['base']}/members/{case['child'].id}/withdraw", data={"reason": "Wrong family"})
    url = f"{case['base']}/members/{case['child'].id}/left"
    response = client.post(url, data={"left_on": ["3", "3", "2025"]})
    assert response.status_code == 302 and response.headers["Location"].endswith(case["base"])
    assert count(app, MemberDeparture) == 0
    assert "Mia was withdrawn as recorded in error on" in client.get(case["base"]).get_data(as_text=True)


def test_someone_who_does_not_lead_the_family_cannot_record_it(app, client, people, case):
    url = f"{case['base']}/members/{case['child'].id}/left"
    for role in ("partner", "programme_manager", "verifier", "admin"):
        f.sign_in(client, people[role])
        assert client.post(url, data={"left_on": ["3", "3", "2025"]}).status_code in (403, 404), role
    with app.app_context():
        other_lead = f.make_user("lead_professional")
    f.sign_in(client, other_lead)
    assert client.post(url, data={"left_on": ["3", "3", "2025"]}).status_code == 404
    assert count(app, MemberDeparture) == 0


def test_a_second_record_while_one_stands_is_refused_saying_why(app, client, case):
    url = f"{case['base']}/members/{case['child'].id}/left"
    client.post(url, data={"left_on": ["3", "3", "2025"]})
    response = client.post(url, data={"left_on": ["4", "4", "2025"]})
    assert response.status_code == 302
    page = client.get(case["base"]).get_data(as_text=True)
    assert "Mia is already recorded as having left the household on 3 March 2025" in page
    assert len(departures(app, case["family"].id)) == 1


def test_it_can_be_recorded_after_the_case_is_closed(app, client, people, case):
    close_directly(app, case["family"], people)
    response = client.post(f"{case['base']}/members/{case['child'].id}/left", data={"left_on": ["3", "3", "2025"]})
    assert response.status_code == 302
    assert len(departures(app, case["family"].id)) == 1


def test_withdrawing_it_is_a_new_row_with_the_reason_and_the_page_keeps_it(app, client, case):
    child = case["child"]
    client.post(f"{case['base']}/members/{child.id}/left", data={"left_on": ["3", "3", "2025"]})
    url = f"{case['base']}/members/{child.id}/left/withdraw"
    page = client.post(url, data={"reason": " "}).get_data(as_text=True)
    assert has_error(page, "reason", "Enter why this was recorded in error")
    assert client.post(url, data={"reason": "Mia only stayed with her nan for a week"}).status_code == 302
    rows = departures(app, case["family"].id)
    assert rows[0] == (child.id, dt.date(2025, 3, 3), None, "")  # the first row is unchanged
    assert rows[1][0] == child.id and rows[1][1] is None and rows[1][3] == "Mia only stayed with her nan for a week"
    with app.app_context():
        first = db.session.scalars(sa.select(MemberDeparture.id).order_by(MemberDeparture.id)).first()
        assert rows[1][2] == first
        assert db.session.get(Family, case["family"].id).left_household == {}
    assert "member.left.withdraw" in audit_actions(app, case["family"].id)
    page = client.get(case["base"]).get_data(as_text=True)
    assert "Records of leaving the household withdrawn" in page and "only stayed with her nan" in page
    assert client.get(url).status_code == 404  # nothing left to withdraw
    # And it can be recorded again, with the right date.
    assert (
        client.post(f"{case['base']}/members/{child.id}/left", data={"left_on": ["5", "5", "2025"]}).status_code == 302
    )
    with app.app_context():
        family = db.session.get(Family, case["family"].id)
        assert family.left_household[child.id].left_on == dt.date(2025, 5, 5)


def test_two_withdrawals_of_the_same_record_at_once_keep_one(app, people, case):
    with app.app_context():
        lp = db.session.merge(people["lead_professional"])
        family = db.session.get(Family, case["family"].id)
        member = db.session.get(Member, case["child"].id)
        with app.test_request_context():  # the family services audit as the signed-in user
            from flask_login import login_user

            login_user(lp)
            first = changes.record_departure(lp, family, member, dt.date(2025, 3, 3))
            assert changes.withdraw_departure(lp, family, first, "error") is not None
            assert changes.withdraw_departure(lp, family, first, "error again") is None
    assert len(departures(app, case["family"].id)) == 2


# -- the claim flag ----------------------------------------------------------------------------


def test_a_claimable_family_relying_on_a_member_who_left_before_the_claim_date_is_flagged(app, client, demo):
    window_id = demo_window(app).id
    with app.app_context():
        window = db.session.get(ClaimWindow, window_id)
        claim_date = window.claim_date
        rows = {r.family.ref: r for r in claimable.decided_rows(window) if r.status == "claimable"}
        row = next(r for _ref, r in sorted(rows.items()) if any(e["members"] for e in r.decided.case["evidence"]))
        relied = {e for problem in row.decided.verdict.problems for o in problem.outcomes if o.met for e in o.evidence}
        member_key = next(m for e in row.decided.case["evidence"] if e["id"] in relied for m in e["members"])
        member = db.session.get(Member, int(member_key[1:]))
        name, family_id, member_id = member.name, member.family_id, member.id
        lead = db.session.get(type(row.family.lead_professional), row.family.lead_professional_id)
        _ = lead.agency
        assert not any(f.code == "left_scope" and "left the household" in f.text for f in row.decided.flags)
    left_on = claim_date - dt.timedelta(days=30)
    sign_in(client, lead)
    assert (
        client.post(
            f"/families/{family_id}/members/{member_id}/left", data={"left_on": date_parts(left_on)}
        ).status_code
        == 302
    )
    with app.app_context():
        window = db.session.get(ClaimWindow, window_id)
        row = next(r for r in claimable.decided_rows(window, [family_id]))
        texts = [f.text for f in row.decided.flags if f.code == "left_scope"]
        when = f"{left_on.day} {left_on:%B %Y}"
        assert texts and all(
            f"about {name}, who left the household on {when}, before the claim date" in t for t in texts
        )
        assert row.status == "claimable"  # flags never block
    sign_in(client, demo["programme"])
    body = client.get(f"/claims/windows/{window_id}?status=claimable").get_data(as_text=True)
    assert f"who left the household on {when}" in body
