"""Evidence documents in a real browser with CSRF on, every page checked by axe: the school's
partner attaches a PDF to attendance evidence (and is told plainly when a file holds a
virus), downloads it back, and the lead professional accepts the evidence and downloads
the closure pack, whose manifest is checked against its contents. Needs a running clamd
(scripts/test starts one)."""

import datetime as dt
import hashlib
import io
import json
import zipfile

from portal.extensions import db
from portal.models import Evidence
from tests.e2e.live import LIVE
from tests.e2e.test_walkthrough import (
    TODAY,
    accept_evidence,
    add_members,
    attach_team,
    choose_plan_outcomes,
    create_family,
    fill_date,
    identify_problems,
    sign_in,
    sign_out,
    staff,  # noqa: F401  (the fixture)
    submit,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-" + "TEST-FILE!$H+H*").encode()


def attendance_form(checked, family_url):
    page = checked.page
    checked.goto(f"{family_url}/evidence/new?outcome=2.1")
    if page.get_by_label("Attendance", exact=False).count():
        page.get_by_label("Attendance", exact=False).first.check()
        submit(checked, page.locator("main form .govuk-button").last.inner_text().strip())
    page.get_by_label("Jayden Walker", exact=False).check()
    page.locator("input[name=source]").first.check()
    fill_date(page, "period-start", TODAY - dt.timedelta(days=300))
    fill_date(page, "period-end", TODAY - dt.timedelta(days=10))
    for i, value in enumerate(("95", "93", "91"), 1):
        page.locator(f"#values-attendance-{i}").fill(value)
    page.locator("#values-fixed_term_exclusions").fill("0")
    page.locator("#values-permanent_exclusions").fill("0")
    page.locator("#statement").fill("Attendance from the school register for the last three terms.")


def test_a_partner_attaches_a_document_and_the_lead_downloads_the_closure_pack(checked_page, staff):
    page = checked_page.page
    sign_in(checked_page, staff["lead"])
    family_url = create_family(checked_page)
    add_members(checked_page, family_url)
    identify_problems(checked_page, family_url)
    choose_plan_outcomes(checked_page, family_url)
    attach_team(checked_page, family_url)
    sign_out(checked_page)

    sign_in(checked_page, staff["school"])
    # A file with a virus: refused, with the GOV.UK error naming the field and the reason.
    attendance_form(checked_page, family_url)
    page.set_input_files("#documents", files=[{"name": "register.pdf", "mimeType": "application/pdf", "buffer": EICAR}])
    submit(checked_page, "Submit evidence")
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "The selected file register.pdf contains a virus" in summary
    assert "contains a virus" in page.locator("#documents-error").inner_text()
    # Then the real file.
    attendance_form(checked_page, family_url)
    page.set_input_files("#documents", files=[{"name": "register.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    checked_page.axe()
    submit(checked_page, "Submit evidence")
    assert "submitted" in page.locator(".govuk-notification-banner").inner_text().lower()
    with LIVE["app"].app_context():
        evidence = db.session.scalars(db.select(Evidence).order_by(Evidence.id.desc())).first()
        evidence_id = evidence.id
    checked_page.goto(f"{family_url}/evidence/{evidence_id}")
    link = page.get_by_role("link", name="register.pdf", exact=False)
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == "register.pdf"
    assert info.value.path().read_bytes() == PDF
    sign_out(checked_page)

    sign_in(checked_page, staff["lead"])
    accept_evidence(checked_page, family_url)
    checked_page.goto(family_url)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the closure pack (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(info.value.path().read_bytes()))
    manifest = json.loads(archive.read("manifest.json"))
    assert [d["sha256"] for d in manifest["documents"]] == [hashlib.sha256(PDF).hexdigest()]
    for d in manifest["documents"]:
        assert hashlib.sha256(archive.read(d["file"])).hexdigest() == d["sha256"]
        assert d["uploaded_by"] == "Sam School" and d["evidence_id"] == evidence_id
    assert set(archive.namelist()) == {
        manifest["summary"]["file"],
        "manifest.json",
        "manifest.txt",
        *(d["file"] for d in manifest["documents"]),
    }
    assert manifest["summary"]["verification_code"] in archive.read("manifest.txt").decode()
