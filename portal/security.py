"""Security headers applied to every response, static files included."""

from flask import request

CSP_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(CSP_DIRECTIVES)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def init_app(app):
    app.after_request(add_security_headers)


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    if request.endpoint != "static":
        # Pages carry children's safeguarding data: no copy may stay in a
        # browser or proxy cache, where the back button or the next user of a
        # shared computer could find it.
        response.headers["Cache-Control"] = "no-store"
    return response
