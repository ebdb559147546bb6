"""Changing your own password."""

import sqlalchemy as sa

from ..audit import record
from ..auth.passwords import hash_password
from ..auth.sessions import _digest  # the one place that knows how tokens are stored
from ..extensions import db
from ..models import User, UserSession
from ..models.types import utcnow


def end_other_sessions(user: User, reason: str) -> int:
    """End the user's sessions except the one making this request; how many ended."""
    rows = db.session.scalars(
        sa.select(UserSession).where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.token_hash != _digest(user.session_token or ""),
        )
    ).all()
    for row in rows:
        row.ended_at, row.end_reason = utcnow(), reason
    return len(rows)


def change_password(user: User, new_password: str) -> None:
    # Someone who learnt the old password may be signed in elsewhere: sign them out.
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    ended = end_other_sessions(user, "password changed")
    record("account.password-change", detail=f"user {user.id}; {ended} other sessions ended")
    db.session.commit()


def refuse_wrong_password(user: User) -> bool:
    """Audited, and counted towards the lockout like a wrong password at sign-in.

    Returns True if this guess locked the account (every session is then ended).
    """
    from ..auth.lockout import register_wrong_password

    record("account.password-change refused: wrong current password", detail=f"user {user.id}")
    locked = register_wrong_password(user)
    db.session.commit()
    return locked
