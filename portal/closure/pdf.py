"""HTML to PDF with WeasyPrint, fetching nothing from outside the document."""


def html_to_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only this feature needs.
    import weasyprint

    return weasyprint.HTML(string=html, url_fetcher=_no_fetching(weasyprint)).write_pdf()


def _no_fetching(weasyprint):
    # The summary is self-contained: nothing in it may make the server fetch a URL
    # or read a file. WeasyPrint 66+ takes a fetcher object, older versions a function.
    if hasattr(weasyprint, "URLFetcher"):
        return weasyprint.URLFetcher(allowed_protocols=())
    return _refuse


def _refuse(url, *args, **kwargs):
    raise ValueError(f"the closure summary may not load {url}")
