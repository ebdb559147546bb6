"""A sign-in half done: the password was right, the second factor is still to come.

Kept in the (signed) Flask session cookie: only the user's id, when the password
was checked and where to go afterwards. Nobody is signed in until the second
factor is done, and a half-done sign-in lapses after 10 minutes.
"""

import time

from flask import session

from ..extensions import db
from ..models import User

PENDING_FOR_SECONDS = 10 * 60
_KEY = "pending_sign_in"


def start(user: User, next_page: str | None) -> None:
    session.clear()  # nothing carried over from before sign-in
    session[_KEY] = {"user": user.id, "at": int(time.time()), "next": next_page}


def user() -> User | None:
    pending = session.get(_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_FOR_SECONDS:
        return None
    found = db.session.get(User, pending.get("user"))
    return found if found is not None and found.active else None


def next_page() -> str | None:
    pending = session.get(_KEY)
    return pending.get("next") if isinstance(pending, dict) else None


def mark_set_up_done() -> None:
    """The app was just confirmed: the next step shows the recovery codes once, then signs in."""
    session[_KEY] = {**session.get(_KEY, {}), "set_up_done": True}


def set_up_done() -> bool:
    pending = session.get(_KEY)
    return isinstance(pending, dict) and pending.get("set_up_done") is True


def account_key() -> str:
    """The rate-limit key of the account whose second factor is being tried."""
    pending = session.get(_KEY)
    return f"second factor account:{pending.get('user') if isinstance(pending, dict) else ''}"
