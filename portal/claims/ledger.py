"""Which families (and people) are already claimed in a programme phase: the double-claim rule.

A line holds its family from when it is added until it is removed from a draft.
A line withdrawn after submission, or rejected in a submitted claim, has ended:
it still holds its family (and its members) for every window of the phase whose
claim date is on or before its own claim's, and lets it go for a later claim
date only. A family is refused if it, or any of its members (same name and date
of birth, in any family), is held by a line of a claim in the same programme phase.
"""

import datetime as dt
import functools
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
from ..names import person_key
from ..uktime import uk_time
from ..verdicts import day


def name_key(name: str) -> str:
    return person_key(name)  # one rule for when two names are one person's (portal/names.py)


def _rejected_in_submitted():
    later = sa.orm.aliased(LineDecision)
    latest_rejected = sa.select(LineDecision.id).where(
        LineDecision.line_id == ClaimLine.id,
        LineDecision.decision == "rejected",
        ~sa.exists().where(later.replaces_id == LineDecision.id),
    )
    submitted = sa.select(ClaimSubmission.id).where(ClaimSubmission.claim_id == ClaimLine.claim_id)
    return sa.and_(sa.exists(latest_rejected), sa.exists(submitted))


# How a holding line holds its family: still in its claim, or ended (only until a later claim date).
IN_CLAIM, WITHDRAWN, REJECTED = "in", "withdrawn", "rejected"


def holding_lines(phase: str, claim_date: dt.date):
    """A select of the lines that hold their family for a window of this phase with this claim date,
    each with `state` (IN_CLAIM, WITHDRAWN or REJECTED) and its claim's `held_until` claim date."""
    withdrawn = sa.exists().where(ClaimLineExit.line_id == ClaimLine.id, ClaimLineExit.kind == "withdrawn")
    removed = sa.exists().where(ClaimLineExit.line_id == ClaimLine.id, ClaimLineExit.kind != "withdrawn")
    rejected = _rejected_in_submitted()
    return (
        sa.select(
            ClaimLine,
            sa.case((withdrawn, WITHDRAWN), (rejected, REJECTED), else_=IN_CLAIM).label("state"),
            ClaimWindow.claim_date.label("held_until"),
        )
        .join(Claim, Claim.id == ClaimLine.claim_id)
        .join(ClaimWindow, ClaimWindow.id == Claim.window_id)
        .where(
            ClaimWindow.phase == phase,
            ~removed,
            sa.or_(sa.and_(~withdrawn, ~rejected), ClaimWindow.claim_date >= claim_date),
        )
    )


@dataclass(frozen=True)
class Hold:
    claim_id: int
    family_ref: str
    state: str  # IN_CLAIM, WITHDRAWN or REJECTED
    until: dt.date  # the holding claim's claim date

    @property
    def in_claim(self) -> bool:
        return self.state == IN_CLAIM

    def why(self) -> str:
        if self.in_claim:
            return f"is already in claim {self.claim_id}"
        how = "withdrawn from" if self.state == WITHDRAWN else "rejected by the claim verifiers in"
        return (
            f"was {how} claim {self.claim_id}, whose claim date is {day(self.until)}: it can be claimed "
            f"for again only in a window with a later claim date"
        )


@dataclass
class Held:
    by_family: dict  # family id -> Hold
    by_person: dict  # (name key, date of birth) -> Hold


def held(window) -> Held:
    """Every family and person held for this window (its phase and claim date), in two queries."""
    lines = holding_lines(window.phase, window.claim_date).subquery()
    by_family: dict = {}
    for family_id, claim_id, ref, state, until in db.session.execute(
        sa.select(lines.c.family_id, lines.c.claim_id, lines.c.family_ref, lines.c.state, lines.c.held_until)
    ).all():
        _keep(by_family, family_id, Hold(claim_id, ref, state, until))
    people = db.session.execute(
        sa.select(
            ClaimLineMember.name_key,
            ClaimLineMember.date_of_birth,
            lines.c.claim_id,
            lines.c.family_ref,
            lines.c.state,
            lines.c.held_until,
        ).join(lines, lines.c.id == ClaimLineMember.line_id)
    ).all()
    by_person: dict = {}
    for n, d, c, ref, state, until in people:
        _keep(by_person, (n, d), Hold(c, ref, state, until))
    return Held(by_family, by_person)


def _keep(holds: dict, key, hold: Hold) -> None:
    """A family (or person) held both by a line in a claim and by an ended one is in that claim."""
    if key not in holds or (hold.in_claim and not holds[key].in_claim):
        holds[key] = hold


def hold_on(held_: Held, family) -> Hold | None:
    """The line holding this family, or one of its members; None if it is free."""
    return _holding(held_, family)[0]


def holder(held_: Held, family) -> str | None:
    """Why this family cannot be added: the claim holding it or one of its members; None if free."""
    hold, member = _holding(held_, family)
    if hold is None:
        return None
    if member is None:
        return f"{family.ref} {hold.why()}"
    claimed = "is already claimed for" if hold.in_claim else "was claimed for"
    return (
        f"{member.name} (born {day(member.date_of_birth)}) of {family.ref} {claimed} in claim "
        f"{hold.claim_id} (family {hold.family_ref})" + ("" if hold.in_claim else f", and {hold.why()}")
    )


def _holding(held_: Held, family) -> tuple[Hold | None, object]:
    """(the line holding this family, and the current member it holds, None when it holds the family
    itself); (None, None) if the family is free. The one walk hold_on and holder share."""
    hold = held_.by_family.get(family.id)
    if hold is not None:
        return hold, None
    for member in family.current_members:
        hit = held_.by_person.get((name_key(member.name), member.date_of_birth))
        if hit:
            return hit, member
    return None, None


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
    window = line.claim.window
    mine = db.session.execute(
        sa.select(ClaimLineMember.name_key, ClaimLineMember.date_of_birth).where(ClaimLineMember.line_id == line.id)
    ).all()
    lines = holding_lines(window.phase, window.claim_date).where(ClaimLine.id != line.id).subquery()
    out = [
        f"{ref} {_state_words(state, claim_id)}"
        for claim_id, ref, state in db.session.execute(
            sa.select(lines.c.claim_id, lines.c.family_ref, lines.c.state).where(lines.c.family_id == line.family_id)
        ).all()
    ]
    if mine:
        people = db.session.execute(
            sa.select(
                ClaimLineMember.name_key,
                ClaimLineMember.date_of_birth,
                lines.c.claim_id,
                lines.c.family_ref,
                lines.c.state,
            )
            .join(lines, lines.c.id == ClaimLineMember.line_id)
            .where(sa.tuple_(ClaimLineMember.name_key, ClaimLineMember.date_of_birth).in_(mine))
        ).all()
        out += [f"a member born {day(d)} {_state_words(state, c)} (family {ref})" for _, d, c, ref, state in people]
    return out


def _state_words(state, claim_id) -> str:
    if state == WITHDRAWN:
        return f"was withdrawn from claim {claim_id}, with a claim date on or after this one"
    if state == REJECTED:
        return f"was rejected in claim {claim_id}, with a claim date on or after this one"
    return f"is in claim {claim_id}"


@functools.cache
def _family_lines_query():
    # Built once (a hot path: the family page asks for every family it shows), with what the
    # words need loaded alongside, not one line at a time.
    return (
        sa.select(ClaimLine)
        .where(ClaimLine.family_id == sa.bindparam("family_id"))
        .order_by(ClaimLine.id.desc())
        .options(
            sa.orm.selectinload(ClaimLine.exit),
            sa.orm.selectinload(ClaimLine.decisions),
            sa.orm.selectinload(ClaimLine.claim).selectinload(Claim.submission),
            sa.orm.selectinload(ClaimLine.claim).selectinload(Claim.approval),
        )
    )


def family_claims(family, resting_only: bool = False) -> list[str]:
    """Every claim line of this family, newest first, in words for its family page: the engine's
    verdict says whether the records make it claimable; this says whether it has been claimed.
    `resting_only`: only the lines a claim still rests on (not removed, withdrawn, or rejected in a
    submitted claim), for the warning before the case is reopened."""
    lines = db.session.scalars(_family_lines_query(), {"family_id": family.id}).all()
    return [_line_words(line) for line in lines if not resting_only or _rests_on(line)]


def _rejected(line) -> bool:
    return line.decision is not None and line.decision.decision == "rejected"


def _rests_on(line) -> bool:
    return line.exit is None and not (line.claim.status == "submitted" and _rejected(line))


def _line_words(line) -> str:
    claim = line.claim
    if line.exit is not None:
        left = "Withdrawn from" if line.exit.kind == "withdrawn" else "Removed from the draft of"
        return f"{left} claim {claim.id} on {day(uk_time(line.exit.recorded_at).date())}"
    rejected = _rejected(line)
    if claim.status == "submitted":
        if rejected:
            return f"Rejected by the claim verifiers in claim {claim.id}, so not claimed for"
        return f"Claimed for in claim {claim.id}, submitted on {day(uk_time(claim.submission.submitted_at).date())}"
    if rejected:
        return f"In claim {claim.id} ({claim.status}), rejected by the claim verifiers"
    return f"In claim {claim.id} ({claim.status}), not submitted yet"
