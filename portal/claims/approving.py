"""Check answers, approval by a second programme manager, submission, and withdrawal after submission."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import ClaimApproval, ClaimLineExit, ClaimSubmission
from ..roles import Role
from . import ledger
from .building import Refused, audit, builders, choosers, deciders
from .redecide import changed_since_added
from .sampling import included, rejected, sample_state


@dataclass
class Totals:
    by_plan_and_type: list  # ((plan id, claim type), lines)
    lines: int
    flagged: int


def totals(claim) -> Totals:
    lines = included(claim)
    counts = Counter((line.plan_id, line.claim_type) for line in lines)
    return Totals(sorted(counts.items()), len(lines), sum(1 for line in lines if line.flags))


def blockers(claim) -> list[str]:
    """What stops approval, in words (empty when the claim can be approved)."""
    if claim.status != "draft":
        return [f"Claim {claim.id} is already {claim.status}"]
    state = sample_state(claim)
    if state is None:
        return ["Draw the audit sample"]
    out = []
    if state.undecided:
        out.append(f"{_lines(state.undecided)} not decided yet")
    if state.queried:
        queried = [line for line in state.sampled if line.decision and line.decision.decision == "queried"]
        answered = sum(1 for line in queried if line.decision.answer is not None)
        if len(queried) - answered:
            out.append(f"{_lines(len(queried) - answered)} queried, waiting for the lead professional's answer")
        if answered:
            out.append(f"{_lines(answered)} queried and answered: a claim verifier decides {_them(answered)} next")
    if state.exceeded:
        out.append(
            f"The rejection rate in the sample ({state.rate_text}) is above the tolerance of "
            f"{state.tolerance}%: widen the sample by {state.widen_by} lines"
            + (" (every line)" if state.widen_by + len(state.sampled) >= state.total else "")
        )
    if not included(claim):
        out.append("No line is left in the claim")
    return out


def _lines(n: int) -> str:
    return "1 sampled line is" if n == 1 else f"{n} sampled lines are"


def _them(n: int) -> str:
    return "it" if n == 1 else "them"


def why_not_approve(claim, user) -> str | None:
    if user.role != Role.PROGRAMME_MANAGER:
        return "Only programme managers approve claims"
    # Segregation of duties: nobody approves a claim whose lines or sample they chose, or whose
    # lines they decided as a verifier (a role can change: the rows say who did what).
    if user.id in builders(claim):
        return f"You built claim {claim.id}, so another programme manager must approve it"
    if user.id in choosers(claim):
        return f"You removed lines from claim {claim.id} or redrew its sample, so another programme manager must approve it"
    if user.id in deciders(claim):
        return f"You decided lines of claim {claim.id} as a verifier, so another programme manager must approve it"
    found = blockers(claim)
    return found[0] if found else None


def unchecked_changes(claim) -> list[str]:
    """Lines the claim is for whose records changed since they were added (redecide.changed_since_added)
    and that no verifier has decided: each must be put in the sample (sampling.add_changed) and
    decided before the claim is approved. Decides every line's family, so it is asked on the
    check page and at approval, not on every page that shows the claim."""
    state = sample_state(claim)
    chosen = set(claim.sample.chosen) if claim.sample else set()
    changed = changed_since_added(included(claim))
    if state is None:
        return [why + ": remove the line, or draw the sample and have a verifier decide it" for why in changed.values()]
    return [
        why + ": put it in the sample so that a verifier decides it"
        for line_id, why in changed.items()
        if line_id not in chosen
    ]


def approve(claim, user) -> ClaimApproval:
    ledger.lock_phase(claim.window.phase)
    db.session.expire(claim)
    refusal = why_not_approve(claim, user)
    if refusal:
        raise Refused(refusal)
    changed = unchecked_changes(claim)
    if changed:
        raise Refused(changed[0])
    row = ClaimApproval(claim_id=claim.id, approved_by_id=user.id)
    db.session.add(row)
    t = totals(claim)
    audit(user, "claim.approve", detail=f"claim {claim.id}: {t.lines} lines, {len(rejected(claim))} rejected")
    _commit(f"Claim {claim.id} has been approved already")
    return row


def submit(claim, user) -> ClaimSubmission:
    """Lines become claimed and read-only; the files are built (build_claim_files)."""
    ledger.lock_phase(claim.window.phase)
    db.session.expire(claim)
    if claim.status != "approved":
        raise Refused(f"Claim {claim.id} is {claim.status}: only an approved claim is submitted")
    if user.role != Role.PROGRAMME_MANAGER:
        raise Refused("Only programme managers submit claims")
    row = ClaimSubmission(claim_id=claim.id, submitted_by_id=user.id)
    db.session.add(row)
    for line in included(claim):
        audit(user, "claim.line.claimed", line.family, detail=f"claim {claim.id}, line {line.id}: {line.claim_type}")
    audit(user, "claim.submit", detail=f"claim {claim.id}: {len(included(claim))} lines")
    _commit(f"Claim {claim.id} has been submitted already")
    return row


def withdraw(line, user, reason) -> ClaimLineExit:
    """Clawback: a new ledger row; the family may be claimed again if the rules say so at a later claim date."""
    ledger.lock_phase(line.claim.window.phase)
    db.session.expire(line)
    if line.claim.status != "submitted":
        raise Refused("Only a line of a submitted claim is withdrawn; remove it from the draft instead")
    if line.exit is not None:
        raise Refused(f"{line.family_ref} has been withdrawn from claim {line.claim_id} already")
    if line not in included(line.claim):
        raise Refused(f"{line.family_ref} was rejected, so it was never claimed for")
    row = ClaimLineExit(line_id=line.id, kind="withdrawn", reason=reason.strip(), recorded_by_id=user.id)
    db.session.add(row)
    audit(
        user,
        "claim.line.withdraw",
        line.family,
        detail=f"claim {line.claim_id}, line {line.id}",  # the reason: on the row
    )
    _commit(f"{line.family_ref} has been withdrawn already")
    return row


def _commit(clash):
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Refused(clash) from None
