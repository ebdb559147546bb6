"""Handing a family over, in a real browser with CSRF on, every page checked by axe."""

import pytest

from tests import factories as f
from tests.e2e.test_walkthrough import sign_in, sign_out, submit


@pytest.fixture(scope="module")
def staff(live_app):
    with live_app.app_context():
        lead = f.make_user("lead_professional", name="Lena Lead")
        return {
            "lead": lead,
            "next": f.make_user("lead_professional", name="Nadia Next"),
            "admin": f.make_user("admin", name="Ada Admin"),
            "first": f.make_family(lead, name="Ashworth family"),
            "second": f.make_family(lead, name="Brook family"),
        }


def test_a_lead_professional_hands_a_family_over_and_an_admin_the_rest(checked_page, staff):
    page = checked_page.page
    sign_in(checked_page, staff["lead"])
    checked_page.goto(f"/families/{staff['first'].id}")
    page.get_by_role("link", name="Hand over the family to another lead professional").click()
    checked_page.axe()
    submit(checked_page, "Hand over the family")
    assert page.title().startswith("Error: ")
    page.get_by_label("Nadia Next", exact=False).check()
    submit(checked_page, "Hand over the family")
    assert "now led by Nadia Next" in page.locator(".govuk-notification-banner").inner_text()
    assert staff["first"].ref not in page.locator("table").inner_text()
    sign_out(checked_page)

    sign_in(checked_page, staff["admin"])
    checked_page.goto(f"/admin/users/{staff['lead'].id}")
    checked_page.axe()
    page.get_by_role("link", name="Hand over Lena Lead’s families", exact=False).click()
    checked_page.axe()
    page.get_by_label("Nadia Next", exact=False).check()
    submit(checked_page, "Hand over families")
    assert "1 family handed over to Nadia Next" in page.locator(".govuk-notification-banner").inner_text()
    assert "lead professional for 0 families" in page.locator("main").inner_text()
    checked_page.assert_clean()
