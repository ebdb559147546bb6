"""Password hashing (argon2id) and the NCSC-style password policy.

NCSC guidance: ask for length, not a mix of character classes, and refuse
passwords that are known to be common. We ask for 12 characters (three random
words easily pass) and check a deny list of common passwords.
"""

import gzip
import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256  # long enough for any passphrase, short enough to bound hashing work
DENY_LIST = Path(__file__).with_name("common-passwords.txt")  # the council's own additions
# The 100,000 most common passwords (licence and source: docs/security.md).
COMMON_100K = Path(__file__).with_name("common-passwords-100k.txt.gz")

# Leetspeak read back as letters. "1" and "|" are read both as "i" and as "l".
_LEET = {
    "@": "a",
    "4": "a",
    "8": "b",
    "(": "c",
    "3": "e",
    "6": "g",
    "9": "g",
    "#": "h",
    "!": "i",
    "0": "o",
    "$": "s",
    "5": "s",
    "7": "t",
    "+": "t",
    "2": "z",
}
_LEET_I = str.maketrans({**_LEET, "1": "i", "|": "i"})
_LEET_L = str.maketrans({**_LEET, "1": "l", "|": "l"})
_AFFIXES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_SUFFIX = re.compile(r"[\W\d_]+$")
_PREFIX = re.compile(r"^[\W\d_]+")
_RUNS = re.compile(r"(.)\1{2,}")

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
    with gzip.open(COMMON_100K, "rt", encoding="utf-8") as shipped:
        lines = shipped.read().splitlines()
    lines += DENY_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _unrepeat(text: str) -> str:
    """ "trustno1trustno1" -> "trustno1": the shortest piece the text repeats."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def guesses(password: str) -> set[str]:
    """What an attacker's rules would try first for this password: the password lower-cased,
    with leading and trailing digits and symbols taken off, leetspeak read as letters,
    repetition taken out ("abcabc" -> "abc", "passssword" -> "pasword" and "password"), and
    letters only. A password is common if any of these is on the list."""
    lowered = password.lower()
    found = set()
    for base in {lowered, _AFFIXES.sub("", lowered), _SUFFIX.sub("", lowered), _PREFIX.sub("", lowered)}:
        for form in (base, base.translate(_LEET_I), base.translate(_LEET_L)):
            for core in (form, _AFFIXES.sub("", form), "".join(ch for ch in form if ch.isalpha())):
                found.update((core, _unrepeat(core), _RUNS.sub(r"\1", core), _RUNS.sub(r"\1\1", core)))
                found.add(_unrepeat(_AFFIXES.sub("", _unrepeat(core))))
    found.discard("")
    return found


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
    if not letters or not guesses(password).isdisjoint(common_passwords()):
        return True
    if email and email.lower().split("@")[0] in lowered:
        return True
    # A single character repeated, or a run like "123456789012", is as weak as a listed one.
    return len(set(lowered)) <= 3
