"""?page=N on the paged lists (families, audit log), and GOV.UK pagination for them."""

from flask import request

# Far more pages than any list will have (50 rows a page); the offset it gives
# (50 million rows) fits both databases. A larger number reads as this one, so
# it is simply "past the end".
MAX_PAGE = 1_000_000


def requested_page() -> int:
    """The page asked for: 1 when absent or not a plain number, at most MAX_PAGE."""
    text = request.args.get("page", "")
    if not text.isascii() or not text.isdigit():
        return 1
    if len(text) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return max(1, min(int(text), MAX_PAGE))


def pagination(page, href) -> dict:
    """GOV.UK pagination params: first, last, and the pages either side of this one; href(n) links page n."""
    near = sorted({1, page.pages, *range(max(1, page.number - 1), min(page.pages, page.number + 1) + 1)})
    items, before = [], 0
    for n in near:
        if n - before > 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": href(n), "current": n == page.number})
        before = n
    params = {"items": items, "landmarkLabel": "Pages of families"}
    if page.number > 1:
        params["previous"] = {"href": href(page.number - 1)}
    if page.number < page.pages:
        params["next"] = {"href": href(page.number + 1)}
    return params
