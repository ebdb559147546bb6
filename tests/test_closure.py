"""The PDF closure summary: content a verifier reads without a glossary, one source of truth
with the family page, reproducible bytes, its verification code and QR code, accessibility,
signing, who may download it, and the audit."""

import datetime as dt
import html as htmllib
import io
import re
import time

import pypdf
import pytest
from markupsafe import escape

from portal import casefile, verdicts
from portal.closure import snapshot as snapshots
from portal.closure.pdf import html_to_pdf
from portal.closure.summary import build, summary_html, verify_url
from portal.closure.views import download_name
from portal.demo import load_demo
from portal.demo.dates import add_years
from portal.demo.people import DEMO_PASSWORD, email
from portal.demo.scenarios import SCENARIOS, read_example, years_on
from portal.extensions import db
from portal.models import AuditEvent, ClosureSummary, Family, User
from portal.models.append_only import AppendOnlyError
from tests.factories import make_family, make_user, sign_in

CLOSED_AND_TURNED_AROUND = "HERTS-EX-001"
OPEN_UNDER_REVIEW = "SUF-EX-0002"
CONTINUOUS_EMPLOYMENT = "SWK-0451"
_HERTS_EXAMPLE = next(s for s in SCENARIOS if s.example == "hertfordshire-2022-turned-around")
FOOTER = re.compile(r"^(.* closure summary( \(DRAFT\))?|Verification code: .*|Check it at .*|Page \d+ of \d+)$")


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


def _summary(app, ref):
    with app.test_request_context():
        family = _family(ref)
        return summary_html(family), casefile.verdict(family), family


def _url(app, ref):
    with app.app_context():
        return f"/families/{_family(ref).id}/closure-summary.pdf"


def _sign_in(client, app, local_part):
    with app.app_context():
        sign_in(client, _user(local_part), password=DEMO_PASSWORD)


def pdf_text(pdf: bytes) -> str:
    """The document's text without the page footers, whitespace collapsed (lines wrap anywhere)."""
    lines = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        lines += [line for line in page.extract_text().splitlines() if not FOOTER.match(line.strip())]
    return " ".join(" ".join(lines).split())


def _flat(markup: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


# -- content -------------------------------------------------------------------------------------


def test_the_summary_of_a_closed_family_says_turned_around_and_why(demo):
    page, verdict, _ = _summary(demo, CLOSED_AND_TURNED_AROUND)
    assert verdict.turned_around
    assert CLOSED_AND_TURNED_AROUND in page and "Murphy family" in page
    assert "Hertfordshire County Council" in page and "The new Supporting Families Outcomes Framework" in page
    assert "Turned around: Turned around" in page and "Significant and sustained progress" in page
    assert "Earliest claim date: Now: the family can be claimed for" in page
    assert f"Closed on: {_demo_day(2023, 4, 28)}" in page and "DRAFT" not in page
    for problem in verdict.problems:
        for need in problem.needs:
            assert f"Family need {need.id}: {escape(need.text)}" in page
    assert "Claire" in page and "Jenny Clarke" in page


def test_members_and_evidence_are_named_and_dates_written_the_govuk_way(demo):
    with demo.test_request_context():
        for family in db.session.scalars(db.select(Family)):
            # Not the stylesheet: the QR code's PNG is a base64 data URI in it, where "/e6+" is
            # a run of random characters, not an evidence id (it failed once on PostgreSQL).
            text = _flat(re.sub(r"<style>.*?</style>", " ", build(family).html, flags=re.DOTALL))
            assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), family.ref
            assert not re.search(r"\((m\d+)\)|\bevidence e\d+\b|\be\d+\b", text), family.ref


def test_engine_clauses_become_sentences_with_names_and_dates():
    words = verdicts.Words(
        {12: "Sam"},
        {
            22: verdicts.evidence_name(
                type(
                    "E",
                    (),
                    {
                        "source": "School census",
                        "period_start": dt.date(2025, 9, 1),
                        "period_end": dt.date(2025, 12, 19),
                    },
                )()
            )
        },
    )
    said = words.sentences(
        [
            "Sam (m12): no accepted evidence for 2.1 yet",
            "evidence e22 runs to 2025-12-19, after 2025-11-07, so it is not counted yet",
            "evidence e5 is about m12",
            "Evidence e22 for 2.1 is set aside: it is about m12, but 2.1 must be about an adult",
        ]
    )
    assert said == [
        "Sam: no accepted evidence for 2.1 yet.",
        (
            "The evidence \u201cSchool census\u201d for 1 September 2025 to 19 December 2025 runs to "
            "19 December 2025, after 7 November 2025, so it is not counted yet."
        ),
        "An evidence item is about Sam.",
        (
            "The evidence \u201cSchool census\u201d for 1 September 2025 to 19 December 2025 for 2.1 is set aside: "
            "it is about Sam, but 2.1 must be about an adult."
        ),
    ]


def test_the_summary_gives_every_detail_of_the_accepted_evidence(demo):
    page, _, _ = _summary(demo, CLOSED_AND_TURNED_AROUND)
    assert "All families must have been supported by a lead practitioner" in page
    assert f"In place from {_demo_day(2022, 11, 21)}" in page
    assert "Census" in page and "Oakfield Academy" in page and "Community Health NHS Trust" in page
    for item in read_example("hertfordshire-2022-turned-around")["evidence"]:  # all accepted
        assert escape(item["statement"]) in page and escape(item["source"]) in page
    evidence = page.split("Evidence relied on")[1]
    for label in (
        "Outcome:",
        "About:",
        "Source:",
        "Agency:",
        "Submitted by:",
        "Period:",
        "Statement:",
        "Version 1",
        "Accepted by:",
    ):
        assert label in evidence
    assert "Accepted by: Jenny Clarke on " in evidence
    # An outcome's words are printed once, in the verdict part; the evidence says where.
    assert "Outcome: EDU1 (its words are under Family need EDU1, above)" in evidence
    assert escape(plan_outcome_text("EDU1")) not in evidence and escape(plan_outcome_text("EDU1")) in page


def plan_outcome_text(outcome_id, plan_id="hertfordshire-2022"):
    from portal.rules.plan import load_plans

    return load_plans()[plan_id].outcome_by_id[outcome_id].text


def test_an_open_case_is_a_draft_and_leaves_out_evidence_not_yet_accepted(demo):
    page, verdict, _ = _summary(demo, OPEN_UNDER_REVIEW)
    assert "DRAFT" in page and "Case open" in page and "this is a draft" in page
    assert "Turned around: Not yet" in page and "No claim yet" in page
    assert "Mark Bennett" not in page.split("Evidence relied on")[1]  # 5.1 is submitted, not reviewed
    assert all(escape(verdicts.sentence(item)) in page for item in verdict.missing)


def test_returned_and_superseded_evidence_is_not_relied_on(demo):
    page, _, _ = _summary(demo, CONTINUOUS_EMPLOYMENT)
    evidence = page.split("Evidence relied on")[1]
    assert "Version 2, correcting version 1" in evidence
    assert "93.5% in autumn 2018 and 91.0% in spring 2019." not in evidence  # the returned first go


def test_a_continuous_employment_claim_shows_the_other_problems_as_not_needed(demo):
    page, verdict, _ = _summary(demo, CONTINUOUS_EMPLOYMENT)
    assert verdict.claim_type == "continuous_employment" and verdict.missing
    missing = page.split("What is still missing")[1].split("Not needed for a continuous-employment claim")
    assert "Nothing: the family meets the plan&#39;s rules for a claim." in missing[0]
    assert all(escape(verdicts.sentence(item)) in missing[1] for item in verdict.missing)
    assert "Not needed for a continuous-employment claim. Identified" in page  # the problems' status


def test_the_document_names_neither_who_made_it_nor_when(demo):
    page, _, _ = _summary(demo, CLOSED_AND_TURNED_AROUND)
    assert "Generated" not in page and "Verifier" not in page


def test_text_typed_into_the_case_is_escaped(app, people):
    with app.test_request_context():
        family = make_family(people["lead_professional"], name="<b>Smith</b> family")
        page = summary_html(family)
    assert "&lt;b&gt;Smith&lt;/b&gt; family" in page and "<b>Smith</b>" not in page
    assert "No members recorded." in page and "No evidence has been accepted." in page


def _summary_with_statement(app, people, statement) -> bytes:
    """The PDF summary of a new Suffolk case with one accepted evidence item saying `statement`."""
    from tests.test_families import add_evidence, suffolk_case

    with app.test_request_context():
        family, parent, _ = suffolk_case(people)
        add_evidence(
            family,
            parent,
            people["partner"],
            status="accepted",
            reviewer=people["lead_professional"],
            statement=statement,
        )
        db.session.commit()
        return html_to_pdf(summary_html(family))


def test_a_statement_with_a_word_longer_than_the_line_wraps_instead_of_running_off_the_page(app, people):
    """10,000 characters with no space (the most a statement may hold) fill several pages, not one line."""

    def pages(statement):
        reader = pypdf.PdfReader(io.BytesIO(_summary_with_statement(app, people, statement)))
        return len(reader.pages), "".join(page.extract_text() for page in reader.pages)

    short, _ = pages("Attended every session.")
    long, text = pages("x" * 10_000)
    assert long >= short + 2, (short, long)
    assert text.count("x") >= 10_000


def test_a_statement_pasted_with_unicode_line_and_paragraph_separators_still_makes_a_summary(app, people):
    """WeasyPrint 70 stops with an AssertionError on a paragraph separator (U+2029) after a space, in
    any text: one pasted statement made the family's summary, and every batch holding it, fail. A line
    separator (U+2028) printed a box for a missing glyph. Both are written as the line breaks they are."""
    statement = "Attended every session. \u2029Then moved school.\u2028 Settled well. \u2029"
    text = pdf_text(_summary_with_statement(app, people, statement))
    assert "Attended every session. Then moved school. Settled well." in text
    assert "\u2028" not in text and "\u2029" not in text


def test_evidence_about_a_member_withdrawn_as_recorded_in_error_says_so(app, people):
    """The family page marks them "(withdrawn)"; the summary used to print the bare name."""
    from tests.test_families import add_evidence, suffolk_case

    with app.test_request_context():
        family, parent, _ = suffolk_case(people)
        add_evidence(family, parent, people["partner"], status="accepted", reviewer=people["lead_professional"])
        parent.withdrawn_at, parent.withdrawn_reason = dt.datetime.now(dt.UTC), "Recorded in error"
        db.session.commit()
        page = _flat(summary_html(family))
    assert f"About: {parent.name} (withdrawn as recorded in error: this evidence no longer counts for them)" in page


# -- one source: the family page and the PDF agree -----------------------------------------------


def _page_facts(body: str) -> dict:
    block = body.split('id="verdict"')[1]
    facts = {
        label: _flat(value) for label, value in re.findall(r'data-fact="([^"]+)">(.*?)</(?:dd|p)>', block, re.DOTALL)
    }
    items = re.search(r'data-fact="Missing">(.*?)</(ul|p)>', block, re.DOTALL).group(1)
    facts["Missing"] = [_flat(li) for li in re.findall(r"<li>(.*?)</li>", items, re.DOTALL)] or [_flat(items)]
    return facts


def _pdf_facts(text: str) -> dict:
    return {
        "Eligible": re.search(r"Eligible: (Eligible|Not eligible) ", text).group(1),
        "Claim type": re.search(r"Claim type: (.*?) Earliest claim date: ", text).group(1),
        "Earliest claim date": re.search(r"Earliest claim date: (.*?) Decided as of: ", text).group(1),
        "Missing": text.split("What is still missing ")[1],
    }


def test_for_every_demo_family_the_page_and_the_pdf_give_the_same_verdict(demo, client):
    _sign_in(client, demo, "verifier")
    with demo.app_context():
        families = [(f.id, f.ref) for f in db.session.scalars(db.select(Family).order_by(Family.id))]
    assert len(families) == len(SCENARIOS)
    seen = set()
    for family_id, ref in families:
        page = _page_facts(client.get(f"/families/{family_id}").get_data(as_text=True))
        pdf = _pdf_facts(pdf_text(client.get(f"/families/{family_id}/closure-summary.pdf").data))
        for fact in ("Eligible", "Claim type", "Earliest claim date"):
            assert pdf[fact] == page[fact], (ref, fact)
            seen.add((fact, page[fact]))
        assert pdf["Missing"].startswith(" ".join(page["Missing"]) + " "), ref
    # The demo covers every kind of answer, so the comparison means something.
    now = "Now: the family can be claimed for"
    assert {
        ("Eligible", "Eligible"),
        ("Eligible", "Not eligible"),
        ("Earliest claim date", now),
        ("Claim type", "Continuous employment"),
    } <= seen


# -- reproducible ----------------------------------------------------------------------------------


def test_the_same_records_give_the_same_bytes_whoever_downloads_it_and_whenever(demo, client):
    url = _url(demo, CLOSED_AND_TURNED_AROUND)
    _sign_in(client, demo, "lead")
    first = client.get(url)
    time.sleep(1.2)
    client.post("/sign-out")
    _sign_in(client, demo, "verifier")
    second = client.get(url)
    assert first.data == second.data
    assert first.headers["X-Verification-Code"] == second.headers["X-Verification-Code"]
    with demo.app_context():
        rows = db.session.scalars(db.select(ClosureSummary).order_by(ClosureSummary.id)).all()
        assert [r.generated_by.email for r in rows] == [email("lead"), email("verifier")]
        assert rows[0].generated_at < rows[1].generated_at and rows[0].code == rows[1].code


def test_the_pdf_dates_come_from_the_records_not_the_clock(demo):
    with demo.test_request_context():
        built = build(_family(CLOSED_AND_TURNED_AROUND))
    info = pypdf.PdfReader(io.BytesIO(html_to_pdf(built.html))).metadata
    latest = snapshots.latest_record_time(built.snapshot)
    assert info["/CreationDate"].startswith("D:" + latest.strftime("%Y%m%d%H%M%S"))
    assert info["/ModDate"] == info["/CreationDate"]


def test_a_changed_record_changes_the_code_and_the_decision_date_is_part_of_it(demo, people):
    with demo.test_request_context():
        family = _family(CLOSED_AND_TURNED_AROUND)
        before = build(family)
        tomorrow = build(family, as_of=dt.date.today() + dt.timedelta(days=1))
        family.name = "Murphy-Jones family"
        db.session.commit()
        after = build(family)
    assert len({before.code, tomorrow.code, after.code}) == 3


# -- the code and the QR code --------------------------------------------------------------------


def test_the_code_is_twelve_unambiguous_characters_read_in_groups():
    code = snapshots.code_for({"anything": 1})
    assert len(code) == 12 and set(code) <= set(snapshots.ALPHABET)
    assert not set("ILOU") & set(snapshots.ALPHABET)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", snapshots.grouped(code))
    assert snapshots.normalise(" " + snapshots.grouped(code).lower() + " ") == code
    assert snapshots.normalise("ABCD-EFGH-JKMO") == "ABCDEFGHJKM0"  # O read as zero
    assert snapshots.normalise("ABCD-EFGH-JKMU") is None and snapshots.normalise("ABC") is None
    assert snapshots.normalise("x" * 10_000) is None


def test_every_page_prints_the_code_and_a_qr_code_of_the_check_page(demo):
    from PIL import Image

    with demo.test_request_context():
        built = build(_family(CLOSED_AND_TURNED_AROUND))
        url = verify_url(built.code)
    import segno

    expected = segno.make(url, error="m", micro=False)
    reader = pypdf.PdfReader(io.BytesIO(html_to_pdf(built.html)))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert f"Verification code: {snapshots.grouped(built.code)}" in page.extract_text()
        (image,) = page.images
        pixels = image.image.convert("L")
        size = expected.symbol_size(scale=1, border=0)[0]
        modules = pixels.resize((size, size), Image.NEAREST)
        read = [[modules.getpixel((x, y)) < 128 for x in range(size)] for y in range(size)]
        assert read == [[bool(v) for v in row] for row in expected.matrix]
    assert url.endswith("/verify/" + snapshots.grouped(built.code))


# -- accessible -------------------------------------------------------------------------------------


def _outline_titles(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _outline_titles(item)
        else:
            yield item.title


def test_the_pdf_is_tagged_with_language_title_and_a_bookmark_per_problem_and_need(demo):
    with demo.test_request_context():
        family = _family(CLOSED_AND_TURNED_AROUND)
        built = build(family)
        view, _ = verdicts.family_verdict(family)
    reader = pypdf.PdfReader(io.BytesIO(html_to_pdf(built.html)))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/StructTreeRoot"]["/K"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert reader.metadata.title == "Closure summary for HERTS-EX-001, Murphy family"
    titles = list(_outline_titles(reader.outline))
    assert view.problems and all(p.heading in titles for p in view.problems)
    needs = [n.heading for p in view.problems for n in p.needs]
    assert needs and all(n in titles for n in needs)


def test_every_font_is_embedded_and_is_liberation_sans(demo):
    with demo.test_request_context():
        pdf = html_to_pdf(build(_family(CLOSED_AND_TURNED_AROUND)).html)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)[
                "/FontDescriptor"
            ]
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values())
    assert all(re.fullmatch(r"/[A-Z]{6}\+Liberation-Sans(-Bold)?", name) for name in fonts), fonts


# -- download, record and audit --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lead", "verifier"])
def test_the_lead_professional_and_verifier_download_it_and_the_download_is_recorded_and_audited(demo, client, who):
    _sign_in(client, demo, who)
    response = client.get(_url(demo, CLOSED_AND_TURNED_AROUND))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == 'attachment; filename="HERTS-EX-001-closure-summary.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    with demo.app_context():
        event = db.session.scalar(db.select(AuditEvent).filter_by(action="closure.download"))
        assert event.family_id == _family(CLOSED_AND_TURNED_AROUND).id and event.user_email == email(who)
        row = db.session.scalar(db.select(ClosureSummary))
        assert row.family_id == event.family_id and row.generated_by.email == email(who)
        assert snapshots.grouped(row.code) == response.headers["X-Verification-Code"]
        assert row.snapshot["plan"]["sha256"] == row.plan_hash == snapshots.plan_hash("hertfordshire-2022")
        assert snapshots.code_for(row.snapshot) == row.code


def test_a_recorded_summary_cannot_be_changed_or_deleted(demo, client):
    _sign_in(client, demo, "verifier")
    client.get(_url(demo, CLOSED_AND_TURNED_AROUND))
    with demo.app_context():
        row = db.session.scalar(db.select(ClosureSummary))
        row.code = "000000000000"
        with pytest.raises(AppendOnlyError):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.scalar(db.select(ClosureSummary)))
        with pytest.raises(AppendOnlyError):
            db.session.commit()


@pytest.mark.parametrize("who", ["school", "police", "admin"])
def test_partners_even_on_the_team_and_admins_get_404(demo, client, who):
    _sign_in(client, demo, who)
    assert client.get(_url(demo, CLOSED_AND_TURNED_AROUND)).status_code == 404
    with demo.app_context():
        assert db.session.scalar(db.select(AuditEvent).filter_by(action="closure.download")) is None
        assert db.session.scalar(db.select(ClosureSummary)) is None


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
