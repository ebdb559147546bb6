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

from portal.closure import pdf, pdf_boxes, pdf_layouts, pdf_pango, pdf_text
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
    their way of laying out each line, of setting up its layout, of resolving each box and of
    writing its glyphs."""
    document = weasyprint.HTML(string=html, url_fetcher=pdf._no_fetching(weasyprint))
    with (
        pdf_text.weasyprints_own(),
        pdf_layouts.weasyprints_own(),
        pdf_pango.weasyprints_own(),
        pdf_boxes.weasyprints_own(),
    ):
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


def _set_up_by_weasyprint(html: str) -> bytes:
    """html_to_pdf with WeasyPrint's own Layout.setup and strut instead of pdf_pango's."""
    with pdf_pango.weasyprints_own():
        return pdf.html_to_pdf(html)


def _resolved_by_weasyprint(html: str) -> bytes:
    """html_to_pdf with WeasyPrint's own resolve_percentages instead of pdf_boxes'."""
    with pdf_boxes.weasyprints_own():
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
    handed_over, stock = [], pdf_text.SWAP.stock["draw_first_line"]
    monkeypatch.setitem(
        pdf_text.SWAP.stock,
        "draw_first_line",
        lambda stream, box, *rest: handed_over.append(box.text) or stock(stream, box, *rest),
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
    ours = pdf.html_to_pdf(document)
    assert ours == _drawn_by_weasyprint(document)
    assert ours == _laid_out_by_weasyprint(document)
    assert ours == _set_up_by_weasyprint(document)
    assert ours == _resolved_by_weasyprint(document)


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


# Text in many styles: decorations (which make Layout.setup read the font's metrics), font
# features, letter and word spacing (which set_text adds to a copied layout's attributes),
# languages and directions, sizes, small capitals, and the same style used again and again.
STYLED = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Styled text</title>
<style>
  .under { text-decoration: underline; } .through { text-decoration: line-through overline; }
  .caps { font-variant: small-caps; } .nums { font-variant-numeric: oldstyle-nums tabular-nums; }
  .liga { font-variant-ligatures: no-common-ligatures; font-kerning: none; }
  .feat { font-feature-settings: "smcp" 1, "kern" 0; }
  .tight { letter-spacing: 1.5pt; word-spacing: 4pt; } .break { overflow-wrap: anywhere; width: 20mm; }
  .serif { font-family: "Liberation Serif", serif; font-style: italic; font-weight: bold; }
  .mono { font-family: "Liberation Mono", monospace; white-space: pre; font-size: 9pt; }
</style></head>
<body><h1 class="under">An underlined heading long enough to go on to a second and a third line</h1>
<p class="through">Struck through and overlined, 0123456789, in a paragraph long enough to wrap on to a
second line, and then a third, so that its later lines are laid out and drawn from copies.</p>
<p class="caps">Small capitals, AV Wa To.</p><p class="nums">Old style 1234567890 figures.</p>
<p class="liga">No fi ffl ligatures, no kerning AV.</p><p class="feat">Features set by hand.</p>
<p class="tight">Spaced letters and words, a line long enough to wrap onto a second line of its own at this size.</p>
<p class="break">Anywhereanywhereanywherebreaks</p>
<p lang="fr">Le français, avec des guillemets « ainsi ».</p><div style="direction: rtl" lang="he"><p>שלום עולם</p></div>
<p class="serif">Serif, italic and bold.</p><p class="mono">Mono	tabbed   spaces</p>
<ul><li>One</li><li>Two</li><li>Three</li><li>One</li><li>Two</li><li>Three</li></ul>
</body></html>"""


def test_each_style_is_set_up_once_and_written_byte_for_byte_as_weasyprint_writes_it(summaries, monkeypatch):
    assert pdf_pango.install(), (
        f"pdf_pango is written against WeasyPrint {pdf_pango.FOR_WEASYPRINT} and is not installed over "
        f"{weasyprint.__version__}: compare Layout.setup and strut with WeasyPrint's, then update FOR_WEASYPRINT"
    )
    from weasyprint.text.line_break import Layout

    for name, html in {**summaries, "every element": EVERY_ELEMENT, "awkward": AWKWARD, "styled": STYLED}.items():
        assert pdf.html_to_pdf(html) == _set_up_by_weasyprint(html), name
    set_up, made = [], []
    stock = pdf_pango.SWAP.stock["setup"]
    monkeypatch.setitem(pdf_pango.SWAP.stock, "setup", lambda *a: set_up.append(1) or stock(*a))
    monkeypatch.setattr(Layout, "setup", lambda layout, style: made.append(1) or pdf_pango.setup(layout, style))
    pdf.html_to_pdf(summaries["HERTS-EX-001"])
    assert 0 < len(set_up) < len(made) * 0.6, (len(set_up), len(made))  # most layouts are copies


def test_a_layout_copied_from_the_pattern_is_its_own_and_changing_it_leaves_the_pattern_be():
    from weasyprint.text.ffi import ffi, pango
    from weasyprint.text.line_break import Layout

    assert pdf_pango.install()
    style = _a_style("p { letter-spacing: 2pt; text-decoration: underline }")
    first, second = Layout(style), Layout(style)
    pattern = style.__dict__[pdf_pango._PATTERN][0]
    assert first.layout != pattern and second.layout != pattern and first.layout != second.layout
    assert first.ascent == second.ascent is not None  # the decoration's metrics come with the copy
    first.set_text("A spaced line")  # gives the copy an attribute list, with the letter spacing
    assert pango.pango_layout_get_attributes(first.layout) != ffi.NULL
    assert pango.pango_layout_get_attributes(pattern) == ffi.NULL  # the pattern has none still
    fresh = Layout.__new__(Layout)
    pdf_pango.SWAP.stock["setup"](fresh, style)  # WeasyPrint's own set-up, from scratch
    for layout in (fresh, second):
        layout.set_text("A spaced line")
    assert pango.pango_layout_get_baseline(first.layout) == pango.pango_layout_get_baseline(fresh.layout)
    assert first.get_first_line()[0].length == second.get_first_line()[0].length == fresh.get_first_line()[0].length


def test_text_that_may_break_inside_a_word_is_set_with_the_patterns_no_hyphens_and_nothing_more():
    from weasyprint.text.ffi import ffi, pango
    from weasyprint.text.line_break import Layout

    assert pdf_pango.install()
    plain, spaced = (
        _a_style("p { overflow-wrap: break-word }"),
        _a_style("p { overflow-wrap: anywhere; word-spacing: 3pt }"),
    )
    layout = Layout(plain)
    attributes = pango.pango_layout_get_attributes(layout.layout)
    assert layout.__dict__[pdf_pango._NO_HYPHENS] and attributes != ffi.NULL  # the pattern's, copied
    layout.set_text("Averyveryverylongword")
    assert pango.pango_layout_get_attributes(layout.layout) == attributes  # no new list: nothing set but the text
    other = Layout(spaced)
    assert not other.__dict__[pdf_pango._NO_HYPHENS]  # word spacing: WeasyPrint's own set_text
    assert pango.pango_layout_get_attributes(other.layout) == ffi.NULL
    other.set_text("Two words")
    assert pango.pango_layout_get_attributes(other.layout) != ffi.NULL


def _a_style(css: str):
    """The computed style of the text of the one paragraph of a document styled by `css`."""
    document = weasyprint.HTML(string=f"<html lang='en-GB'><style>{css}</style><p>A spaced line</p></html>")
    box = document.render(font_config=pdf.font_config()).pages[0]._page_box
    while box.element_tag != "p":
        box = box.children[0]
    return box.children[0].children[0].style  # its line's text box's


# Boxes in every way the box model resolves them: percentages of a known and of an unknown
# height, calc(), minimums and maximums, each box-sizing, collapsed and separate table borders,
# and page-margin boxes on every side, some with content and percentages of their own.
BOXES = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Boxes</title>
<style>
  @page { size: A5; margin: 10% 12mm 20mm 5%;
    @top-center { content: "Top " counter(page); padding: 2%; width: 40%; }
    @left-middle { content: "Left"; margin: 1mm; }
    @bottom-right-corner { content: counter(pages); border: 1pt solid black; }
    @right-top { content: ""; }
  }
  .pc { width: 60%; padding: 2% 5%; margin: 1% auto; border: 2pt solid #333; }
  .calc { width: calc(100% - 30mm); min-width: 20mm; max-width: 80%; padding-left: calc(2% + 3pt); }
  .bb { box-sizing: border-box; width: 50%; padding: 10px; border: 5px solid red; height: 20mm; }
  .pb { box-sizing: padding-box; width: 40mm; padding: 3mm; min-height: 10mm; max-height: 40%; }
  .tall { height: 30%; min-height: 5mm; } .mm { min-width: 200%; max-width: 10mm; }
  table.c { border-collapse: collapse; width: 70%; } table.s { border-collapse: separate; width: auto; }
  td, th { border: 1pt solid black; padding: 1%; width: 30%; }
  .shade { background: #dddddd; border-radius: 2mm 0; } .shadow { box-shadow: 1pt 1pt 2pt gray; }
  .fade { background-image: linear-gradient(white, #b1b4b6); } .hidden { visibility: hidden; background: red; }
  .round { border-radius: 10%; border: 1pt solid black; } .current { color: navy; background-color: currentColor; }
</style></head>
<body><div class="pc"><p>Sixty per cent wide, padded in per cent.</p></div>
<div class="calc"><p>Calculated width, minimum and maximum.</p></div>
<div class="bb"><p>Border box.</p></div><div class="pb"><p>Padding box.</p></div>
<div class="tall"><p class="mm">A percentage of an unknown height.</p></div>
<table class="c"><thead><tr><th>Head</th><th>Two</th></tr></thead><tbody><tr><td>One</td><td>Two</td></tr></tbody></table>
<table class="s"><tbody><tr><td>Separate</td><td>Borders</td></tr></tbody></table>
<p class="shade">Shaded, one corner pair rounded.</p><p class="shadow">A shadow.</p><p class="fade">A gradient.</p>
<p class="hidden">Hidden, with a background.</p><p class="round">Rounded corners.</p><p class="current">Navy on navy.</p>
<div style="height: 150mm"><p>A tall block that goes on to a second page.</p></div>
<div style="float: left; width: 25mm; height: 15mm; border: 1pt solid blue"><p>Floated</p></div>
<p>Lines beside a float are placed by WeasyPrint's own search; this paragraph is long enough to run
past the float's foot, so that its later lines go back to the full width of the page.</p>
<div style="direction: rtl"><p>A line placed from the right, in a right-to-left block.</p></div><p>The end.</p>
</body></html>"""


def test_each_box_is_resolved_byte_for_byte_as_weasyprint_resolves_it(summaries, monkeypatch):
    assert pdf_boxes.install(), (
        f"pdf_boxes is written against WeasyPrint {pdf_boxes.FOR_WEASYPRINT} and is not installed over "
        f"{weasyprint.__version__}: compare resolve_percentages with WeasyPrint's, then update FOR_WEASYPRINT"
    )
    from weasyprint.formatting_structure.boxes import MarginBox

    for name, html in {**summaries, "every element": EVERY_ELEMENT, "boxes": BOXES, "styled": STYLED}.items():
        assert pdf.html_to_pdf(html) == _resolved_by_weasyprint(html), name
    placed, place = [], pdf_boxes.place_line
    monkeypatch.setattr(
        pdf_boxes, "place_line", lambda *a, **k: placed.append(bool(a[0].excluded_shapes)) or place(*a, **k)
    )
    monkeypatch.setattr("weasyprint.layout.inline.avoid_collisions", pdf_boxes.place_line)
    assert pdf.html_to_pdf(BOXES) == _resolved_by_weasyprint(BOXES)
    assert True in placed and False in placed  # lines beside the float, and lines with none
    plain = []
    monkeypatch.setattr(
        pdf_boxes, "_plain", lambda style, found=pdf_boxes._plain: plain.append(found(style)) or plain[-1]
    )
    assert pdf.html_to_pdf(BOXES) == _resolved_by_weasyprint(BOXES)
    assert True in plain and False in plain  # boxes with backgrounds, and plain ones
    resolved, resolve = [], pdf_boxes.resolve_percentages
    monkeypatch.setattr(
        pdf_boxes, "resolve_percentages", lambda box, cb: resolved.append(type(box)) or resolve(box, cb)
    )
    written = pdf.html_to_pdf(summaries["HERTS-EX-001"])
    pages = len(pypdf.PdfReader(io.BytesIO(written)).pages)
    assert resolved.count(MarginBox) == 2 * pages  # the footer's two a page, not the fourteen empty ones


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lengths=st.lists(
        st.sampled_from(["auto", "0", "7px", "3mm", "12%", "0%", "150%", "calc(50% - 2mm)", "calc(1em + 5%)"]),
        min_size=7,
        max_size=7,
    ),
    sizing=st.sampled_from(["content-box", "border-box", "padding-box"]),
    border=st.sampled_from(["none", "3pt solid black"]),
)
def test_any_lengths_a_template_might_set_are_resolved_as_weasyprint_resolves_them(lengths, sizing, border):
    width, min_width, max_width, height, margin, padding, page_margin = lengths
    none_for_auto = {
        "min": "0" if min_width == "auto" else min_width,
        "max": "none" if max_width == "auto" else max_width,
    }
    document = (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Lengths</title><style>'
        f"@page {{ margin: {page_margin}; @bottom-center {{ content: 'Foot'; padding: {padding}; }} }}"
        f"div {{ box-sizing: {sizing}; width: {width}; min-width: {none_for_auto['min']}; max-width: "
        f"{none_for_auto['max']}; height: {height}; margin: {margin}; padding: {padding}; border: {border}; }}"
        "</style></head><body><div><p>Boxed text that runs on for a line or two, or more in a narrow box.</p>"
        "<div><p>Nested.</p></div></div></body></html>"
    )
    assert pdf.html_to_pdf(document) == _resolved_by_weasyprint(document)


@pytest.mark.parametrize(
    "module", [pdf_text, pdf_layouts, pdf_pango, pdf_boxes], ids=["pdf_text", "pdf_layouts", "pdf_pango", "pdf_boxes"]
)
def test_over_another_weasyprint_release_these_are_not_installed_either(module, monkeypatch):
    module.uninstall()
    try:
        monkeypatch.setattr(weasyprint, "__version__", "71.0")
        assert module.install() is False
        assert module.SWAP.stock is None
    finally:
        monkeypatch.undo()
        assert module.install()
