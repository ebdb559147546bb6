"""The audit sample: drawn from a stored seed and size, flagged lines always in; redrawn with a reason; widened."""

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import ClaimLine, ClaimSample, LineDecision
from ..rules.claims import draw_sample, sample_size, widening
from . import ledger
from .building import Refused, audit


def in_claim(claim) -> list:
    """Lines still in the claim: not removed or withdrawn (rejected lines count until the claim is submitted)."""
    return [line for line in claim.lines if line.exit is None]


def included(claim) -> list:
    """The lines the claim is for: in the claim and not rejected."""
    return [line for line in in_claim(claim) if not (line.decision and line.decision.decision == "rejected")]


def rejected(claim) -> list:
    return [line for line in in_claim(claim) if line.decision and line.decision.decision == "rejected"]


def why_not_redraw(claim) -> str:
    """Why the sample may not be redrawn now ("" if it may).

    Once a verifier has decided a sampled line, a new seed would let the claim's builder trade a
    sample that found a fault for a fresh one, escaping the widening a rejection asks for: from
    then on the sample can only be widened (same seed, more lines), which keeps every line in it."""
    decided = sa.exists().where(LineDecision.line_id == ClaimLine.id, ClaimLine.claim_id == claim.id)
    if claim.samples and db.session.scalar(sa.select(decided)):  # one query, read afresh under the lock
        return f"Claim {claim.id} has decisions on sampled lines: its sample can be widened but not redrawn"
    return ""


def draw(claim, user, reason: str = "") -> ClaimSample:
    """The first sample, or a redraw with a new seed (a reason is required, and kept)."""
    _lock(claim)
    if claim.status != "draft":
        raise Refused(f"Claim {claim.id} is {claim.status}: its sample can no longer change")
    if refusal := why_not_redraw(claim):
        raise Refused(refusal)
    if claim.samples and not reason.strip():
        raise Refused("Say why the sample is redrawn")
    lines = in_claim(claim)
    if not lines:
        raise Refused(f"Claim {claim.id} has no lines to sample")
    window = claim.window
    size = sample_size(len(lines), window.sample_percent, window.sample_minimum)
    return _save(claim, user, secrets.token_hex(8), size, "redrawn" if claim.samples else "drawn", reason.strip())


def widen(claim, user) -> ClaimSample:
    """The same seed with more lines, as many as the sample result asks for (every line if need be)."""
    _lock(claim)
    state = sample_state(claim)
    if claim.status != "draft" or state is None or not state.widen_by:
        raise Refused("The sample does not need widening")
    current = claim.sample
    reason = (
        f"rejection rate {state.rate_text} is above the tolerance of {claim.window.tolerance_percent}%: "
        f"{state.widen_by} more lines"
    )
    return _save(claim, user, current.seed, current.size + state.widen_by, "widened", reason)


def add_changed(claim, user) -> ClaimSample:
    """Put the lines whose records changed since they were added (and that are not sampled) in the
    sample: the same seed, those lines kept as flagged lines are (always in), and the size grown by
    as many, so every line sampled before stays sampled (rules.claims.draw_sample)."""
    from .redecide import changed_since_added

    _lock(claim)
    current = claim.sample
    if claim.status != "draft" or current is None:
        raise Refused("Only the sample of a draft claim takes the changed lines; draw the sample first")
    changed = [i for i in changed_since_added(included(claim)) if i not in set(current.chosen)]
    if not changed:
        raise Refused("No line outside the sample has records changed since it was added")
    refs = ", ".join(line.family_ref for line in claim.lines if line.id in changed)
    return _save(
        claim,
        user,
        current.seed,
        current.size + len(changed),
        "changed",
        f"records changed since the lines were added: {refs}",
        also_flagged=changed,
    )


def _lock(claim):
    ledger.lock_phase(claim.window.phase)
    db.session.expire(claim)


def _save(claim, user, seed, size, kind, reason, also_flagged=()) -> ClaimSample:
    lines = in_claim(claim)
    population = [line.id for line in lines]
    kept = set(claim.sample.flagged) if claim.samples else set()  # lines put in by add_changed stay in
    flagged = [line.id for line in lines if line.flags or line.id in kept or line.id in also_flagged]
    chosen = draw_sample(population, flagged, seed, size)
    sequence = claim.samples[-1].sequence + 1 if claim.samples else 1
    sample = ClaimSample(
        claim_id=claim.id,
        sequence=sequence,
        seed=seed,
        size=size,
        population=population,
        flagged=flagged,
        chosen=chosen,
        kind=kind,
        reason=reason,
        drawn_by_id=user.id,
    )
    db.session.add(sample)
    audit(
        user,
        f"claim.sample.{kind}",
        detail=f"claim {claim.id}: seed {seed}, size {size} of {len(population)} lines, "
        f"{len(flagged)} flagged, {len(chosen)} chosen"
        + ("; with a reason" if reason else ""),  # the reason: on the row
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Refused("Someone else changed the sample at the same time; look at it again") from None
    return sample


@dataclass
class SampleState:
    sampled: list  # lines in the sample
    verified: int
    rejected: int
    queried: int
    undecided: int
    total: int  # lines in the claim
    tolerance: int
    widen_by: int | None  # extra lines needed, None when within the tolerance

    @property
    def rate(self) -> float:
        return self.rejected / len(self.sampled) if self.sampled else 0.0

    @property
    def rate_text(self) -> str:
        return f"{self.rate * 100:.1f}%"

    @property
    def all_checked(self) -> bool:
        return len(self.sampled) >= self.total

    @property
    def exceeded(self) -> bool:
        return self.widen_by is not None and not self.all_checked

    @property
    def complete(self) -> bool:
        return self.undecided == 0 and self.queried == 0


def sample_state(claim) -> SampleState | None:
    sample = claim.sample
    if sample is None:
        return None
    chosen = set(sample.chosen)
    sampled = [line for line in claim.lines if line.id in chosen]
    decisions = [line.decision.decision if line.decision else None for line in sampled]
    rejected = decisions.count("rejected")
    total = len(sample.population)
    widen_by = widening(len(sampled), rejected, claim.window.tolerance_percent, total)
    return SampleState(
        sampled,
        decisions.count("verified"),
        rejected,
        decisions.count("queried"),
        decisions.count(None),
        total,
        claim.window.tolerance_percent,
        widen_by if widen_by else None,
    )


def reproduces(sample) -> bool:
    """Whether the stored seed and size give the stored sample again."""
    return draw_sample(sample.population, sample.flagged, sample.seed, sample.size) == sample.chosen
