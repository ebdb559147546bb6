"""Segregation of duties in a real browser with CSRF on, every page checked by axe: a lead
professional's own evidence waits for a programme manager, who finds it and returns it;
an admin reads the audit log without case data."""

import datetime as dt

import pytest

from portal.extensions import db
from portal.models import Evidence
from tests import factories as f
from tests.e2e.test_walkthrough import sign_in, sign_out, submit


@pytest.fixture(scope="module")
def staff(live_app):
    with live_app.app_context():
        lead = f.make_user("lead_professional", name="Lena Lead")
        family = f.make_family(lead, name="Quixotrelle family")
        member = f.add_member(family, lead, role="parent", born=dt.date(1986, 4, 12), name="Kerry Quixotrelle")
        evidence = Evidence(
            family_id=family.id,
            outcome_id="6.2",
            member_ids=[member.id],
            source="Social Care and Early Help practitioners (via CareFirst & Profile)",
            period_start=dt.date(2024, 2, 1),
            period_end=dt.date(2024, 8, 1),
            values={"confirmed": True, "practitioner": "Lena Lead"},
            statement="Kerry manages her health well now.",
            submitted_by_id=lead.id,
        )
        db.session.add(evidence)
        db.session.commit()
        return {
            "lead": lead,
            "family": family,
            "evidence": evidence,
            "pm": f.make_user("programme_manager", name="Priya Programme"),
            "admin": f.make_user("admin", name="Ada Admin"),
        }


def test_a_programme_manager_reviews_what_the_lead_professional_submitted(checked_page, staff):
    page = checked_page.page
    family_url = f"/families/{staff['family'].id}"
    sign_in(checked_page, staff["lead"])
    checked_page.goto(family_url)
    assert "A programme manager must review this because you submitted it." in page.locator("main").inner_text()
    sign_out(checked_page)

    sign_in(checked_page, staff["pm"])
    page.get_by_role("link", name="Evidence to review").click()
    checked_page.axe()
    page.get_by_role("link", name=f"Review submission {staff['evidence'].id}", exact=False).click()
    checked_page.axe()
    page.get_by_label("Return to whoever submitted it").check()
    submit(checked_page, "Save decision")
    assert page.title().startswith("Error: ")
    page.get_by_label("If you are returning it, say why").fill("Name the practitioner who confirmed it.")
    submit(checked_page, "Save decision")
    assert "returned" in page.locator(".govuk-notification-banner").inner_text().lower()
    checked_page.goto("/families/reviews")
    assert "No evidence is waiting for your review" in page.locator("main").inner_text()
    sign_out(checked_page)

    sign_in(checked_page, staff["admin"])
    for path in ("/audit/families", f"{family_url}/audit", "/audit", "/audit?action=evidence.return"):
        checked_page.goto(path)
        text = page.locator("main").inner_text()
        assert "Quixotrelle" not in text and "Name the practitioner" not in text
    checked_page.assert_clean()
