"""No typed work is lost to a timeout (docs/operations.md, "Sessions and timeouts").

A form sent after the user's session idled out (30 minutes) or reached its 12
hours, or with a CSRF token that had expired, cannot be saved: the user is not
signed in, or the request cannot be trusted. Instead of a bare error, what they
typed is kept on the server against *their* account (the session that ended
says whose it was) and offered back, filled in, on the same page once they are
signed in again: every Flask-WTF form fills itself from it, and the evidence form
(not a Flask-WTF form) asks for it itself. Nothing is saved as real data until
the user sends the form again.

- Kept only for the user whose session it was; for 24 hours; one per page.
- Never kept: passwords and codes, the CSRF token, sign-in pages.
- A browser with no session cookie at all (closed and reopened) keeps nothing:
  there is no way to tell whose the form was.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from flask_wtf.form import _Auto
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from ..extensions import db, login_manager
from ..models import KeptForm, User
from ..models.types import utcnow

KEEP_FOR = timedelta(hours=24)
MAX_CHARACTERS = 100_000
ENDED_BY_TIME = ("idle", "12 hours")
NEVER_KEPT_FIELDS = ("csrf_token", "password", "code")
NOT_FROM = ("auth.", "static")
RESTORED = (
    "What you typed was not sent, because you had been signed out or the page had expired. "
    "It is filled in again below: check it, then send it."
)


def init_app(app):
    login_manager.unauthorized_handler(_sign_in_again)
    app.register_error_handler(CSRFError, _expired_token)
    app.before_request(_offer_back)
    _fill_flask_wtf_forms_from_kept()


def owner() -> User | None:
    """Whose form this is: the signed-in user, or the user whose session ended by time."""
    if current_user.is_authenticated:
        return current_user
    from .sessions import session_row_for

    row = session_row_for(session.get("_user_id"))
    if row is not None and row.end_reason in ENDED_BY_TIME and row.user.active:
        return row.user
    return None


def keep(user: User, path: str, form) -> bool:
    fields = [
        [name, value]
        for name, value in form.items(multi=True)
        if not any(word in name.lower() for word in NEVER_KEPT_FIELDS)
    ]
    if not fields or sum(len(n) + len(v) for n, v in fields) > MAX_CHARACTERS:
        return False
    db.session.execute(
        sa.delete(KeptForm).where(
            sa.or_(sa.and_(KeptForm.user_id == user.id, KeptForm.path == path), KeptForm.kept_at < utcnow() - KEEP_FOR)
        )
    )
    db.session.add(KeptForm(user_id=user.id, path=path[:2000], fields=fields))
    db.session.commit()
    return True


def take(user: User, path: str) -> MultiDict | None:
    """The form kept for this page, once: it is removed as it is offered back."""
    row = db.session.scalar(
        sa.select(KeptForm).where(KeptForm.user_id == user.id, KeptForm.path == path).order_by(KeptForm.id.desc())
    )
    if row is None:
        return None
    db.session.execute(sa.delete(KeptForm).where(KeptForm.user_id == user.id, KeptForm.path == path))
    db.session.execute(sa.delete(KeptForm).where(KeptForm.kept_at < utcnow() - KEEP_FOR))
    db.session.commit()
    if utcnow() - row.kept_at > KEEP_FOR:
        return None
    return MultiDict([tuple(pair) for pair in row.fields])


def kept_for_this_page() -> MultiDict | None:
    return g.get("kept_form")


def _keepable() -> bool:
    return (
        request.method == "POST"
        and not request.headers.get("HX-Request")
        and not (request.endpoint or "").startswith(NOT_FROM)
    )


def _sign_in_again():
    """Flask-Login's answer to a request that needs a signed-in user."""
    user = owner()
    if user is not None and _keepable():
        keep(user, request.path, request.form)
    if user is None:
        flash(login_manager.login_message, login_manager.login_message_category)
    target = request.path if request.method != "GET" or not request.query_string else request.full_path
    return redirect(url_for("auth.sign_in", next=target, timed_out=1 if user is not None else None))


def _expired_token(error):
    """A form whose CSRF token expired (or was missing) comes back filled in, not as an error page."""
    endpoint = request.endpoint or ""
    if request.method != "POST" or request.headers.get("HX-Request") or not endpoint:
        from ..errors import error_page

        return error_page(400, error)
    user = owner()
    if _keepable() and user is not None and keep(user, request.path, request.form):
        if current_user.is_authenticated:
            return redirect(request.path)
        return redirect(url_for("auth.sign_in", next=request.path, timed_out=1))
    flash("The page had expired, so nothing was sent. Try again", "info")
    if endpoint in ("auth.sign_in", "auth.second_factor", "auth.set_up"):
        return redirect(request.path)
    return redirect(url_for("main.home") if current_user.is_authenticated else url_for("auth.sign_in"))


def _offer_back():
    if request.method != "GET" or not current_user.is_authenticated or request.endpoint in (None, "static"):
        return
    if not _takes_posts():
        return
    kept = take(current_user, request.path)
    if kept is not None:
        g.kept_form = kept
        flash(RESTORED, "info")


def _takes_posts() -> bool:
    """Whether a form can be kept for this address. Forms are kept at the address they are sent
    to (a POST that came too late; the warning's script sends a POST form's action), so a page no
    form is sent to (the family page, a list) has none, and need not ask the database on every
    view: a routing match costs microseconds, the query a round trip."""
    rule = request.url_rule
    if rule is not None and "POST" in (rule.methods or ()):
        return True
    adapter = current_app.create_url_adapter(request)  # as Flask routes this request
    if adapter is None:
        return True  # cannot tell: look, as before
    try:
        adapter.match(request.path, method="POST")
    except HTTPException:  # NotFound, MethodNotAllowed, or a redirect to another address
        return False
    return True


def _fill_flask_wtf_forms_from_kept():
    """Every Flask-WTF form on the page a kept form belongs to fills itself from it (GET only)."""
    if getattr(FlaskForm.Meta.wrap_formdata, "_fills_kept", False):
        return
    original = FlaskForm.Meta.wrap_formdata

    def wrap_formdata(self, form, formdata):
        kept = g.get("kept_form") if formdata is _Auto else None
        if kept is not None and request.method == "GET":
            return kept
        return original(self, form, formdata)

    wrap_formdata._fills_kept = True
    FlaskForm.Meta.wrap_formdata = wrap_formdata
