"""A lead professional reviews a queue without going back and forth (issue 13, sections 1 and 3),
in a real browser with CSRF on, every page checked by axe: signing in lands on the to-do list,
each item says what the rules engine finds of it, and each decision leads to the next item."""

import datetime as dt

import pytest

from portal.extensions import db
from portal.models import Evidence
from tests import factories as f
from tests.e2e.test_walkthrough import sign_in, submit

VALUES = {"baseline_attendance": 84, "fixed_term_exclusions": 0, "permanent_exclusions": 0, "on_roll": True}


@pytest.fixture(scope="module")
def queue(live_app):
    with live_app.app_context():
        lead = f.make_user("lead_professional", name="Lena Lead")
        school = f.make_agency("Oakfield Academy")
        partner = f.make_user("partner", school, name="Sam School")
        families = []
        for name, terms in (("Ashworth family", [91, 92, 90.6]), ("Brightwater family", [87, 88, 87.5])):
            family = f.make_family(lead, plan_id="durham-2018", name=name, engaged_on=dt.date(2017, 12, 4))
            child = f.add_member(family, lead, role="child", born=dt.date(2008, 3, 1), name=f"Child {name}")
            f.add_problem(family, lead, "2", "4", member=child, identified_on=dt.date(2017, 11, 20))
            f.attach(family, school, lead)
            db.session.add(
                Evidence(
                    family_id=family.id,
                    outcome_id="2.1",
                    member_ids=[child.id],
                    source="School Census",
                    period_start=dt.date(2018, 1, 8),
                    period_end=dt.date(2018, 12, 19),
                    values={"attendance": terms, **VALUES},
                    statement="School census.",
                    submitted_by_id=partner.id,
                    agency_id=school.id,
                )
            )
            db.session.commit()
            families.append(family.id)
        return {"lead": lead, "families": families}


def test_a_lead_professional_reviews_a_queue_from_the_to_do_list_without_going_back(checked_page, queue):
    page = checked_page.page
    sign_in(checked_page, queue["lead"])
    assert page.url.endswith("/to-do")
    assert page.get_by_role("link", name="To do (2)").is_visible()
    main = page.locator("main").inner_text()
    assert "Meets 2.1." in main and "Does not meet 2.1: 3 terms averaging 87.5%" in main

    page.get_by_role("link", name="Review the evidence for outcome 2.1").first.click()
    checked_page.axe()
    assert "1 more submission is waiting for your review after this one" in page.locator("main").inner_text()
    page.get_by_label("Accept", exact=True).check()
    submit(checked_page, "Save decision")
    # Straight on to the next item, with the engine's word on it: no list in between.
    assert f"/families/{queue['families'][1]}/reviews/" in page.url
    text = page.locator("main").inner_text()
    assert (
        "This is the next evidence waiting for your review" in page.locator(".govuk-notification-banner").inner_text()
    )
    assert "Does not meet 2.1: 3 terms averaging 87.5%" in text
    page.get_by_label("Return to whoever submitted it").check()
    page.get_by_label("If you are returning it, say why").fill("The autumn term is missing.")
    submit(checked_page, "Save decision")
    assert page.url.endswith(f"/families/{queue['families'][1]}")
    assert "Nothing else is waiting for your review" in page.locator(".govuk-notification-banner").inner_text()
    assert page.get_by_role("link", name="To do", exact=True).is_visible()
    checked_page.assert_clean()
