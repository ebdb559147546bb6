"""Which families (and people) are already claimed in a programme phase: the double-claim rule.

A line holds its family from when it is added until it is removed from a draft,
withdrawn after submission, or rejected in a submitted claim. A family is
refused if it, or any of its members (same name and date of birth, in any
family), is held by a line of a claim in the same programme phase.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import (
    Claim,
    ClaimLine,
    ClaimLineExit,
    ClaimLineMember,
    ClaimPhaseLock,
    ClaimSubmission,
    ClaimWindow,
    LineDecision,
)


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _rejected_in_submitted():
    later = sa.orm.aliased(LineDecision)
    latest_rejected = sa.select(LineDecision.id).where(
        LineDecision.line_id == ClaimLine.id,
        LineDecision.decision == "rejected",
        ~sa.exists().where(later.replaces_id == LineDecision.id),
    )
    submitted = sa.select(ClaimSubmission.id).where(ClaimSubmission.claim_id == ClaimLine.claim_id)
    return sa.and_(sa.exists(latest_rejected), sa.exists(submitted))


def holding_lines(phase: str):
    """A select of the lines that hold their family in this phase."""
    return (
        sa.select(ClaimLine)
        .join(Claim, Claim.id == ClaimLine.claim_id)
        .join(ClaimWindow, ClaimWindow.id == Claim.window_id)
        .where(
            ClaimWindow.phase == phase,
            ~sa.exists().where(ClaimLineExit.line_id == ClaimLine.id),
            ~_rejected_in_submitted(),
        )
    )


@dataclass
class Held:
    by_family: dict  # family id -> claim id
    by_person: dict  # (name key, date of birth) -> (claim id, family ref)


def held(phase: str) -> Held:
    """Every family and person held in the phase, in two queries."""
    lines = holding_lines(phase).subquery()
    by_family = dict(db.session.execute(sa.select(lines.c.family_id, lines.c.claim_id)).all())
    people = db.session.execute(
        sa.select(ClaimLineMember.name_key, ClaimLineMember.date_of_birth, lines.c.claim_id, lines.c.family_ref).join(
            lines, lines.c.id == ClaimLineMember.line_id
        )
    ).all()
    return Held(by_family, {(n, d): (c, ref) for n, d, c, ref in people})


def holder(held_: Held, family) -> str | None:
    """Why this family cannot be added: the claim holding it or one of its members; None if free."""
    claim_id = held_.by_family.get(family.id)
    if claim_id is not None:
        return f"{family.ref} is already in claim {claim_id}"
    for member in family.current_members:
        hit = held_.by_person.get((name_key(member.name), member.date_of_birth))
        if hit:
            return (
                f"{member.name} (born {member.date_of_birth.isoformat()}) of {family.ref} is already claimed "
                f"for in claim {hit[0]} (family {hit[1]})"
            )
    return None


def lock_phase(phase: str) -> None:
    """Take the phase's lock row for the rest of the transaction (see ClaimPhaseLock)."""
    bump = sa.update(ClaimPhaseLock).where(ClaimPhaseLock.phase == phase).values(counter=ClaimPhaseLock.counter + 1)
    if db.session.execute(bump).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.add(ClaimPhaseLock(phase=phase, counter=1))
    except IntegrityError:
        db.session.execute(bump)  # someone made it meanwhile: wait for their lock like anyone else


def others_holding(line) -> list[str]:
    """Other lines of the phase holding this line's family or one of its claimed members (the double-claim check)."""
    phase = line.claim.window.phase
    mine = db.session.execute(
        sa.select(ClaimLineMember.name_key, ClaimLineMember.date_of_birth).where(ClaimLineMember.line_id == line.id)
    ).all()
    lines = holding_lines(phase).where(ClaimLine.id != line.id).subquery()
    out = [
        f"{ref} is in claim {claim_id}"
        for claim_id, ref in db.session.execute(
            sa.select(lines.c.claim_id, lines.c.family_ref).where(lines.c.family_id == line.family_id)
        ).all()
    ]
    if mine:
        people = db.session.execute(
            sa.select(ClaimLineMember.name_key, ClaimLineMember.date_of_birth, lines.c.claim_id, lines.c.family_ref)
            .join(lines, lines.c.id == ClaimLineMember.line_id)
            .where(sa.tuple_(ClaimLineMember.name_key, ClaimLineMember.date_of_birth).in_(mine))
        ).all()
        out += [f"a member born {d.isoformat()} is also in claim {c} (family {ref})" for _, d, c, ref in people]
    return out
