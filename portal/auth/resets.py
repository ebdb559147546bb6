"""Forgotten passwords: a reset link the user asks for themselves (docs/notifications.md).

- The link holds a random token (256 bits); only its sha256 is stored, so a
  leaked database yields no working link. It works once, for an hour, and a
  newer link stops the older ones working.
- Asking gives the same answer, and does the same work in the request, whether
  or not the address has an account (the e-mail goes after the response), so
  the form tells nobody which addresses have accounts. It is rate-limited per
  client address and per address typed (portal/ratelimit.py).
- The lockout still applies: a reset neither unlocks an account nor clears its
  count of failed sign-ins; while the account is locked the link is refused
  (and still works afterwards, within its hour). A reset never signs anyone in:
  the user then signs in with the new password and their authenticator app
  code as always. Every session of the account is ended.
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from ..audit import record
from ..extensions import db
from ..models import PasswordReset, User
from ..models.types import utcnow
from ..notify import events
from .lockout import _lift_expired_lock
from .passwords import hash_password
from .sessions import end_all_sessions

LIFETIME = timedelta(hours=1)
TOKEN_BYTES = 32

USED_OR_EXPIRED = "This link to reset your password has expired or has already been used. Ask for a new one."
LOCKED = (
    "Your account is locked after too many wrong passwords or codes, so your password cannot be "
    "reset now. Try again in 15 minutes, or ask your council’s portal admin to unlock it."
)


def digest(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def request_reset(email: str) -> None:
    """E-mail a reset link if `email` is an active account's; nothing says whether it was."""
    user = db.session.scalar(sa.select(User).filter_by(email=(email or "").strip().lower()[:320]))
    if user is None or not user.active:
        record("password-reset.request", detail="unknown" if user is None else f"user {user.id}")
        db.session.commit()
        return
    now = utcnow()
    # A newer link replaces older ones: only the last e-mail's link works.
    db.session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(PasswordReset(user_id=user.id, token_hash=digest(token), created_at=now, expires_at=now + LIFETIME))
    record("password-reset.request", user=user, detail=f"user {user.id}")
    events.password_reset_link(user, token)
    db.session.commit()


def usable(token: str) -> PasswordReset | None:
    """The reset this token opens, if it is unused and unexpired."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        sa.select(PasswordReset).where(
            PasswordReset.token_hash == digest(token),
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > utcnow(),
        )
    )


def complete_reset(token: str, new_password: str) -> str | None:
    """Set the new password; None when done, else the message saying why not."""
    reset = usable(token)
    if reset is None:
        record("password-reset.refused", detail="unknown")
        db.session.commit()
        return USED_OR_EXPIRED
    user_id = reset.user_id
    _lift_expired_lock(user_id)  # commits; a lock whose cool-off is over is lifted as at sign-in
    user = db.session.get(User, user_id, populate_existing=True)  # as it is now, not as first loaded
    if user.locked_at is not None or not user.active:
        record(
            "password-reset.refused",
            user=user,
            detail=f"user {user.id}; account locked" if user.active else f"user {user.id}; account deactivated",
        )
        db.session.commit()
        return LOCKED if user.active else USED_OR_EXPIRED
    # Single use even when two requests race: only one conditional UPDATE changes the row.
    taken = db.session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None), PasswordReset.expires_at > utcnow())
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        db.session.rollback()
        return USED_OR_EXPIRED
    user.password_hash = hash_password(new_password)
    user.must_change_password = False  # they chose it themselves
    end_all_sessions(user, "password reset")
    record("password-reset.complete", user=user, detail=f"user {user.id}; sessions ended")
    events.password_changed(user)
    db.session.commit()
    return None
