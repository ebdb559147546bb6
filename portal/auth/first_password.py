"""A password an admin chose is changed by its user at their first sign-in.

An admin tells a new user their first password (or a reset one) by phone: two
people know it. Until the user has chosen their own, every page but Your
account (where they change it) and signing out sends them there.
"""

from flask import redirect, request, url_for
from flask_login import current_user

ALLOWED = {
    "account.index",
    "auth.sign_out",
    "static",
    "main.healthz",
    "auth.keep_alive",
    "auth.session_status",
    "auth.keep_form",
}


def init_app(app):
    app.before_request(_send_to_change_password)


def _send_to_change_password():
    if request.endpoint in ALLOWED or request.endpoint is None:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("account.index"))
    return None
