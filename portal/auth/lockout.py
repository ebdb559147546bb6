"""Checking a sign-in attempt, and locking an account after 10 failures.

Parallel guesses must not beat the count, so each attempt *reserves* one of the
10 allowed failures in the database before its password is checked:

1. `UPDATE ... SET failed_sign_ins = failed_sign_ins + 1 WHERE failed_sign_ins < 10
   AND locked_at IS NULL`. The database serialises these updates on the row (a row
   lock on PostgreSQL, the write lock on SQLite), so however many attempts arrive at
   once, at most 10 get a reservation; the rest are refused without a password check.
2. The password is checked (argon2) only with a reservation.
3. A wrong password keeps its reservation; the one that takes the count to 10 locks.
   A right password clears the count only if the account is still unlocked
   (`UPDATE ... WHERE locked_at IS NULL`): the lock is checked again after the
   password check, so a guess that raced a lock does not sign in.

Every answer that refuses costs one argon2 verification, and unknown, locked and
wrong-password answers carry the same message, so neither the text nor the timing
tells which accounts exist or are locked.

A lock lifts by itself after a cool-off that doubles with each lock in a row
(15 minutes, 30, 60, ... at most 24 hours); an admin can unlock at once. A
successful sign-in starts the doubling again.
"""

from datetime import timedelta

import sqlalchemy as sa

from ..audit import record
from ..extensions import db
from ..models import User
from ..models.types import utcnow
from .passwords import hash_password, verify_password

MAX_FAILED_SIGN_INS = 10
FIRST_COOL_OFF = timedelta(minutes=15)
LONGEST_COOL_OFF = timedelta(hours=24)
WRONG_DETAILS = "Enter a correct email address and password"
# Verifying against a real hash when the email is unknown (or the account is
# locked) takes as long as a wrong password, so timing reveals nothing.
_DUMMY_HASH = hash_password("not a real password, only for timing")


def cool_off(lock_count: int) -> timedelta:
    """How long the lock_count-th lock in a row lasts: 15 minutes, doubling, at most a day."""
    doublings = min(max(lock_count - 1, 0), 16)
    return min(FIRST_COOL_OFF * (2**doublings), LONGEST_COOL_OFF)


def check_sign_in(email: str, password: str):
    """(user, None) when the sign-in may go ahead, else (None, message for the form)."""
    user = db.session.scalar(sa.select(User).filter_by(email=(email or "").strip().lower()))
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None, WRONG_DETAILS
    _lift_expired_lock(user.id)
    if not _reserve_attempt(user.id):
        verify_password(_DUMMY_HASH, password)
        return None, _refuse(user, "sign-in refused: account locked")
    if not verify_password(user.password_hash, password):
        return None, _failed(user)
    if not _clear_failures_if_unlocked(user.id):
        return None, _refuse(user, "sign-in refused: locked during the password check")
    if not user.active:
        return None, _refuse(user, "sign-in refused: account deactivated")
    db.session.refresh(user)
    return user, None


def register_wrong_password(user: User) -> bool:
    """A wrong password typed by a signed-in user (e.g. on Your account) counts too.

    Returns True when this failure locked the account. The caller commits.
    """
    _lift_expired_lock(user.id)
    if not _reserve_attempt(user.id, commit=False):
        return True
    return _lock_if_due(user)


def _lift_expired_lock(user_id: int) -> None:
    now = utcnow()
    db.session.execute(
        sa.update(User)
        .where(User.id == user_id, User.locked_until.is_not(None), User.locked_until <= now)
        .values(locked_at=None, locked_until=None, failed_sign_ins=0)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _reserve_attempt(user_id: int, commit: bool = True) -> bool:
    result = db.session.execute(
        sa.update(User)
        .where(
            User.id == user_id,
            User.locked_at.is_(None),
            User.failed_sign_ins < MAX_FAILED_SIGN_INS,
        )
        .values(failed_sign_ins=User.failed_sign_ins + 1)
        .execution_options(synchronize_session=False)
    )
    if commit:
        # Commit before the slow password check: the row lock is held only for
        # the update itself, and the reservation is visible to every other attempt.
        db.session.commit()
    return result.rowcount == 1


def _clear_failures_if_unlocked(user_id: int) -> bool:
    result = db.session.execute(
        sa.update(User)
        .where(User.id == user_id, User.locked_at.is_(None))
        .values(failed_sign_ins=0, lock_count=0)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _lock_if_due(user: User) -> bool:
    """Lock the account if reservations have reached the limit; True if this call locked it."""
    now = utcnow()
    count = db.session.scalar(sa.select(User.lock_count).where(User.id == user.id)) or 0
    result = db.session.execute(
        sa.update(User)
        .where(
            User.id == user.id,
            User.locked_at.is_(None),
            User.failed_sign_ins >= MAX_FAILED_SIGN_INS,
        )
        .values(locked_at=now, locked_until=now + cool_off(count + 1), lock_count=User.lock_count + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        from .sessions import end_all_sessions

        end_all_sessions(user, "account locked")
        record("account locked after 10 failed sign-ins", user=user)
        return True
    return False


def _failed(user):
    if not _lock_if_due(user):
        record("sign-in failed: wrong password", user=user)
    db.session.commit()
    return WRONG_DETAILS


def _refuse(user, action):
    record(action, user=user)
    db.session.commit()
    return WRONG_DETAILS
