"""?page=N on the paged lists (families, audit log)."""

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
