"""The family's plan (Suffolk) keeps its history: removing an outcome is a new row, never a delete.

The outcomes in the plan decide the claim, so the plan as it stood when a claim was
decided must stay readable; the rules engine sees only the outcomes in the plan now.
"""

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from flask_login import login_user
from markupsafe import escape

from portal import casefile
from portal.extensions import db
from portal.families import changes
from portal.models import AuditEvent, Family, FamilyPlanOutcome, User
from tests import factories as f
from tests.test_families import add_evidence, has_error

REASON = "Recorded against the wrong criterion; the family never misused substances."


@pytest.fixture
def case(app, client, people):
    """A Suffolk family (criteria 5 and 6) whose plan lists 6.2 and 5.1, met by accepted evidence,
    and 6.1, not met: removing 6.1 turns the family around."""
    with app.app_context():
        lp = people["lead_professional"]
        family = f.make_family(lp, plan_id="suffolk-2017", name="Clarke family")
        parent = f.add_member(family, lp, role="parent", born=dt.date(1986, 4, 12), name="Kerry", activity="none")
        f.add_member(family, lp, role="child", born=dt.date(2012, 6, 25), name="Mia")
        f.add_problem(family, lp, "5", "a")
        f.add_problem(family, lp, "6", "a", member=parent)
        for outcome in ("6.2", "5.1", "6.1"):
            db.session.add(FamilyPlanOutcome(family_id=family.id, outcome_id=outcome, recorded_by_id=lp.id))
        db.session.commit()
        add_evidence(family, parent, people["partner"], status="accepted", reviewer=lp)
        add_evidence(
            family,
            parent,
            people["partner"],
            outcome="5.1",
            status="accepted",
            reviewer=lp,
            statement="No incidents since the family moved.",
            source="Police Recorded incidents data and police outcomes/Police",
        )
    f.sign_in(client, people["lead_professional"])
    return {"family": family, "url": f"/families/{family.id}/plan-outcomes", "page": f"/families/{family.id}"}


def rows(app):
    with app.app_context():
        return [
            (r.outcome_id, r.version, r.removed, r.reason, r.recorded_by_id)
            for r in db.session.scalars(sa.select(FamilyPlanOutcome).order_by(FamilyPlanOutcome.id))
        ]


def in_the_plan(app, family):
    with app.app_context():
        return casefile.case_data(db.session.get(Family, family.id))["plan_outcomes"]


def turned_around(app, family):
    with app.app_context():
        return casefile.verdict(db.session.get(Family, family.id)).turned_around


def test_removing_an_outcome_adds_a_row_and_keeps_the_one_it_removes(app, client, case, people):
    before = rows(app)
    lead = people["lead_professional"].id

    response = client.post(case["url"], data={"outcomes": ["6.2", "5.1"], "reason": REASON})

    assert response.status_code == 302
    after = rows(app)
    assert (
        after[:3]
        == before
        == [("6.2", 1, False, None, lead), ("5.1", 1, False, None, lead), ("6.1", 1, False, None, lead)]
    )
    assert after[3:] == [("6.1", 2, True, REASON, lead)]


def test_the_rules_engine_and_the_verdict_see_only_the_outcomes_in_the_plan_now(app, client, case):
    assert in_the_plan(app, case["family"]) == ["6.2", "5.1", "6.1"]
    assert not turned_around(app, case["family"])
    assert "6.1 is in the family&#39;s plan and is not met" in client.get(case["page"]).get_data(as_text=True)

    client.post(case["url"], data={"outcomes": ["6.2", "5.1"], "reason": REASON})

    assert in_the_plan(app, case["family"]) == ["6.2", "5.1"]
    assert turned_around(app, case["family"])
    page = client.get(case["page"]).get_data(as_text=True)
    assert "6.1 is in the family&#39;s plan and is not met" not in page


def test_the_page_lists_the_plan_as_before_and_the_removal_with_who_when_and_why(app, client, case, people):
    client.post(case["url"], data={"outcomes": ["6.2", "5.1"], "reason": REASON})

    page = client.get(case["page"]).get_data(as_text=True)
    plan = page.split("Outcomes in the family's plan</h2>", 1)[1].split("</ul>", 1)[0]
    assert "Outcome 6.2" in plan and "Outcome 6.1" not in plan
    assert "Outcomes removed from the family&#39;s plan" in page
    removed = page.split("Outcomes removed from the family&#39;s plan", 1)[1]
    assert "Outcome 6.1, removed on" in removed and people["lead_professional"].name in removed
    assert str(escape(REASON)) in removed
    # And the form offers 6.1 again, unticked.
    form = client.get(case["url"]).get_data(as_text=True)
    assert 'value="6.2" checked' in form and 'value="6.1"' in form and 'value="6.1" checked' not in form


def test_the_removal_is_audited_by_row_id_without_the_reason(app, client, case):
    client.post(case["url"], data={"outcomes": ["6.2", "5.1", "2.1"], "reason": REASON})

    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).filter_by(action="plan-outcomes.set")).one()
        added = db.session.scalars(sa.select(FamilyPlanOutcome).filter_by(outcome_id="2.1")).one()
        removal = db.session.scalars(sa.select(FamilyPlanOutcome).filter_by(outcome_id="6.1", removed=True)).one()
        assert event.family_id == case["family"].id
        assert event.detail == f"added plan outcome records {added.id}; removed plan outcome records {removal.id}"
        assert "wrong family" not in event.detail


def test_removing_an_outcome_needs_a_reason(app, client, case):
    before = rows(app)
    page = client.post(case["url"], data={"outcomes": ["6.2", "5.1"], "reason": "   "}).get_data(as_text=True)

    assert "<title>Error: " in page
    assert has_error(page, "reason", "Enter why you are removing outcome 6.1 from the family's plan")
    page = client.post(case["url"], data={"outcomes": []}).get_data(as_text=True)
    assert has_error(page, "reason", "Enter why you are removing outcomes 5.1, 6.1, 6.2 from the family's plan")
    assert rows(app) == before


def test_adding_an_outcome_needs_no_reason(app, client, case):
    assert client.post(case["url"], data={"outcomes": ["6.2", "5.1", "6.1", "2.1"]}).status_code == 302
    assert rows(app)[3][:4] == ("2.1", 1, False, None)


def test_a_huge_or_hostile_reason_is_refused_or_shown_as_text(app, client, case):
    before = rows(app)
    page = client.post(case["url"], data={"outcomes": ["6.2", "5.1"], "reason": "x" * 2001}).get_data(as_text=True)
    assert has_error(page, "reason", "Reason must be 2000 characters or fewer")
    assert rows(app) == before

    client.post(case["url"], data={"outcomes": ["6.2", "5.1"], "reason": "<script>alert(1)</script>"})
    page = client.get(case["page"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_outcome_removed_and_chosen_again_is_back_with_its_whole_history(app, client, case):
    client.post(case["url"], data={"outcomes": ["6.2", "5.1"], "reason": REASON})
    client.post(case["url"], data={"outcomes": ["6.2", "5.1", "6.1"]})

    assert [r[:3] for r in rows(app) if r[0] == "6.1"] == [("6.1", 1, False), ("6.1", 2, True), ("6.1", 3, False)]
    assert sorted(in_the_plan(app, case["family"])) == ["5.1", "6.1", "6.2"]
    assert not turned_around(app, case["family"])


def test_saving_the_same_plan_again_adds_no_rows(app, client, case):
    before = rows(app)
    client.post(case["url"], data={"outcomes": ["6.1", "5.1", "6.2"]})
    assert rows(app) == before


def test_partners_see_neither_the_plan_nor_the_removals(app, client, case, people):
    client.post(case["url"], data={"outcomes": ["6.2", "5.1"], "reason": REASON})
    f.sign_in(client, people["partner"])

    page = client.get(case["page"]).get_data(as_text=True)
    assert "Outcomes removed from the family" not in page and "wrong family" not in page
    assert client.post(case["url"], data={"outcomes": []}).status_code == 404


def test_a_change_made_meanwhile_by_someone_else_is_not_overwritten(app, case, people):
    """The second of two removals of one outcome from the same starting point is refused."""
    with app.test_request_context():
        login_user(db.session.get(User, people["lead_professional"].id))
        family = db.session.get(Family, case["family"].id)
        assert len(family.plan_outcome_history) == 3  # what this request read
        with db.engine.begin() as conn:  # someone else removes 1.1 meanwhile
            conn.execute(
                sa.insert(FamilyPlanOutcome).values(
                    family_id=family.id,
                    outcome_id="6.1",
                    version=2,
                    removed=True,
                    reason="Other",
                    recorded_by_id=people["lead_professional"].id,
                    recorded_at=sa.func.now(),
                )
            )

        with pytest.raises(changes.PlanChangedMeanwhile):
            changes.set_plan_outcomes(family, ["6.2", "5.1"], REASON)

    assert [r[:4] for r in rows(app) if r[0] == "6.1"] == [("6.1", 1, False, None), ("6.1", 2, True, "Other")]


def test_two_removals_posted_at_once_store_one(app, case, people):
    barrier, responses = threading.Barrier(2), [None, None]
    # Signed in one after the other: each sign-in takes a one-time code, which two
    # sign-ins at the same moment could not both use.
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        f.sign_in(client, people["lead_professional"])

    def post(i):
        client = clients[i]
        barrier.wait()
        responses[i] = client.post(case["url"], data={"outcomes": ["6.2", "5.1"], "reason": f"{REASON} ({i})"})

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert [r.status_code for r in responses] == [302, 302]
    assert len([r for r in rows(app) if r[0] == "6.1" and r[2]]) == 1
    assert in_the_plan(app, case["family"]) == ["6.2", "5.1"]
