"""HTML to PDF with WeasyPrint: tagged (PDF/UA-1), reproducible, fetching nothing from outside.

One FontConfiguration serves the whole process: making one per document costs
time on every call and let memory grow with each document of a batch (issue 9).
The document identifier is derived from the content, and the creation dates come
from the HTML's dcterms meta (the records' latest time), so the same HTML always
gives the same bytes. Signing (signing.py) happens after, on those bytes.

Six things make every document cheaper to write without changing what it shows
(docs/closure-summary.md, "Speed"):
- its user-agent stylesheet is `pdf_defaults.css`, WeasyPrint's HTML defaults for only
  the elements our PDF templates use, instead of WeasyPrint's whole stylesheet, whose
  every rule is matched against every element (COVERED: any other element is refused);
- each PDF object is serialised once, and streams are compressed at zlib's default level
  (`_write_once`), where pydyf compresses at level 9 and, to make the file's /ID, serialises
  and compresses every object a second time;
- each line's glyphs are written with each distinct glyph formatted once (pdf_text.py), where
  WeasyPrint reads and formats every glyph through cffi, one by one;
- each line's Pango layout is kept from laying the line out to drawing it (pdf_layouts.py), where
  WeasyPrint makes it again and has Pango shape the line a third time;
- each style's Pango layout is set up once and copied, and its strut remembered (pdf_pango.py),
  where WeasyPrint sets up every layout from the style and rebuilds a cache key for every strut;
- each box's used lengths are worked out in one pass, and empty page-margin boxes are left alone
  (pdf_boxes.py), where WeasyPrint resolves some twenty properties a box through two calls each.
"""

import contextlib
import functools
import gc
import hashlib
import zlib
from pathlib import Path

from . import pdf_boxes, pdf_layouts, pdf_pango, pdf_text

DEFAULTS = Path(__file__).with_name("pdf_defaults.css")
# The elements pdf_defaults.css gives defaults to. A document with any other is refused.
COVERED = frozenset(
    [
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "div",
        "span",
        "h1",
        "h2",
        "h3",
        "h4",
        "p",
        "br",
        "ul",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    ]
)
COMPRESSION = 6  # zlib's default: 3.5 times faster than pydyf's 9 on a summary, 3% larger

_FONTS = None
_DOCUMENT = None


def font_config():
    global _FONTS
    if _FONTS is None:
        from weasyprint.text.fonts import FontConfiguration

        _FONTS = FontConfiguration()
    return _FONTS


# Unicode's line and paragraph separators (U+2028, U+2029), written as the line breaks they
# mean. WeasyPrint 70 stops with an AssertionError on a paragraph separator after a space, in
# any text ("Got ' \u2029' between two lines"): one pasted statement made its family's summary,
# and every batch holding it, fail. A line separator broke the line but also printed the font's
# box for a missing glyph. In text whose white space collapses, a line break becomes a space.
# Only the document is written so: the records, the snapshot and the verification code keep them.
# (Two replaces, not str.translate: on a summary's HTML translate took 4.5 ms, these take 0.01.)
_LINE_SEPARATORS = ("\u2028", "\u2029")


def html_to_pdf(html: str, tagged: bool = True) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only this feature needs.
    import weasyprint

    for separator in _LINE_SEPARATORS:
        html = html.replace(separator, "\n")
    document = _document_class(weasyprint)(string=html, url_fetcher=_no_fetching(weasyprint))
    _refuse_uncovered(document.etree_element)
    options = {"pdf_variant": "pdf/ua-1"} if tagged else {}
    with _no_collection_meanwhile():
        return document.write_pdf(
            font_config=font_config(), pdf_identifier=_identifier(html), finisher=_write_once, **options
        )


def _document_class(weasyprint):
    """weasyprint.HTML with pdf_defaults.css as its user-agent stylesheet (parsed once a process)."""
    global _DOCUMENT
    if _DOCUMENT is None:
        defaults = [weasyprint.CSS(string=DEFAULTS.read_text(encoding="utf-8"))]
        pdf_text.install()
        pdf_layouts.install()
        pdf_pango.install()
        pdf_boxes.install()

        class Document(weasyprint.HTML):
            def _ua_stylesheets(self, forms=False):
                return defaults

        _DOCUMENT = Document
    return _DOCUMENT


def _refuse_uncovered(root) -> None:
    uncovered = sorted({e.tag for e in root.iter() if isinstance(e.tag, str)} - COVERED)
    if uncovered:
        raise ValueError(
            f"the document uses {', '.join(f'<{t}>' for t in uncovered)}, which pdf_defaults.css "
            "gives no defaults to: add them there (from WeasyPrint's html5_ua.css) and to pdf.COVERED"
        )


def _write_once(document, pdf) -> None:
    """WeasyPrint's finisher: pydyf's objects from here on serialise once, streams at COMPRESSION.

    Called on the finished pydyf.PDF just before it is written. pydyf computes an object's
    bytes each time they are asked for, and writing with a given /ID asks twice for every
    object (once to write it, once to hash all of them); it compresses each stream at level
    9. The objects are final by now, so each keeps its bytes the first time; the PDF class
    does the same for the object and cross-reference streams it adds while writing.
    """
    for obj in pdf.objects:
        _settle(obj)
    pdf.__class__ = _settled_pdf(type(pdf))


def _settle(obj) -> None:
    """Give an object written pydyf's way (a Stream or Dictionary, or a subclass that writes as
    they do, like WeasyPrint's page streams) a class that keeps its bytes; leave others be."""
    import pydyf

    written_by = getattr(type(obj), "data", None)
    if written_by is pydyf.Stream.data or written_by is pydyf.Dictionary.data:
        obj.__class__ = _settled(type(obj))


@functools.cache
def _settled_pdf(base):
    def add_object(self, obj):
        _settle(obj)
        base.add_object(self, obj)

    return type("SettledPDF", (base,), {"add_object": add_object})


@functools.cache
def _settled(base):
    import pydyf

    to_bytes = pydyf._to_bytes

    def stream_bytes(self) -> bytes:
        # Most of a page's operations are bytes already (pydyf's drawing methods make them so).
        content = b"\n".join(item if type(item) is bytes else to_bytes(item) for item in self.stream)
        extra = pydyf.Dictionary(self.extra.copy())
        if self.compress:
            extra["Filter"] = "/FlateDecode"
            content = zlib.compress(content, COMPRESSION)
        extra["Length"] = len(content)
        return b"\n".join((extra.data, b"stream", content, b"endstream"))

    write = stream_bytes if issubclass(base, pydyf.Stream) else pydyf.Dictionary.data.fget

    def data(self) -> bytes:
        written = self.__dict__.get("_written")
        if written is None:
            written = self.__dict__["_written"] = write(self)
        return written

    return type(base.__name__, (base,), {"data": property(data), "__module__": __name__})


@contextlib.contextmanager
def _no_collection_meanwhile():
    """The cyclic garbage collector paused while one document is laid out and written.

    A heavy summary makes some 200,000 objects, many in cycles (boxes know their
    parents). Left running, the collector traversed the live document dozens of
    times a render, and every few renders made a full pass over the whole process
    (the app, the plans, WeasyPrint: about 200,000 more); pausing it saved about 5%
    of the CPU time (docs/closure-summary.md, "Speed"). Paused, everything the render made is
    still in the youngest generation afterwards, and the next young collection,
    straight after, frees the document's cycles in one pass. Only re-enabled by the
    call that paused it (a nested or concurrent call leaves it to the outer one).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _identifier(html: str) -> bytes:
    # The PDF's /ID: from the content, not random, so it is reproducible too.
    return hashlib.sha256(html.encode()).hexdigest()[:32].encode()


def _no_fetching(weasyprint):
    # The summary is self-contained: nothing in it may make the server fetch a URL
    # or read a file; only data: URLs (the QR code) are read. WeasyPrint 66+ takes a
    # fetcher object, older versions a function.
    if hasattr(weasyprint, "URLFetcher"):
        return weasyprint.URLFetcher(allowed_protocols=("data",))
    return _refuse


def _refuse(url, *args, **kwargs):
    if url.startswith("data:"):
        import weasyprint

        return weasyprint.default_url_fetcher(url)
    raise ValueError(f"the closure summary may not load {url}")
