"""HTML to PDF with WeasyPrint: tagged (PDF/UA-1), reproducible, fetching nothing from outside.

One FontConfiguration serves the whole process: making one per document costs
time on every call and let memory grow with each document of a batch (issue 9).
The document identifier is derived from the content, and the creation dates come
from the HTML's dcterms meta (the records' latest time), so the same HTML always
gives the same bytes. Signing (signing.py) happens after, on those bytes.
"""

import contextlib
import gc
import hashlib

_FONTS = None


def font_config():
    global _FONTS
    if _FONTS is None:
        from weasyprint.text.fonts import FontConfiguration

        _FONTS = FontConfiguration()
    return _FONTS


def html_to_pdf(html: str, tagged: bool = True) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only this feature needs.
    import weasyprint

    document = weasyprint.HTML(string=html, url_fetcher=_no_fetching(weasyprint))
    options = {"pdf_variant": "pdf/ua-1"} if tagged else {}
    with _no_collection_meanwhile():
        return document.write_pdf(font_config=font_config(), pdf_identifier=_identifier(html), **options)


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
