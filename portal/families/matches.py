"""Is this family already known? Before a family is created (the same council case-system
reference) or a member added (a current member of another family with the same name and date
of birth), the lead professional is warned and asked to confirm (issue 13, section 7).

The warning names only what the user may see: a family they work with by its reference and
name; any other as "a family you do not work with", without its reference, name or members.
The confirmation carries a keyed digest of the matches it was shown, so a confirmed form that
now matches something else is warned about again, and the page never holds the ids of
families the user does not see.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..models import Family, Member
from ..names import person_key
from .listing import visible_query

CASE_REF_MAX = 30
# Letters, digits and the separators case systems use (EHM-000123, MOS/12/3456, 1234567);
# no spaces, so "EHM 12" and "EHM12" cannot be two references for one case.
CASE_REF = re.compile(r"[A-Z0-9][A-Z0-9\-/._]*")
CASE_REF_CHARACTERS = "letters, numbers, hyphens (-), slashes (/), full stops (.) and underscores (_)"

SAME_REF = "has the same council case-system reference"
SAME_MEMBER = "has a current member with the same name and date of birth"


def normal_case_ref(value) -> str:
    """The reference as stored: stripped, upper case ("ehm-12 " -> "EHM-12"); empty for none."""
    return (value or "").strip().upper()


def case_ref_problem(value) -> str | None:
    """Why a typed reference cannot be kept (None: it can, or none was given)."""
    ref = normal_case_ref(value)
    if not ref:
        return None
    if len(ref) > CASE_REF_MAX:
        return f"Council case-system reference must be {CASE_REF_MAX} characters or fewer"
    if not CASE_REF.fullmatch(ref):
        return (
            f"Council case-system reference must start with a letter or number and only include {CASE_REF_CHARACTERS}"
        )
    return None


@dataclass
class Match:
    why: str  # SAME_REF or SAME_MEMBER
    family: Family | None  # None when the user does not work with it

    @property
    def words(self) -> str:
        if self.family is None:
            return f"A family you do not work with {self.why}."
        return f"Family {self.family.ref} ({self.family.name}) {self.why}."


@dataclass
class Found:
    matches: list[Match]
    ids: list[int]  # every matching family, for the audit and the digest (never shown)

    def __bool__(self) -> bool:
        return bool(self.matches)

    def digest(self) -> str:
        return _digest(self.ids)

    def confirmed_by(self, value) -> bool:
        # As bytes: compare_digest refuses a str with non-ASCII characters (a forged form may send any).
        return bool(value) and hmac.compare_digest(str(value).encode(), self.digest().encode())


def _digest(ids) -> str:
    key = (
        current_app.config["SECRET_KEY"].encode()
        if isinstance(current_app.config["SECRET_KEY"], str)
        else current_app.config["SECRET_KEY"]
    )
    text = "family-matches:" + ",".join(str(i) for i in sorted(set(ids)))
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:32]


def for_new_family(user, case_ref) -> Found:
    ref = normal_case_ref(case_ref)
    if not ref:
        return Found([], [])
    ids = db.session.scalars(sa.select(Family.id).where(Family.case_system_ref == ref).order_by(Family.id)).all()
    return _found(user, ids, SAME_REF)


def for_new_member(user, family, name, born) -> Found:
    """Other families with a current member of this name (case and spaces aside) and date of birth."""
    key = same_name(name)
    if not key or born is None:
        return Found([], [])
    # Everyone born that day (a handful), names compared here: spaces and case aside, on any database.
    born_then = db.session.execute(
        sa.select(Member.family_id, Member.name).where(
            Member.date_of_birth == born, Member.withdrawn_at.is_(None), Member.family_id != family.id
        )
    ).all()
    ids = sorted({family_id for family_id, other in born_then if same_name(other) == key})
    return _found(user, ids, SAME_MEMBER)


def same_name(name) -> str:
    return person_key(name)  # one rule for when two names are one person's (portal/names.py)


def _found(user, ids, why) -> Found:
    if not ids:
        return Found([], [])
    seen = {f.id: f for f in db.session.scalars(visible_query(user).where(Family.id.in_(ids)))}
    matches = [Match(why, seen[i]) for i in ids if i in seen]
    hidden = len(ids) - len(matches)
    # Families the user does not work with: said once, however many, so not even a count leaks.
    if hidden:
        matches.append(Match(why, None))
    return Found(matches, list(ids))
