"""Checking a sign-in attempt, and locking an account after 10 failures."""

from ..audit import record
from ..extensions import db
from ..models import User
from ..models.types import utcnow
from .passwords import hash_password, verify_password

MAX_FAILED_SIGN_INS = 10
WRONG_DETAILS = "Enter a correct email address and password"
LOCKED = (
    "This account is locked because the wrong password was entered 10 times. "
    "Ask your council's portal admin to unlock it"
)
# Verifying against a real hash when the email is unknown takes as long as a
# wrong password, so timing does not reveal which email addresses exist.
_DUMMY_HASH = hash_password("not a real password, only for timing")


def check_sign_in(email: str, password: str):
    """(user, None) when the sign-in may go ahead, else (None, message for the form)."""
    user = db.session.scalar(db.select(User).filter_by(email=(email or "").strip().lower()))
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None, WRONG_DETAILS
    if user.locked_at is not None:
        return None, _refuse(user, "sign-in refused: account locked", LOCKED)
    if not verify_password(user.password_hash, password):
        return None, _failed(user)
    if not user.active:
        return None, _refuse(user, "sign-in refused: account deactivated", WRONG_DETAILS)
    user.failed_sign_ins = 0
    return user, None


def _failed(user):
    user.failed_sign_ins += 1
    if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
        user.locked_at = utcnow()
        return _refuse(user, "account locked after 10 failed sign-ins", LOCKED)
    return _refuse(user, "sign-in failed: wrong password", WRONG_DETAILS)


def _refuse(user, action, message):
    record(action, user=user)
    db.session.commit()
    return message
