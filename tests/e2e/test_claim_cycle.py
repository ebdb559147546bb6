"""A claim from window to submitted files, in a real browser with CSRF on, every page checked by axe.

A programme manager opens a window and builds a claim from the filter, draws the
sample; a verifier decides every sampled line through its task list (one
rejection); a second programme manager approves and submits; the CSV and the ZIP
are downloaded and their contents checked.
"""

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from portal.demo import load_demo
from portal.demo.people import DEMO_PASSWORD
from portal.extensions import db
from portal.models import User
from tests.e2e.test_walkthrough import fill_date, sign_out, submit

TURNED_AROUND_PHASE_2 = {
    "SUF-EX-0001",
    "SWK-0217",
    "DUR-2018-0412",
    "SUN-0142",
    "SUF-EX-0003",
    "SWK-0451",
    "DUR-2018-0733",
    "SUN-0318",
}


@pytest.fixture(scope="module")
def demo_users(live_app):
    # The demo as a newcomer tries it in development: demo accounts sign in with the
    # password alone (two factors for real accounts are walked in test_two_factor_and_timeout).
    live_app.config["DEMO_ACCOUNTS_SKIP_SECOND_FACTOR"] = True
    with live_app.app_context():
        load_demo(dt.date.today())
        return {u.email.split("@")[0]: u.email for u in db.session.scalars(db.select(User))}


def sign_in(checked, email):
    page = checked.page
    checked.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    checked.axe()


def test_a_claim_from_window_to_submitted_files(checked_page, demo_users, tmp_path):
    page = checked_page.page
    sign_in(checked_page, demo_users["programme"])
    page.get_by_role("link", name="Claims").first.click()
    checked_page.axe()
    page.get_by_role("button", name="Open a claim window").click()
    checked_page.axe()
    submit(checked_page, "Open the claim window")
    assert page.title().startswith("Error: ")
    page.get_by_label("Name of the claim window").fill("E2E quarter 3")
    fill_date(page, "claim_date", dt.date.today())
    for plan_id in ("durham-2018", "southwark-2018", "suffolk-2017", "sunderland-2015"):
        page.locator(f"input[name='plans'][value='{plan_id}']").check()
    page.get_by_label("Tolerated rejection rate", exact=False).fill("50")
    page.get_by_label("Smallest sample (lines)").fill("3")
    submit(checked_page, "Open the claim window")
    assert "Claim window E2E quarter 3 opened" in page.locator(".govuk-notification-banner").inner_text()
    window_url = page.url
    submit(checked_page, "Start a claim")
    page.locator("#status-claimable").check()
    submit(checked_page, "Apply filters")
    submit(checked_page, "Add every claimable family matching the filter")
    assert "8 families added" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_role("link", name="Go to the claim", exact=False).click()
    checked_page.axe()
    submit(checked_page, "Draw the audit sample")
    claim_url = page.url
    sampled = page.locator("tr:has-text('In the sample') a").all_inner_texts()
    assert len(sampled) == 3
    # The claims pages' tables reflow on a narrow screen (WCAG 1.4.10), as the rest of the portal's do.
    wide = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    for url in (window_url, claim_url, checked_page.base_url + "/claims"):
        checked_page.goto(url.removeprefix(checked_page.base_url))
        widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"{url} scrolls sideways at 320 px: {widths[0]} > {widths[1]}"
    page.set_viewport_size(wide)
    checked_page.goto(claim_url.removeprefix(checked_page.base_url))
    sign_out(checked_page)

    sign_in(checked_page, demo_users["verifier"])
    for n, ref in enumerate(sampled):
        checked_page.goto(claim_url.removeprefix(checked_page.base_url))
        page.get_by_role("link", name=ref, exact=True).click()
        checked_page.axe()
        page.get_by_role("link", name="Eligibility").click()
        checked_page.axe()
        page.get_by_role("link", name="Back to the checks").first.click()
        page.get_by_role("link", name="Double claim").click()
        checked_page.axe()
        assert "No other claim of this programme phase holds this family" in page.locator("main").inner_text()
        page.get_by_role("link", name="Back to the checks").first.click()
        page.get_by_role("link", name="Decision").click()
        checked_page.axe()
        if n == 0:
            page.get_by_label("Rejected", exact=True).check()
            page.get_by_label("The evidence does not show the outcome").check()
            page.get_by_role("textbox", name="Note").fill("The attendance return covers another child")
        else:
            page.get_by_label("Verified", exact=True).check()
        submit(checked_page, "Save decision")
    sign_out(checked_page)

    sign_in(checked_page, demo_users["programme2"])
    checked_page.goto(claim_url.removeprefix(checked_page.base_url))
    page.get_by_role("button", name="Check and approve").click()
    checked_page.axe()
    assert sampled[0] in page.locator("main").inner_text()  # the rejection is listed
    submit(checked_page, "Approve the claim")
    submit(checked_page, "Submit the claim")
    assert "Claim" in page.locator(".govuk-panel").inner_text()
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download the claim file (CSV)").click()
    text = Path(csv_download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["reference"] for r in rows} == TURNED_AROUND_PHASE_2 - {sampled[0]}
    with page.expect_download() as zip_download:
        page.get_by_role("link", name="Download the ZIP", exact=False).click()
    names = zipfile.ZipFile(zip_download.value.path()).namelist()
    pdfs = sorted(n for n in names if n.startswith("closure-summaries/"))
    assert pdfs == sorted(
        f"closure-summaries/{ref}-closure-summary.pdf" for ref in TURNED_AROUND_PHASE_2 - {sampled[0]}
    )
    checked_page.assert_clean()
