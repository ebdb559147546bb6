"""The lead professional's changes to a case: each saves, audits, and refuses bad input."""

import datetime as dt

import pytest

from portal.extensions import db
from portal.models import (
    CaseClosure,
    EssentialRecord,
    Family,
    FamilyPlanOutcome,
    IdentifiedProblem,
    Member,
    TeamMembership,
)
from tests import factories as f
from tests.test_families import audit_actions, count, date_parts, has_error, suffolk_case


@pytest.fixture
def case(app, client, people):
    """A Suffolk family led by the signed-in lead professional."""
    with app.app_context():
        family, parent, child = suffolk_case(people)
    f.sign_in(client, people["lead_professional"])
    return {"family": family, "parent": parent, "child": child, "base": f"/families/{family.id}"}


def fetch(app, model, row_id, read=lambda row: row):
    """A row (or what `read` takes from it while the session is open)."""
    with app.app_context():
        return read(db.session.get(model, row_id))


def close_directly(app, family, people, on=dt.date(2024, 6, 1)):
    with app.app_context():
        db.session.add(CaseClosure(family_id=family.id, closed_on=on, recorded_by_id=people["lead_professional"].id))
        db.session.commit()


# -- members ----------------------------------------------------------------------------------


def test_adding_a_member_saves_them_audits_and_returns_to_the_family(app, client, case):
    response = client.post(
        f"{case['base']}/members/new",
        data={"name": "Alfie", "role": "child", "date_of_birth": ["2", "11", "2013"], "activity": "education"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(case["base"])
    with app.app_context():
        alfie = db.session.scalars(db.select(Member).filter_by(name="Alfie")).one()
        assert (alfie.role, alfie.date_of_birth, alfie.activity) == ("child", dt.date(2013, 11, 2), "education")
    assert "member.add" in audit_actions(app, case["family"].id)
    assert "Alfie added to the family" in client.get(case["base"]).get_data(as_text=True)


def test_the_activity_of_a_new_member_is_optional(app, client, case):
    client.post(
        f"{case['base']}/members/new", data={"name": "Dean", "role": "parent", "date_of_birth": ["3", "9", "1983"]}
    )
    with app.app_context():
        assert db.session.scalars(db.select(Member.activity).filter_by(name="Dean")).one() == ""


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "name", "Enter the family member's full name"),
        ({}, "role", "Choose the family member's role"),
        ({}, "date_of_birth", "Enter the date of birth"),
        ({"date_of_birth": ["1", "1", "2999"]}, "date_of_birth", "Date of birth must be in the past"),
        ({"date_of_birth": ["1", "1", "1899"]}, "date_of_birth", "Date of birth must be 1900 or later"),
        ({"date_of_birth": ["30", "2", "2010"]}, "date_of_birth", "Date of birth must be a real date"),
        ({"role": "uncle"}, "role", "Choose the family member's role"),
    ],
)
def test_a_bad_member_is_refused_naming_the_field_and_nothing_is_saved(app, client, case, data, field, message):
    page = client.post(f"{case['base']}/members/new", data=data).get_data(as_text=True)
    assert has_error(page, field, message)
    assert "<title>Error: " in page
    assert count(app, Member) == 2


def test_the_dependent_child_rule_speaks_on_the_family_page(app, client, people):
    with app.app_context():
        lp = people["lead_professional"]
        family = f.make_family(lp, plan_id="durham-2018")
        f.add_problem(family, lp, "1", "1")
        f.add_problem(family, lp, "2", "4")
    f.sign_in(client, people["lead_professional"])
    client.post(
        f"/families/{family.id}/members/new",
        data={"name": "Ann", "role": "parent", "date_of_birth": ["1", "1", "1980"]},
    )
    page = client.get(f"/families/{family.id}").get_data(as_text=True)
    assert "Not eligible" in page and "The family has no dependent child" in page
    client.post(
        f"/families/{family.id}/members/new", data={"name": "Bo", "role": "child", "date_of_birth": ["1", "1", "2015"]}
    )
    page = client.get(f"/families/{family.id}").get_data(as_text=True)
    assert "no dependent child" not in page


def test_withdrawing_a_member_keeps_the_row_with_the_reason(app, client, case):
    child = case["child"]
    response = client.post(f"{case['base']}/members/{child.id}/withdraw", data={"reason": "Wrong family"})
    assert response.status_code == 302
    row = fetch(app, Member, child.id)
    assert row.withdrawn_at is not None and row.withdrawn_reason == "Wrong family"
    assert "member.withdraw" in audit_actions(app, case["family"].id)
    # The link followed again, or the form sent twice: said on the family page, nothing written again.
    withdrawn_at = row.withdrawn_at
    for again in (
        client.get(f"{case['base']}/members/{child.id}/withdraw"),
        client.post(f"{case['base']}/members/{child.id}/withdraw", data={"reason": "Sent twice"}),
        client.get(f"{case['base']}/members/{child.id}/left"),
    ):
        assert again.status_code == 302 and again.headers["Location"].endswith(case["base"])
    page = client.get(case["base"]).get_data(as_text=True)
    assert f"{child.name} was withdrawn as recorded in error on" in page and "nothing more to do" in page
    row = fetch(app, Member, child.id)
    assert row.withdrawn_at == withdrawn_at and row.withdrawn_reason == "Wrong family"
    assert audit_actions(app, case["family"].id).count("member.withdraw") == 1


def test_a_withdrawn_problem_followed_again_is_said_on_the_family_page(app, client, case):
    with app.app_context():
        problem = db.session.scalars(
            db.select(IdentifiedProblem).where(IdentifiedProblem.family_id == case["family"].id)
        ).first()
    url = f"{case['base']}/problems/{problem.id}/withdraw"
    assert client.post(url, data={"reason": "Wrong indicator"}).status_code == 302
    again = client.post(url, data={"reason": "Sent twice"})
    assert again.status_code == 302
    page = client.get(case["base"]).get_data(as_text=True)
    assert "withdrawn as recorded in error on" in page and "nothing more to do" in page
    assert fetch(app, IdentifiedProblem, problem.id).withdrawn_reason == "Wrong indicator"


def test_withdrawing_a_member_needs_a_reason(app, client, case):
    url = f"{case['base']}/members/{case['child'].id}/withdraw"
    page = client.post(url, data={"reason": " "}).get_data(as_text=True)
    assert has_error(page, "reason", "Enter why this was recorded in error")
    assert fetch(app, Member, case["child"].id).withdrawn_at is None


def test_a_member_of_another_family_cannot_be_withdrawn_through_this_one(app, client, people, case):
    with app.app_context():
        other = f.make_family(people["lead_professional"])
        stranger = f.add_member(other, people["lead_professional"])
    response = client.post(f"{case['base']}/members/{stranger.id}/withdraw", data={"reason": "x"})
    assert response.status_code == 404
    assert fetch(app, Member, stranger.id).withdrawn_at is None


# -- problems ---------------------------------------------------------------------------------


def test_adding_a_problem_records_problem_indicator_stage_date_and_member(app, client, case):
    response = client.post(
        f"{case['base']}/problems/new",
        data={
            "indicator": "2/a",
            "stage": "engagement",
            "identified_on": ["20", "11", "2024"],
            "member": str(case["child"].id),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalars(db.select(IdentifiedProblem).filter_by(problem_id="2")).one()
        assert (row.indicator_id, row.stage, row.identified_on, row.member_id) == (
            "a",
            "engagement",
            dt.date(2024, 11, 20),
            case["child"].id,
        )
    assert "problem.add" in audit_actions(app, case["family"].id)


def test_the_problem_form_lists_indicators_under_their_problem_in_the_plans_words(client, case):
    page = client.get(f"{case['base']}/problems/new").get_data(as_text=True)
    assert "Add an indicator identified" in page
    assert "Criterion 2: Children who have not been attending school regularly</h2>" in page
    assert 'value="2/a"' in page and "Indicator a: a child who is persistently absent" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "indicator", "Choose the indicator identified"),
        ({"indicator": "9/z"}, "indicator", "Choose the indicator identified"),
        ({}, "stage", "Choose the stage it was identified at"),
        ({}, "identified_on", "Enter the date it was identified"),
        ({"identified_on": ["1", "1", "2999"]}, "identified_on", "Date identified must be today or in the past"),
        (
            {"indicator": "2/a", "stage": "engagement", "identified_on": ["7", "1", "2024"]},
            "identified_on",
            "Date identified must be on or after the family engaged (8 January 2024) for something found at engagement",
        ),
    ],
)
def test_a_bad_problem_is_refused_naming_the_field(app, client, case, data, field, message):
    page = client.post(f"{case['base']}/problems/new", data=data).get_data(as_text=True)
    assert has_error(page, field, message)
    assert count(app, IdentifiedProblem) == 2


def test_a_problem_about_a_member_cannot_be_identified_before_they_were_born(app, client, case):
    child = case["child"]  # Mia, born 25 June 2012
    # 3/a: a child needing early help (a newborn fits it; school attendance, 2/a, she would not)
    data = {"indicator": "3/a", "stage": "identification", "member": str(child.id)}
    page = client.post(f"{case['base']}/problems/new", data={**data, "identified_on": ["24", "6", "2012"]})
    assert has_error(
        page.get_data(as_text=True),
        "identified_on",
        "Date identified must be on or after Mia's date of birth (25 June 2012), as it is about them",
    )
    assert count(app, IdentifiedProblem) == 2
    # Her birthday itself is allowed.
    assert (
        client.post(f"{case['base']}/problems/new", data={**data, "identified_on": ["25", "6", "2012"]}).status_code
        == 302
    )
    assert count(app, IdentifiedProblem) == 3


def test_a_childs_need_cannot_be_recorded_against_a_parent(app, client, case):
    url, parent = f"{case['base']}/problems/new", str(case["parent"].id)  # Kerry, born 12 April 1986
    data = {"indicator": "3/a", "stage": "identification", "identified_on": ["1", "2", "2024"], "member": parent}
    page = client.post(url, data=data).get_data(as_text=True)
    assert has_error(
        page,
        "member",
        "Kerry was 37 on 1 February 2024, the date identified. Indicator a of criterion 3 is about a child "
        "(under 18): choose the member it is about, or the whole family",
    )
    page = client.post(url, data={**data, "indicator": "2/a"}).get_data(as_text=True)
    assert has_error(
        page,
        "member",
        "Kerry was 37 on 1 February 2024, the date identified. Indicator a of criterion 2 is about a child of "
        "statutory school age (5 to 15) or a young person (16 or 17): choose the member it is about, or the whole "
        "family",
    )
    # With no date, or a date before she was born, only the date's own error shows: no age from a made-up day.
    for identified_on in (["", "", ""], ["31", "2", "2024"], ["1", "1", "1980"]):
        page = client.post(url, data={**data, "identified_on": identified_on}).get_data(as_text=True)
        assert 'href="#identified_on-day"' in page and 'href="#member"' not in page, identified_on
    assert count(app, IdentifiedProblem) == 2
    # Recorded for the whole family, or for the child it is about, it is taken.
    assert client.post(url, data={**data, "member": ""}).status_code == 302
    assert client.post(url, data={**data, "member": str(case["child"].id)}).status_code == 302
    assert count(app, IdentifiedProblem) == 4


def test_a_problem_cannot_name_a_member_of_another_family_or_a_withdrawn_one(app, client, people, case):
    with app.app_context():
        stranger = f.add_member(f.make_family(people["lead_professional"]), people["lead_professional"])
    data = {"indicator": "2/a", "stage": "identification", "identified_on": ["1", "2", "2024"]}
    page = client.post(f"{case['base']}/problems/new", data={**data, "member": str(stranger.id)}).get_data(as_text=True)
    assert "Choose a current member of this family, or the whole family" in page
    client.post(f"{case['base']}/members/{case['child'].id}/withdraw", data={"reason": "Error"})
    data["member"] = str(case["child"].id)
    page = client.post(f"{case['base']}/problems/new", data=data).get_data(as_text=True)
    assert "Choose a current member of this family, or the whole family" in page
    assert count(app, IdentifiedProblem) == 2


def test_the_same_indicator_for_the_same_member_is_refused_until_the_first_is_withdrawn(app, client, case):
    url, child = f"{case['base']}/problems/new", str(case["child"].id)
    data = {"indicator": "2/a", "stage": "identification", "identified_on": ["1", "2", "2024"], "member": child}
    assert client.post(url, data=data).status_code == 302
    page = client.post(url, data={**data, "stage": "engagement"}).get_data(as_text=True)
    assert has_error(
        page,
        "indicator",
        "This indicator is already recorded for this family member. If that one was wrong, withdraw it first",
    )
    assert count(app, IdentifiedProblem) == 3
    assert client.post(url, data={**data, "member": ""}).status_code == 302  # the whole family: another record
    page = client.post(url, data={**data, "member": ""}).get_data(as_text=True)
    assert has_error(page, "indicator", "This indicator is already recorded for the whole family")
    first = fetch(app, Family, case["family"].id, lambda family: family.problems[2].id)
    client.post(f"{case['base']}/problems/{first}/withdraw", data={"reason": "Wrong date"})
    assert client.post(url, data=data).status_code == 302
    assert count(app, IdentifiedProblem) == 5


def test_a_hertfordshire_family_need_is_added_under_its_headline(app, client, people):
    with app.app_context():
        family = f.make_family(people["lead_professional"], plan_id="hertfordshire-2022")
    f.sign_in(client, people["lead_professional"])
    page = client.get(f"/families/{family.id}/problems/new").get_data(as_text=True)
    assert "Add a family need identified" in page and "Headline EDU: Getting a Good Education" in page
    client.post(
        f"/families/{family.id}/problems/new",
        data={"indicator": "EDU/EDU1", "stage": "identification", "identified_on": ["1", "2", "2024"], "member": ""},
    )
    with app.app_context():
        row = db.session.scalars(db.select(IdentifiedProblem)).one()
    assert (row.problem_id, row.indicator_id, row.member_id) == ("EDU", "EDU1", None)


def test_withdrawing_a_problem_needs_a_reason_and_keeps_the_row(app, client, case):
    problem_id = fetch(app, Family, case["family"].id, lambda family: family.problems[0].id)
    url = f"{case['base']}/problems/{problem_id}/withdraw"
    assert "Enter why this was recorded in error" in client.post(url, data={}).get_data(as_text=True)
    assert fetch(app, IdentifiedProblem, problem_id).withdrawn_at is None
    client.post(url, data={"reason": "Was the neighbour's caution"})
    row = fetch(app, IdentifiedProblem, problem_id)
    assert row.withdrawn_reason == "Was the neighbour's caution"
    assert "problem.withdraw" in audit_actions(app, case["family"].id)


# -- a closed case ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/problems/new", "/members/new", "/essentials", "/plan-outcomes", "/close"])
def test_a_closed_case_refuses_changes_until_it_is_reopened(app, client, people, case, path):
    close_directly(app, case["family"], people)
    data = {
        "indicator": "2/a",
        "stage": "identification",
        "identified_on": ["1", "2", "2024"],
        "name": "Zed",
        "role": "child",
        "date_of_birth": ["1", "1", "2015"],
        "closed_on": ["1", "7", "2024"],
    }
    response = client.post(case["base"] + path, data=data)
    assert response.status_code == 302
    assert "because the case is closed" in client.get(case["base"]).get_data(as_text=True)
    assert count(app, IdentifiedProblem) == 2 and count(app, Member) == 2 and count(app, CaseClosure) == 1


# -- essentials, the family's plan, engagement ------------------------------------------------------


def test_essentials_are_recorded_with_a_date_and_stay_recorded(app, client, people):
    with app.app_context():
        family = f.make_family(people["lead_professional"], plan_id="durham-2018")
    f.sign_in(client, people["lead_professional"])
    url = f"/families/{family.id}/essentials"
    client.post(url, data={"essentials": ["lead_professional", "family_plan"], "in_place_on": ["5", "3", "2024"]})
    with app.app_context():
        rows = db.session.scalars(db.select(EssentialRecord).order_by(EssentialRecord.id)).all()
        assert [(r.essential_id, r.in_place_on) for r in rows] == [
            ("lead_professional", dt.date(2024, 3, 5)),
            ("family_plan", dt.date(2024, 3, 5)),
        ]
    form = client.get(url).get_data(as_text=True)
    assert 'value="lead_professional"' not in form and 'value="whole_family_assessment"' in form
    assert "essentials.record" in audit_actions(app, family.id)


def test_recording_essentials_needs_one_ticked_and_a_date(app, client, people):
    with app.app_context():
        family = f.make_family(people["lead_professional"], plan_id="durham-2018")
    f.sign_in(client, people["lead_professional"])
    page = client.post(f"/families/{family.id}/essentials", data={}).get_data(as_text=True)
    assert has_error(page, "essentials", "Choose at least one essential that is in place")
    assert has_error(page, "in_place_on", "Enter the date they were in place")
    assert count(app, EssentialRecord) == 0


def test_the_family_plan_outcomes_are_chosen_and_changed(app, client, case):
    url = f"{case['base']}/plan-outcomes"
    assert 'value="6.2" checked' in client.get(url).get_data(as_text=True)
    client.post(url, data={"outcomes": ["1.1", "6.1"], "reason": "6.1 fits better"})
    with app.app_context():
        family = db.session.get(Family, case["family"].id)
        assert sorted(row.outcome_id for row in family.plan_outcomes) == ["1.1", "6.1"]
    assert "plan-outcomes.set" in audit_actions(app, case["family"].id)


def test_the_family_plan_offers_only_outcomes_for_what_is_identified(client, case):
    page = client.get(f"{case['base']}/plan-outcomes").get_data(as_text=True)
    assert 'value="1.1"' in page and 'value="6.2"' in page
    assert 'value="2.1"' in page and 'value="3.1"' in page  # suggested by criterion 6
    assert 'value="4.2"' not in page and 'value="5.1"' not in page


def test_an_outcome_not_offered_is_refused_for_the_family_plan(app, client, case):
    page = client.post(f"{case['base']}/plan-outcomes", data={"outcomes": ["5.1"]}).get_data(as_text=True)
    assert "<title>Error: " in page
    with app.app_context():
        assert list(db.session.scalars(db.select(FamilyPlanOutcome.outcome_id))) == ["6.2"]


def test_plans_without_a_family_plan_have_no_family_plan_page(app, client, people):
    with app.app_context():
        family = f.make_family(people["lead_professional"], plan_id="durham-2018")
    f.sign_in(client, people["lead_professional"])
    assert client.get(f"/families/{family.id}/plan-outcomes").status_code == 404


def test_the_engaged_date_cannot_be_before_the_plan_takes_cases(app, client, people):
    f.sign_in(client, people["lead_professional"])
    with app.app_context():
        family = f.make_family(people["lead_professional"], plan_id="hertfordshire-2022", engaged_on=None)
    url = f"/families/{family.id}/engaged"
    page = client.post(url, data={"engaged_on": ["30", "9", "2022"]}).get_data(as_text=True)
    assert has_error(
        page,
        "engaged_on",
        "Date the family engaged must be on or after 3 October 2022, the first day a case may start on this plan",
    )
    assert fetch(app, Family, family.id).engaged_on is None
    assert client.post(url, data={"engaged_on": ["3", "10", "2022"]}).status_code == 302
    assert fetch(app, Family, family.id).engaged_on == dt.date(2022, 10, 3)


def test_the_engaged_date_cannot_be_after_a_need_found_at_engagement(app, client, people):
    lead = people["lead_professional"]
    f.sign_in(client, lead)
    with app.app_context():
        family = f.make_family(lead, engaged_on=None)
        f.add_problem(family, lead, "6", "a", stage="identification", identified_on=dt.date(2024, 2, 1))
        f.add_problem(family, lead, "1", "a", stage="engagement", identified_on=dt.date(2024, 3, 1))
        f.add_problem(family, lead, "2", "a", stage="engagement", identified_on=dt.date(2024, 3, 9))
    url = f"/families/{family.id}/engaged"
    page = client.post(url, data={"engaged_on": ["2", "3", "2024"]}).get_data(as_text=True)
    assert has_error(
        page,
        "engaged_on",
        "Date the family engaged must be on or before 1 March 2024: indicator a of criterion 1 is recorded as "
        "found at engagement on that day",
    )
    assert fetch(app, Family, family.id).engaged_on is None
    assert client.post(url, data={"engaged_on": ["1", "3", "2024"]}).status_code == 302
    assert fetch(app, Family, family.id).engaged_on == dt.date(2024, 3, 1)


def test_the_engaged_date_is_set_once(app, client, people):
    with app.app_context():
        family = f.make_family(people["lead_professional"], engaged_on=None)
    f.sign_in(client, people["lead_professional"])
    url = f"/families/{family.id}/engaged"
    assert "Enter the date the family engaged" in client.post(url, data={}).get_data(as_text=True)
    client.post(url, data={"engaged_on": ["8", "1", "2024"]})
    assert fetch(app, Family, family.id).engaged_on == dt.date(2024, 1, 8)
    assert client.get(url).status_code == 302  # already recorded
    assert "family.engaged" in audit_actions(app, family.id)


# -- the team -----------------------------------------------------------------------------------


def test_an_agency_is_attached_and_later_removed_from_the_team(app, client, people, case):
    url = f"{case['base']}/team/new"
    form = client.get(url).get_data(as_text=True)
    assert "County Police" in form and "Hillside Primary School" not in form  # already in the team
    client.post(url, data={"agency": str(people["police"].id)})
    with app.app_context():
        membership = db.session.scalars(db.select(TeamMembership).filter_by(agency_id=people["police"].id)).one()
    client.post(f"{case['base']}/team/{membership.id}/end")
    assert fetch(app, TeamMembership, membership.id).ended_at is not None
    assert {"team.attach", "team.detach"} <= set(audit_actions(app, case["family"].id))


def test_attaching_needs_an_agency_not_already_in_the_team(app, client, people, case):
    page = client.post(f"{case['base']}/team/new", data={"agency": str(people["school"].id)}).get_data(as_text=True)
    assert has_error(page, "agency", "Choose the agency to add to the team")
    assert count(app, TeamMembership) == 1


# -- closing and reopening --------------------------------------------------------------------------


def test_closing_then_reopening_the_case_adds_closure_rows(app, client, case):
    client.post(f"{case['base']}/close", data={"closed_on": ["1", "6", "2024"]})
    assert fetch(app, Family, case["family"].id, lambda family: family.closed_on) == dt.date(2024, 6, 1)
    page = client.post(f"{case['base']}/reopen", data={}).get_data(as_text=True)
    assert "Enter why the case is being reopened" in page
    client.post(f"{case['base']}/reopen", data={"reason": "New concerns from school"})
    with app.app_context():
        rows = db.session.scalars(db.select(CaseClosure).order_by(CaseClosure.id)).all()
        assert [(r.closed_on, r.reopened, r.reason) for r in rows] == [
            (dt.date(2024, 6, 1), False, ""),
            (None, True, "New concerns from school"),
        ]
        assert db.session.get(Family, case["family"].id).closed_on is None
    assert {"case.close", "case.reopen"} <= set(audit_actions(app, case["family"].id))


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (["1", "1", "2999"], "Date the case closed must be today or in the past"),
        (["1", "1", "2024"], "Date the case closed must be on or after the date the family engaged (8 January 2024)"),
        (["", "", ""], "Enter the date the case closed"),
    ],
)
def test_a_bad_closure_date_is_refused(app, client, case, parts, message):
    page = client.post(f"{case['base']}/close", data={"closed_on": parts}).get_data(as_text=True)
    assert message in page
    assert count(app, CaseClosure) == 0


def test_reopening_an_open_case_does_nothing(app, client, case):
    assert client.post(f"{case['base']}/reopen", data={"reason": "x"}).status_code == 302
    assert count(app, CaseClosure) == 0


def test_every_change_is_audited_with_who_made_it(app, client, people, case):
    client.post(
        f"{case['base']}/members/new",
        data={"name": "Alfie", "role": "child", "date_of_birth": date_parts(dt.date(2013, 11, 2))},
    )
    from portal.models import AuditEvent

    with app.app_context():
        event = db.session.scalars(db.select(AuditEvent).filter_by(action="member.add")).one()
    assert event.user_id == people["lead_professional"].id and event.detail.startswith("member ")
    assert "Alfie" not in event.detail  # ids only: admins read the log and see no case data
