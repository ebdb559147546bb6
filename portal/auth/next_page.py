"""Where to go after signing in: only one of the portal's own pages.

`next` comes from the query string, so anyone can write a link that sets it.
Accepting any string starting with "/" let `/%09/evil.example` through (browsers
drop the tab and read `//evil.example`), and a CR or LF in it gave a 500. So a
target is accepted only if it is a plain path (no scheme, no host, no
backslash, no control or whitespace character) that one of the portal's own
GET routes matches.
"""

from urllib.parse import urlsplit, urlunsplit

from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

MAX_LENGTH = 2000


def safe_next_page(target: str | None) -> str | None:
    if not target or len(target) > MAX_LENGTH:
        return None
    if "\\" in target or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(parts.path, method="GET")
    except RequestRedirect:
        return None
    except HTTPException:
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))
