"""When two people's names are the same name: the one rule for every comparison of names.

Used where the portal asks whether a person recorded twice is one person: the double-claim
check (claims/ledger.py: the same name and date of birth in two claims) and the warning of a
matching member when a family or a member is added (families/matches.py).

Names are compared without what a reader cannot see or would read as the same: case,
runs of spaces, compatibility forms (a full-width "Ａ", a ligature "ﬁ") and invisible
formatting characters (zero-width space and joiners, soft hyphen, word joiner, direction
marks and overrides: Unicode's "format" category, Cf). Without this, "Chan\u200btelle" was
another person than "Chantelle" to the double-claim check, and the same family could be
claimed for twice (an attack test, session 13).
"""

import unicodedata


def person_key(name: str | None) -> str:
    """The form of a name two records are compared in: 'Chan\u200btelle  SMITH' -> 'chantelle smith'."""
    visible = "".join(c for c in unicodedata.normalize("NFKC", name or "") if unicodedata.category(c) != "Cf")
    return " ".join(unicodedata.normalize("NFKC", visible.casefold()).split())
