"""The PDF closure summary: its content, who may download it, and the audit."""

import datetime as dt

import pytest
from markupsafe import escape

from portal import casefile
from portal.closure.pdf import html_to_pdf
from portal.closure.summary import summary_html
from portal.closure.views import download_name
from portal.demo import load_demo
from portal.demo.dates import add_years
from portal.demo.people import DEMO_PASSWORD, email
from portal.demo.scenarios import SCENARIOS, read_example, years_on
from portal.extensions import db
from portal.models import AuditEvent, Family, User
from tests.factories import make_family, make_user, sign_in

CLOSED_AND_TURNED_AROUND = "HERTS-EX-001"
OPEN_UNDER_REVIEW = "SUF-EX-0002"
_HERTS_EXAMPLE = next(s for s in SCENARIOS if s.example == "hertfordshire-2022-turned-around")


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo(dt.date.today())
    return app


def _demo_day(year, month, day):
    # The demo moves each example on by whole years so it is current today.
    moved = add_years(dt.date(year, month, day), years_on(_HERTS_EXAMPLE, dt.date.today()))
    return f"{moved.day} {moved:%B %Y}"


def _family(ref):
    return db.session.scalar(db.select(Family).filter_by(ref=ref))


def _user(local_part):
    return db.session.scalar(db.select(User).filter_by(email=email(local_part)))


def _summary(app, ref, by="verifier"):
    with app.test_request_context():
        family = _family(ref)
        return summary_html(family, _user(by)), casefile.verdict(family), family


def _url(app, ref):
    with app.app_context():
        return f"/families/{_family(ref).id}/closure-summary.pdf"


def _sign_in(client, app, local_part):
    with app.app_context():
        sign_in(client, _user(local_part), password=DEMO_PASSWORD)


def test_the_summary_of_a_closed_family_says_turned_around_and_why(demo):
    page, verdict, _ = _summary(demo, CLOSED_AND_TURNED_AROUND)
    assert verdict.turned_around
    assert CLOSED_AND_TURNED_AROUND in page and "Murphy family" in page
    assert "Hertfordshire County Council" in page and "The new Supporting Families Outcomes Framework" in page
    assert "Turned around: Yes" in page and "Significant and sustained progress" in page
    assert f"Closed on</dt><dd>{_demo_day(2023, 4, 28)}" in page and "DRAFT" not in page
    for problem in verdict.problems:
        for need in problem.needs:
            for outcome in need.outcomes:
                assert outcome.id in page
                assert all(escape(reason) in page for reason in outcome.reasons)
    assert "Claire" in page and "Parent" in page and "Jenny Clarke" in page


def test_the_summary_lists_the_accepted_evidence_with_source_agency_and_statement(demo):
    page, _, _ = _summary(demo, CLOSED_AND_TURNED_AROUND)
    assert "All families must have been supported by a lead practitioner" in page
    assert f"Yes, from {_demo_day(2022, 11, 21)}" in page
    assert "Census" in page and "Oakfield Academy" in page and "Community Health NHS Trust" in page
    for item in read_example("hertfordshire-2022-turned-around")["evidence"]:  # all accepted
        assert escape(item["statement"]) in page and escape(item["source"]) in page


def test_an_open_case_is_a_draft_and_leaves_out_evidence_not_yet_accepted(demo):
    page, verdict, _ = _summary(demo, OPEN_UNDER_REVIEW)
    assert "DRAFT" in page and "Case open" in page and "this is a draft" in page
    assert "Turned around: No" in page and "No claim" in page
    assert "Mark Bennett" not in page.split("Evidence relied on")[1]  # 5.1 is submitted, not reviewed
    assert all(escape(item) in page for item in verdict.missing)


def test_returned_and_superseded_evidence_is_not_relied_on(demo):
    page, _, _ = _summary(demo, "SWK-0451")
    evidence = page.split("Evidence relied on")[1]
    assert "version 2" in evidence
    assert "93.5% in autumn 2018 and 91.0% in spring 2019." not in evidence  # the returned first go


def test_the_summary_says_when_and_by_whom_it_was_made(demo):
    now = dt.datetime(2026, 3, 2, 9, 5, tzinfo=dt.UTC)
    with demo.test_request_context():
        page = summary_html(_family(CLOSED_AND_TURNED_AROUND), _user("lead"), now=now)
    assert "Generated at 09:05 UTC on 2 March 2026 by Jenny Clarke (Lead professional, Early Help Team)" in page


def test_text_typed_into_the_case_is_escaped(app, people):
    with app.test_request_context():
        family = make_family(people["lead_professional"], name="<b>Smith</b> family")
        page = summary_html(family, db.session.get(User, people["verifier"].id))
    assert "&lt;b&gt;Smith&lt;/b&gt; family" in page and "<b>Smith</b>" not in page
    assert "No members recorded." in page and "No evidence has been accepted." in page


def test_the_pdf_renders_as_a_pdf(demo):
    page, _, _ = _summary(demo, CLOSED_AND_TURNED_AROUND)
    pdf = html_to_pdf(page)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


@pytest.mark.parametrize("who", ["lead", "verifier"])
def test_the_lead_professional_and_verifier_download_it_and_the_download_is_audited(demo, client, who):
    _sign_in(client, demo, who)
    response = client.get(_url(demo, CLOSED_AND_TURNED_AROUND))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == 'attachment; filename="HERTS-EX-001-closure-summary.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    with demo.app_context():
        event = db.session.scalar(db.select(AuditEvent).filter_by(action="closure.download"))
        assert event.family_id == _family(CLOSED_AND_TURNED_AROUND).id and event.user_email == email(who)


@pytest.mark.parametrize("who", ["school", "police", "admin"])
def test_partners_even_on_the_team_and_admins_get_404(demo, client, who):
    _sign_in(client, demo, who)
    assert client.get(_url(demo, CLOSED_AND_TURNED_AROUND)).status_code == 404
    with demo.app_context():
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="closure.download")) is None


def test_a_lead_professional_not_leading_the_family_gets_404(demo, client):
    with demo.app_context():
        stranger = make_user("lead_professional")
    sign_in(client, stranger)
    assert client.get(_url(demo, CLOSED_AND_TURNED_AROUND)).status_code == 404


def test_an_unknown_family_is_404(demo, client):
    _sign_in(client, demo, "verifier")
    assert client.get("/families/999999/closure-summary.pdf").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(demo, client):
    response = client.get(_url(demo, CLOSED_AND_TURNED_AROUND))
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_file_name_keeps_only_safe_characters():
    assert download_name('AB/12"; x') == "AB_12___x-closure-summary.pdf"
