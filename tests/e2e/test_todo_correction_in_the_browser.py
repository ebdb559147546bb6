"""What needs you, in a real browser with CSRF on, every page checked by axe (issue 13): the
lead professional returns a partner's evidence with a reason; the returned item reaches its
submitter by e-mail (the outbox); the partner signs in, lands on their to-do list, follows the
returned item straight to the correction form, attaches a document and saves the correction,
which then waits for review, with the document on the new version and the first version kept
as it was. Needs a running clamd (scripts/test starts one)."""

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Evidence, EvidenceDocument, Notification
from tests.e2e.live import LIVE
from tests.e2e.test_documents_in_the_browser import PDF, attendance_form
from tests.e2e.test_walkthrough import (
    add_members,
    attach_team,
    choose_plan_outcomes,
    create_family,
    identify_problems,
    sign_in,
    sign_out,
    staff,  # noqa: F401  (the fixture)
    submit,
)

REASON = "The register covers only two terms; send all three"


def test_a_partner_follows_their_to_do_list_to_a_correction_with_a_document(checked_page, staff):
    page = checked_page.page
    sign_in(checked_page, staff["lead"])
    family_url = create_family(checked_page)
    add_members(checked_page, family_url)
    identify_problems(checked_page, family_url)
    choose_plan_outcomes(checked_page, family_url)
    attach_team(checked_page, family_url)
    sign_out(checked_page)

    sign_in(checked_page, staff["school"])
    attendance_form(checked_page, family_url)
    submit(checked_page, "Submit evidence")
    sign_out(checked_page)

    # The lead professional returns it, with a reason.
    sign_in(checked_page, staff["lead"])
    checked_page.goto(f"{family_url}/reviews")
    page.get_by_role("link", name="See the values and the rules engine's check", exact=False).first.click()
    checked_page.axe()
    page.get_by_label("Return to whoever submitted it").check()
    page.get_by_label("If you are returning it, say why").fill(REASON)
    submit(checked_page, "Save decision")
    sign_out(checked_page)

    with LIVE["app"].app_context():
        first = db.session.scalars(sa.select(Evidence).order_by(Evidence.id.desc())).first()
        first_id = first.id
        mail = db.session.scalars(sa.select(Notification).filter_by(kind="evidence-returned")).all()
        assert [m.email for m in mail] == [staff["school"].email]
        assert REASON not in mail[0].body  # a reference and a link only: the reason is read after signing in

    # The partner lands on what needs them, and goes straight to the correction.
    sign_in(checked_page, staff["school"])
    assert page.url.endswith("/to-do")
    assert "To do (1)" in page.locator("nav").inner_text()
    checked_page.axe()
    returned = page.locator("section, div").filter(has_text="Evidence returned to you to correct").last
    assert REASON in returned.inner_text()
    page.get_by_role("link", name="Correct the evidence for outcome 2.1", exact=False).click()
    assert f"/evidence/{first_id}/correct" in page.url
    assert "Correct evidence for outcome 2.1" in page.locator("h1").inner_text()
    for i, value in enumerate(("95", "93", "91"), 1):
        page.locator(f"#values-attendance-{i}").fill(value)
    page.set_input_files("#documents", files=[{"name": "register.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    checked_page.axe()
    submit(checked_page, "Save correction")
    assert "corrected" in page.locator(".govuk-notification-banner").inner_text().lower()

    with LIVE["app"].app_context():
        correction = db.session.scalars(sa.select(Evidence).filter_by(replaces_id=first_id)).one()
        assert correction.version == 2
        documents = db.session.scalars(sa.select(EvidenceDocument).filter_by(evidence_id=correction.id)).all()
        assert [d.filename for d in documents] == ["register.pdf"]
        assert db.session.scalars(sa.select(EvidenceDocument).filter_by(evidence_id=first_id)).all() == []

    # Nothing is returned any more; the correction waits for review.
    checked_page.goto("/to-do")
    text = page.locator("main").inner_text()
    assert "Outcome 2.1, version 2" in text
    assert "To do (1)" not in page.locator("nav").inner_text()
