"""Password hashing (argon2id) and the NCSC-style password policy.

NCSC guidance: ask for length, not a mix of character classes, and refuse
passwords that are known to be common. We ask for 12 characters (three random
words easily pass) and check a deny list of common passwords.
"""

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256  # long enough for any passphrase, short enough to bound hashing work
DENY_LIST = Path(__file__).with_name("common-passwords.txt")

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def common_passwords() -> frozenset[str]:
    lines = DENY_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, email: str = "") -> str | None:
    """Why the password is not allowed, in GOV.UK error wording, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if _is_common(password, email):
        return "Password is too common or easy to guess; choose a different one, for example three random words"
    return None


def _is_common(password: str, email: str) -> bool:
    lowered = password.lower()
    letters = "".join(ch for ch in lowered if ch.isalpha())
    if lowered in common_passwords() or letters in common_passwords() or not letters:
        return True
    if email and email.lower().split("@")[0] in lowered:
        return True
    # A single character repeated, or a run like "123456789012", is as weak as a listed one.
    return len(set(lowered)) <= 3
