"""Error pages: every error the portal answers is a GOV.UK page with a way back.

The security headers are added to these responses like any other
(portal/security.py runs after every response, errors included). Blueprints may
answer their own errors first (the sign-in form answers its own 429).
"""

import logging

from flask import render_template
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)

PAGES = {
    400: (
        "Sorry, there is a problem with what was sent",
        "The page could not use what your browser sent. Go back, check the page and try again.",
    ),
    403: (
        "You cannot use this page",
        (
            "Your account does not give you access to this page. If you think it should, ask your council’s "
            "portal admin."
        ),
    ),
    404: (
        "Page not found",
        (
            "If you typed the web address, check it is correct. If you pasted it, check you copied all of it. "
            "The page may also be one your account cannot see."
        ),
    ),
    405: (
        "This page cannot be used like that",
        ("The page exists, but not for what your browser asked. Go back and use the page’s own links and buttons."),
    ),
    413: (
        "What you sent is too large",
        (
            "The form or file you sent is larger than the portal accepts. Go back and send less, for example a "
            "shorter statement."
        ),
    ),
    429: ("Too many requests", "You have sent a lot of requests in a short time. Wait a few minutes, then try again."),
    500: (
        "Sorry, there is a problem with the service",
        (
            "Try again later. Nothing you had already saved has been lost. If it keeps happening, tell your "
            "council’s portal admin and give them the reference below."
        ),
    ),
}
FALLBACK = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
    '<link rel="stylesheet" href="/static/govuk-frontend/govuk-frontend.min.css"></head>'
    '<body class="govuk-template__body"><div class="govuk-width-container"><main class="govuk-main-wrapper">'
    '<h1 class="govuk-heading-l">{title}</h1><p class="govuk-body">{text}</p>'
    '<p class="govuk-body"><a class="govuk-link" href="/">Go to the start page</a></p>'
    "</main></div></body></html>"
)


def init_app(app):
    for code in PAGES:
        app.register_error_handler(code, _handle)


def _handle(error):
    code = error.code if isinstance(error, HTTPException) else 500
    return error_page(code, error)


def error_page(code, error=None):
    from flask import g

    title, text = PAGES.get(code, PAGES[500])
    headers = {}
    if code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    if code >= 500:
        try:
            db.session.rollback()  # whatever failed, the page must not reuse its transaction
        except Exception:
            log.exception("rollback after an error failed")
    try:
        signed_in = current_user.is_authenticated
        page = render_template(
            "errors/error.html",
            code=code,
            title=title,
            text=text,
            signed_in=signed_in,
            request_id=g.get("request_id", ""),
            page_title=title,
        )
    except Exception:  # the page itself must not fail: say it plainly, still styled
        log.exception("error page could not be rendered")
        page = FALLBACK.format(title=title, text=text)
    return page, code, headers
