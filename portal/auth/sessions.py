"""Server-side sessions.

The Flask session cookie holds only a random token (as Flask-Login's user id).
Each request looks the token up: a session that was signed out, ended by an
admin, idle for 30 minutes or older than 12 hours is refused, so a copied or
replayed cookie is worthless after sign-out.
"""

import functools
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.orm import defer, joinedload

from ..extensions import db, login_manager
from ..models import ACCOUNT_SECRETS, User, UserSession
from ..models.types import utcnow

IDLE_LIMIT = timedelta(minutes=30)
# However active the user, a session ends 12 hours after sign-in (a working day
# and then some): a stolen session cannot be kept alive for ever.
ABSOLUTE_LIMIT = timedelta(hours=12)
# Writing last_seen on every request would make each page a database write;
# a minute's slack does not matter against a 30-minute limit.
TOUCH_EVERY = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=_digest(token), user_id=user.id))
    user.session_token = token
    return token


def end_session(token: str | None, reason: str) -> None:
    if not token:
        return
    row = db.session.scalar(db.select(UserSession).filter_by(token_hash=_digest(token)))
    if row is not None and row.ended_at is None:
        row.ended_at, row.end_reason = utcnow(), reason


def end_all_sessions(user: User, reason: str) -> None:
    rows = db.session.scalars(db.select(UserSession).filter_by(user_id=user.id, ended_at=None))
    for row in rows:
        row.ended_at, row.end_reason = utcnow(), reason


@functools.cache
def _signed_in_query():
    """One query on every request: the session, its user and the user's agency together. Built once
    per process, the token's digest as a parameter (docs/developing.md, "Queries on hot paths").

    The user's password hash, authenticator secret and lockout (`models.ACCOUNT_SECRETS`) are
    deferred: read by the pages that use them, each when it asks, not held by every request."""
    signed_in = joinedload(UserSession.user).options(*map(defer, ACCOUNT_SECRETS), joinedload(User.agency))
    return (
        sa.select(UserSession)
        .options(signed_in)
        .where(UserSession.token_hash == sa.bindparam("token_hash", type_=UserSession.token_hash.type))
    )


def load_user(token: str):
    row = db.session.scalar(_signed_in_query(), {"token_hash": _digest(token)})
    if row is None or row.ended_at is not None or not row.user.active:
        return None
    now = utcnow()
    ended = "idle" if now - row.last_seen_at > idle_limit() else None
    if now - row.created_at > ABSOLUTE_LIMIT:
        ended = "12 hours"
    if ended:
        row.ended_at, row.end_reason = now, ended
        db.session.commit()
        return None
    # Asking how long is left (the timeout warning) must not itself keep the session alive.
    asking = has_request_context() and request.endpoint == "auth.session_status"
    if now - row.last_seen_at > TOUCH_EVERY and not asking:
        row.last_seen_at = now
        db.session.commit()
    row.user.session_token = token
    row.user.session_row = row
    return row.user


def idle_limit() -> timedelta:
    """30 minutes; tests of the timeout warning shorten it with SESSION_IDLE_LIMIT."""
    return current_app.config.get("SESSION_IDLE_LIMIT") or IDLE_LIMIT


def session_row_for(token: str | None):
    """The server-side row of a cookie's token, ended or not (portal/auth/kept_forms.py asks whose it was)."""
    if not token:
        return None
    return db.session.scalar(db.select(UserSession).filter_by(token_hash=_digest(token)))


def keep_alive(row) -> None:
    """ "Stay signed in": the idle clock starts again (the 12 hours do not)."""
    row.last_seen_at = utcnow()
    db.session.commit()


def seconds_left(row) -> int:
    """Seconds until the session ends if the user does nothing: idle or 12 hours, whichever first."""
    now = utcnow()
    left = min(row.last_seen_at + idle_limit(), row.created_at + ABSOLUTE_LIMIT) - now
    return max(int(left.total_seconds()), 0)


def _seconds_left_now() -> int:
    from flask_login import current_user

    row = getattr(current_user, "session_row", None)
    return seconds_left(row) if row is not None else 0


def init_app(app):
    app.jinja_env.globals["session_seconds_left"] = _seconds_left_now
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue"
    login_manager.login_message_category = "info"
    # No "remember me": a long-lived cookie would outlive the server-side session.
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(seconds=0)
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", IDLE_LIMIT)
