"""portal.closure.pdf: our own user-agent stylesheet and writing each PDF object once change
how fast a document is written, never what it shows (docs/closure-summary.md, "Speed")."""

import datetime as dt
import io
import re

import pypdf
import pytest
import weasyprint

from portal.closure import pdf
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
    """The same document written by WeasyPrint and pydyf as they come: their stylesheet, level 9."""
    document = weasyprint.HTML(string=html, url_fetcher=pdf._no_fetching(weasyprint))
    return document.write_pdf(
        font_config=pdf.font_config(), pdf_identifier=pdf._identifier(html), pdf_variant="pdf/ua-1"
    )


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
