"""A verifier checks a downloaded closure summary's code on /verify, in a real browser, every
page checked by axe: first it matches; after new evidence it lists what changed."""

import datetime as dt
import io
import re
from pathlib import Path

import pypdf
import pytest

from portal.extensions import db
from portal.models import Evidence
from tests import factories as f
from tests.e2e.test_walkthrough import sign_in, submit


@pytest.fixture(scope="module")
def case(live_app):
    with live_app.app_context():
        lead = f.make_user("lead_professional", name="Vera Lead")
        family = f.make_family(lead, name="Quinn family")
        child = f.add_member(family, lead, name="Robin Quinn")
        f.add_problem(family, lead, "2", "a", member=child)
        return {
            "lead": lead,
            "verifier": f.make_user("verifier", name="Val Verifier"),
            "family": family,
            "child": child,
        }


def _code_from(download) -> str:
    text = pypdf.PdfReader(io.BytesIO(Path(download.path()).read_bytes())).pages[0].extract_text()
    return re.search(r"Verification code: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", text).group(1)


def _check(checked, code):
    page = checked.page
    page.get_by_role("link", name="Check a summary").click()
    checked.axe()
    page.get_by_label("Verification code").fill(code.lower())
    submit(checked, "Check the code")


def test_a_verifier_checks_a_summary_then_sees_what_changed(live_app, checked_page, case):
    page = checked_page.page
    sign_in(checked_page, case["verifier"])
    checked_page.goto(f"/families/{case['family'].id}")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the closure summary (PDF)").click()
    code = _code_from(info.value)

    _check(checked_page, code)
    assert page.get_by_role("heading", level=1).inner_text() == "This summary matches the records"
    assert "Matches" in page.locator("#verify-status").inner_text()

    with live_app.app_context():  # a partner's new evidence arrives
        db.session.add(
            Evidence(
                family_id=case["family"].id,
                outcome_id="2.1",
                member_ids=[case["child"].id],
                source="School attendance return",
                period_start=dt.date(2025, 9, 1),
                period_end=dt.date(2025, 12, 19),
                values={},
                statement="Attending",
                submitted_by_id=case["lead"].id,
            )
        )
        db.session.commit()
    _check(checked_page, code)
    assert page.get_by_role("heading", level=1).inner_text() == "The records have changed since this summary was made"
    assert (
        "Evidence added: \u201cSchool attendance return\u201d for outcome 2.1, 1 September 2025 to 19 December 2025."
    ) in page.locator("#verify-changes").inner_text()

    page.get_by_role("link", name="Check another code").click()
    checked_page.axe()
    page.get_by_label("Verification code").fill("not a code")
    submit(checked_page, "Check the code")
    assert page.title().startswith("Error: ")
    assert "12 letters and numbers" in page.locator(".govuk-error-summary").inner_text()
    checked_page.assert_clean()
