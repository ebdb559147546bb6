"""HTMX helpers every feature shares (docs/developing.md, "Forms")."""

from flask import request


def is_htmx() -> bool:
    """Whether htmx sent the request: answer with the partial (`_name.html`) alone."""
    return request.headers.get("HX-Request") == "true"
