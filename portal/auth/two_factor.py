"""The second factor: codes from an authenticator app (TOTP, RFC 6238) and recovery codes.

- The secret is made when the user sets up their app, kept unconfirmed until they
  type a code from it, and cleared when an admin resets their second factor.
- A code is accepted for the time step before, at or after now (30 seconds each,
  for clocks that drift), and only for a step later than the last one accepted:
  an atomic conditional UPDATE, so a code seen over someone's shoulder, or sent
  twice at once, signs in at most once.
- Recovery codes: 10, shown once when the app is set up (and when the user asks
  for a new set), 80 random bits each, kept as sha256, each used at most once
  (also an atomic conditional UPDATE).

Guessing codes is limited by the sign-in lockout and rate limits (lockout.py).
"""

import hashlib
import hmac
import io
import re
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa

from ..audit import record
from ..extensions import db
from ..models import RecoveryCode, User
from ..models.types import utcnow

STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are copied from paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 16  # 16 characters of 31: about 79 bits
_APP_CODE = re.compile(r"^\d{6}$")


def skips_second_factor(user: User, config) -> bool:
    """Only in development, only demo accounts: so a newcomer can try the demo with a password."""
    return bool(config.get("DEMO_ACCOUNTS_SKIP_SECOND_FACTOR")) and user.email.endswith("@demo.example")


# --- the authenticator app ---------------------------------------------------------------


def start_set_up(user: User) -> None:
    """Give the user a new, unconfirmed secret (kept if they reload the page)."""
    if user.totp_secret is None or user.totp_confirmed_at is not None:
        user.totp_secret = pyotp.random_base32()
        user.totp_confirmed_at = None
        user.totp_last_step = None
        db.session.commit()


def provisioning_uri(user: User, issuer: str) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_code_svg(uri: str) -> bytes:
    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out, kind="svg", scale=5, border=4, xmldecl=False, title="QR code to set up your authenticator app"
    )
    return out.getvalue()


def grouped_secret(user: User) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    secret = user.totp_secret or ""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def is_app_code(code: str) -> bool:
    return bool(_APP_CODE.match(_squash(code)))


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code this is (now, or one step either side), or None."""
    code = _squash(code)
    if not _APP_CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def accept_app_code(user: User, code: str) -> bool:
    """True if the code is right and its time step was not used before (then it never will be)."""
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code)
    if step is None:
        return False
    result = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def confirm_set_up(user: User, code: str) -> list[str] | None:
    """Confirm the app with a code from it; the new recovery codes, or None if the code is wrong."""
    if not accept_app_code(user, code):
        return None
    user.totp_confirmed_at = utcnow()
    codes = _replace_recovery_codes(user)
    record("two-factor set up", user=user, detail=f"user {user.id}; {len(codes)} recovery codes made")
    db.session.commit()
    return codes


# --- recovery codes ----------------------------------------------------------------------


def _squash(code: str) -> str:
    return re.sub(r"[\s-]", "", (code or "").lower())[:100]


def _digest(code: str) -> str:
    return hashlib.sha256(_squash(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4))


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(c)) for c in codes)
    return codes


def new_recovery_codes(user: User) -> list[str]:
    """A new set (the old ones stop working); audited. Shown to the user once."""
    codes = _replace_recovery_codes(user)
    record("two-factor recovery codes replaced", user=user, detail=f"user {user.id}")
    db.session.commit()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    result = db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(code), RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def accept_code(user: User, code: str) -> str | None:
    """'app' or 'recovery' if the code signs in (and is now used up), else None."""
    if is_app_code(code):
        return "app" if accept_app_code(user, code) else None
    return "recovery" if use_recovery_code(user, code) else None


# --- an admin resets it ------------------------------------------------------------------


def clear_second_factor(user: User) -> None:
    """Forget the app and the recovery codes; the user sets up a new app at next sign-in.
    The caller audits and commits."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
