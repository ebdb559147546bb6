"""portal.closure.pdf: our own user-agent stylesheet and writing each PDF object once change
how fast a document is written, never what it shows (docs/closure-summary.md, "Speed")."""

import datetime as dt
import io
import re
from html import escape

import pypdf
import pytest
import weasyprint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.closure import pdf, pdf_layouts, pdf_text
from portal.closure.summary import summary_html
from portal.demo import load_demo
from portal.extensions import db
from portal.models import Family

# Every element pdf_defaults.css covers, as our PDF templates use them (tables in the claim
# report and the spot-check pack, lists in lists, a line break).
EVERY_ELEMENT = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>All of them</title>
<style>@page { @bottom-left { content: "Page " counter(page) " of " counter(pages) } }</style></head>
<body><h1>Heading <span>one</span></h1><div><p>A paragraph<br>with a break.</p></div>
<h2>Two</h2><h3>Three</h3><h4>Four</h4>
<ul><li>First<ul><li>Inner<ul><li>Innermost</li></ul></li></ul></li><li>Second</li></ul>
<table><thead><tr><th>Family</th><th>Claim</th></tr></thead>
<tbody><tr><td>HERTS-0001</td><td>Significant and sustained progress</td></tr></tbody></table>
</body></html>"""


def _weasyprints_own(html: str) -> bytes:
    """The same document written by WeasyPrint and pydyf as they come: their stylesheet, level 9,
    their way of laying out each line and of writing its glyphs."""
    document = weasyprint.HTML(string=html, url_fetcher=pdf._no_fetching(weasyprint))
    with pdf_text.weasyprints_own(), pdf_layouts.weasyprints_own():
        return document.write_pdf(
            font_config=pdf.font_config(), pdf_identifier=pdf._identifier(html), pdf_variant="pdf/ua-1"
        )


def _drawn_by_weasyprint(html: str) -> bytes:
    """html_to_pdf with WeasyPrint's own draw_first_line instead of pdf_text's."""
    with pdf_text.weasyprints_own():
        return pdf.html_to_pdf(html)


def _laid_out_by_weasyprint(html: str) -> bytes:
    """html_to_pdf with WeasyPrint's own first_line_metrics and Layout.reactivate instead of pdf_layouts'."""
    with pdf_layouts.weasyprints_own():
        return pdf.html_to_pdf(html)


def _objects(data: bytes) -> dict:
    """Every indirect object of a PDF but the cross-reference stream: a stream as its decoded
    bytes and its dictionary less the keys compression sets; anything else as it reads."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    objects = {}
    for number in range(1, int(reader.trailer["/Size"])):
        obj = reader.get_object(number)
        if isinstance(obj, pypdf.generic.StreamObject):
            if obj.get("/Type") == "/XRef":
                continue  # where each object starts in the file, which compression moves
            keys = {k: _plain(v) for k, v in obj.items() if k not in ("/Length", "/Filter")}
            objects[number] = (keys, obj.get_data())
        else:
            objects[number] = _plain(obj)
    return objects


def _plain(obj):
    if isinstance(obj, pypdf.generic.IndirectObject):
        return ("object", obj.idnum)
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return repr(obj)


def _reading(data: bytes) -> tuple:
    reader = pypdf.PdfReader(io.BytesIO(data))

    def titles(outline):
        return [titles(o) if isinstance(o, list) else o.title for o in outline]

    return [page.extract_text() for page in reader.pages], titles(reader.outline), reader.trailer["/Root"]["/Lang"]


@pytest.fixture(scope="module")
def summaries(tmp_path_factory):
    from portal import create_app

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path_factory.mktemp('pdf')}/demo.sqlite3"})
    with app.app_context():
        db.create_all()
        load_demo(dt.date.today())
        refs = ["HERTS-EX-001", "SWK-0451", "SUF-EX-0002"]  # closed, continuous employment, open (a draft)
        with app.test_request_context():
            return {ref: summary_html(db.session.scalar(db.select(Family).filter_by(ref=ref))) for ref in refs}


def test_a_summary_reads_the_same_with_our_defaults_as_with_weasyprints(summaries):
    for ref, html in summaries.items():
        ours, theirs = pdf.html_to_pdf(html), _weasyprints_own(html)
        assert _reading(ours) == _reading(theirs), ref
        assert _objects(ours) == _objects(theirs), ref  # every page's drawing, font and tag alike


def test_every_element_covered_looks_the_same_with_our_defaults_as_with_weasyprints():
    ours, theirs = pdf.html_to_pdf(EVERY_ELEMENT), _weasyprints_own(EVERY_ELEMENT)
    assert _reading(ours)[0][0].startswith("Heading one")
    assert _objects(ours) == _objects(theirs)


def test_the_objects_are_written_once_and_smaller_by_no_more_than_a_few_percent(summaries):
    html = summaries["HERTS-EX-001"]
    ours, theirs = pdf.html_to_pdf(html), _weasyprints_own(html)
    assert ours == pdf.html_to_pdf(html)  # still the same bytes every time
    assert len(theirs) <= len(ours) <= len(theirs) * 1.06  # zlib's default level, not 9


@pytest.mark.parametrize("element", ["em", "img", "ol", "a", "h5", "section"])
def test_a_document_with_an_element_our_defaults_do_not_cover_is_refused_by_name(element):
    html = EVERY_ELEMENT.replace("<h4>Four</h4>", f"<{element}>Five</{element}>")
    with pytest.raises(ValueError, match=f"uses <{element}>, which pdf_defaults.css gives no defaults to"):
        pdf.html_to_pdf(html)


def test_the_defaults_name_every_element_covered_and_no_other():
    css = re.sub(r"/\*.*?\*/", " ", pdf.DEFAULTS.read_text(), flags=re.S)
    while "{" in css:  # the declarations, innermost first (@page holds its margin boxes')
        css = re.sub(r"\{[^{}]*\}", " ", css)
    selectors = re.sub(r"@[a-z-]+|::?[a-z-]+", " ", css)  # at-rules, pseudo-elements and -classes
    assert set(re.findall(r"[a-z][a-z0-9]*", selectors)) == pdf.COVERED - {"span"}  # span: inline, no rule needed


# Lines only WeasyPrint's own function draws (pdf_text hands them over), beside lines ours draws:
# a character no font here has (.notdef), an emoji, an ellipsis, a tab (an empty glyph); and ours
# with right-to-left text, combining accents, letter and word spacing, justified, in several sizes
# and weights, a long unbreakable word.
AWKWARD = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Awkward text</title>
<style>
  .tight { letter-spacing: 0.3pt; word-spacing: 2pt; }
  .justify { text-align: justify; width: 60mm; }
  .cut { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; width: 30mm; }
  .pre { white-space: pre; }
  .small { font-size: 7pt; } .big { font-size: 31pt; font-weight: bold; }
  .break { overflow-wrap: break-word; width: 25mm; }
</style></head>
<body><h1>AVATAR Wave To, “quotes” — and fi ffl ligatures</h1>
<p>שלום עולם, and مرحبا بالعالم in a line of English.</p>
<p>Café näive and ệ stacked accents.</p>
<p>A private character  and an emoji 😀 here.</p>
<p class="cut">This line is far too long for its box and ends in an ellipsis</p>
<p class="tight">Letter and word spacing on every glyph, AV Wa To.</p>
<p class="justify">Justified text stretches the spaces of every line but the last one of the paragraph, so each line is written with its own advances.</p>
<p class="pre">Tab	separated	values	kept</p>
<p class="small">Small print, 7 point.</p><p class="big">Big bold, 31 point.</p>
<p class="break">Averyveryverylongwordwithnobreaksinitatall</p>
</body></html>"""


def test_each_line_is_written_byte_for_byte_as_weasyprint_writes_it(summaries, monkeypatch):
    assert pdf_text.install(), (
        f"pdf_text is written against WeasyPrint {pdf_text.FOR_WEASYPRINT} and is not installed over "
        f"{weasyprint.__version__}: compare its draw_first_line with WeasyPrint's, then update FOR_WEASYPRINT"
    )
    ours = []
    first_time = pdf_text._first_time
    monkeypatch.setattr(pdf_text, "_first_time", lambda *a: ours.append(a[7]) or first_time(*a))
    for ref, html in summaries.items():
        ours.clear()
        assert pdf.html_to_pdf(html) == _drawn_by_weasyprint(html), ref
        assert len(ours) > 40, ref  # pdf_text wrote the lines (each distinct glyph once)


def test_lines_it_does_not_cover_are_left_to_weasyprint_and_still_come_out_the_same(monkeypatch):
    assert pdf_text.install()
    handed_over, stock = [], pdf_text._stock
    monkeypatch.setattr(
        pdf_text, "_stock", lambda stream, box, *rest: handed_over.append(box.text) or stock(stream, box, *rest)
    )
    ours = pdf.html_to_pdf(AWKWARD)
    monkeypatch.undo()
    assert ours == _drawn_by_weasyprint(AWKWARD)
    handed = " ".join(handed_over)
    for text in ("\ue000", "\U0001f600", "This line is far too long", "Tab\tseparated"):
        assert text in handed, text
    for text in ("שלום", "Small print", "Justified", "Letter and word", "AVATAR"):  # right to left too
        assert text not in handed, text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    words=st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=120)
    | st.lists(st.sampled_from(["word", "Averyveryverylongword", " ", "\n", "\r", "\u2029", "\u2028", "\t", "-"]))
    .map("".join)
    .filter(str.strip),
    size=st.sampled_from(["7pt", "12pt", "19.5pt"]),
    weight=st.sampled_from(["normal", "bold"]),
    width=st.sampled_from(["auto", "30mm"]),  # narrow: many lines, words broken mid-way
    wrap=st.sampled_from(["normal", "break-word"]),
)
def test_any_text_a_user_might_type_is_written_byte_for_byte_as_weasyprint_writes_it(words, size, weight, width, wrap):
    """Whatever a partner types (any script, control characters, joiners, marks, line and paragraph
    separators), our line drawing and layout and WeasyPrint's give the same file."""
    assert pdf_text.install()
    document = (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Typed</title>'
        f"<style>p {{ font-size: {size}; font-weight: {weight}; white-space: pre-line; width: {width}; "
        f"overflow-wrap: {wrap} }}</style></head>"
        f"<body><p>Statement: {escape(words)}</p></body></html>"
    )
    assert pdf.html_to_pdf(document) == _drawn_by_weasyprint(document)
    assert pdf.html_to_pdf(document) == _laid_out_by_weasyprint(document)


def test_each_line_is_laid_out_and_drawn_byte_for_byte_as_weasyprint_does_with_one_layout_fewer(summaries, monkeypatch):
    assert pdf_layouts.install(), (
        f"pdf_layouts is written against WeasyPrint {pdf_layouts.FOR_WEASYPRINT} and is not installed over "
        f"{weasyprint.__version__}: compare its first_line_metrics with WeasyPrint's, then update FOR_WEASYPRINT"
    )
    from weasyprint.text.line_break import Layout

    made, setup = [], Layout.setup
    monkeypatch.setattr(Layout, "setup", lambda layout, style: made.append(1) or setup(layout, style))
    for name, html in {**summaries, "every element": EVERY_ELEMENT, "awkward": AWKWARD}.items():
        made.clear()
        ours = pdf.html_to_pdf(html)
        ours_made = len(made)
        made.clear()
        assert ours == _laid_out_by_weasyprint(html), name
        if name == "HERTS-EX-001":  # most lines are drawn from the layout they were measured with
            assert ours_made < len(made) * 0.85, (ours_made, len(made))


def test_a_layout_is_made_again_for_justified_text_another_style_or_a_second_drawing():
    from weasyprint.text.line_break import Layout

    assert pdf_layouts.install()
    style = weasyprint.CSS(string="p { color: black }")  # any object: only its identity is compared
    layout = Layout.__new__(Layout)
    made = []
    layout.setup = lambda style: made.append(style)
    layout.set_text = lambda text, justify=False: None
    layout.text, layout.justification_spacing = "A line", 0
    layout.__dict__[pdf_layouts._KEPT] = style
    layout.reactivate(style)
    assert made == []  # kept: drawn as it was laid out
    layout.reactivate(style)
    assert made == [style]  # a second drawing makes it again
    other = weasyprint.CSS(string="p { color: red }")
    layout.__dict__[pdf_layouts._KEPT] = style
    layout.reactivate(other)
    assert made == [style, other]
    layout.__dict__[pdf_layouts._KEPT] = style
    layout.justification_spacing = 2.5
    layout.reactivate(style)
    assert made == [style, other, style]


def test_over_another_weasyprint_release_weasyprints_own_functions_run(monkeypatch):
    from weasyprint.text import line_break

    pdf_layouts.uninstall()
    try:
        monkeypatch.setattr(weasyprint, "__version__", "71.0")
        assert pdf_layouts.install() is False
        assert line_break.first_line_metrics is not pdf_layouts.first_line_metrics
    finally:
        monkeypatch.undo()
        assert pdf_layouts.install()
    assert line_break.first_line_metrics is pdf_layouts.first_line_metrics
