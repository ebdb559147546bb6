"""Issue 13, sections 2 and 5, in a real browser with CSRF on, every page checked by axe:
a forgotten password reset by link (then the second factor as always), the admin's
outbox, and the audit log's date filter (its errors) and CSV link for a lead professional."""

import re

import pytest

from portal.notify.delivery import backend
from tests import factories as f
from tests.e2e.live import LIVE
from tests.e2e.test_walkthrough import sign_in, sign_out


@pytest.fixture(scope="module")
def people(live_app):
    with live_app.app_context():
        lead = f.make_user("lead_professional", name="Lena Lead")
        return {
            "lead": lead,
            "family": f.make_family(lead, name="Quixotrelle family"),
            "admin": f.make_user("admin", name="Ada Admin"),
        }


def test_a_forgotten_password_is_reset_with_the_e_mailed_link(checked_page, live_app, people):
    page = checked_page.page
    checked_page.goto("/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    checked_page.axe()
    page.get_by_role("button", name="Send me a link").click()  # nothing typed
    checked_page.axe()
    assert (
        page.title().startswith("Error: ")
        and "Enter your email address" in page.locator(".govuk-error-summary").inner_text()
    )
    page.get_by_label("Email address").fill(people["lead"].email)
    page.get_by_role("button", name="Send me a link").click()
    checked_page.axe()
    assert page.locator("h1").inner_text() == "Check your email"
    page.wait_for_timeout(300)  # the e-mail goes after the response
    [body] = [b for to, _s, b in backend(live_app).sent_here if to == people["lead"].email]
    link = re.search(r"(/reset-password\?token=[\w-]+)", body).group(1)
    checked_page.goto(link)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password").fill("short")
    page.get_by_role("button", name="Reset password").click()
    checked_page.axe()
    assert "Password must be 12 characters or more" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("New password", exact=True).fill("lantern orchard pebble")
    page.get_by_label("Confirm new password").fill("lantern orchard pebble")
    page.get_by_role("button", name="Reset password").click()
    checked_page.axe()
    assert page.locator("h1").inner_text() == "Sign in"
    checked_page.goto(link)  # used: it works once
    assert page.locator("h1").inner_text() == "This link has expired"
    assert [p for p in checked_page.problems if "status of 410" not in p] == []


def test_the_admin_reads_the_outbox_and_filters_the_audit_log_by_date(checked_page, people):
    page = checked_page.page
    sign_in(checked_page, people["admin"])
    checked_page.goto("/admin/outbox")
    assert "Reset your password for the" in page.locator("main").inner_text()
    assert "link withheld" in page.locator("main").inner_text()
    checked_page.goto("/audit")
    page.locator("#date_from-day").fill("31")
    page.locator("#date_from-month").fill("2")
    page.locator("#date_from-year").fill("2026")
    page.get_by_role("button", name="Filter").click()
    checked_page.axe()
    assert "The start date must be a real date" in page.locator(".govuk-error-summary").inner_text()
    # The error's link takes the keyboard to the date's day box (GOV.UK Frontend focuses what it names).
    page.locator(".govuk-error-summary").get_by_role("link", name="The start date must be a real date").click()
    assert page.evaluate("document.activeElement.id") == "date_from-day"
    sign_out(checked_page)


def test_a_lead_professional_reads_and_downloads_their_familys_log(checked_page, people):
    page = checked_page.page
    # The new password, then the authenticator code: two-factor sign-in still applies after a reset.
    checked_page.goto("/sign-in")
    page.get_by_label("Email address").fill(people["lead"].email)
    page.get_by_role("textbox", name="Password").fill("lantern orchard pebble")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Enter your security code"
    with LIVE["app"].app_context():
        code = f.totp_code(people["lead"])
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()
    checked_page.axe()
    checked_page.goto(f"/families/{people['family'].id}")
    page.get_by_role("link", name="See who has read or changed this family’s record").click()
    checked_page.axe()
    main = page.locator("main").inner_text()
    assert "Family record read" in main and re.search(r"\d{4} \d\d:\d\d:\d\d (GMT|BST)", main)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download this log as a spreadsheet")).click()
    assert download.value.suggested_filename == f"audit-log-{people['family'].ref}.csv"
    sign_out(checked_page)
