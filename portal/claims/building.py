"""Building a draft claim: lines added one by one or all at once, each with its snapshot; removing a line."""

from .. import casefile
from ..audit import record
from ..extensions import db
from ..models import Claim, ClaimLine, ClaimLineExit, ClaimLineMember, Family
from ..rules.claims import relied_figures
from ..verdicts import day
from . import ledger
from .claimable import decided_rows
from .snapshot import figures_index, flag_shared_figures, snapshot_hash


class Refused(Exception):
    """A change the claim's state does not allow; the message says why, for the page."""


def not_yet(window) -> str | None:
    """Why no claim may be built in the window yet: its claim date is still to come. A claim decides
    the records as they stand as of its claim date; before that day it would decide a date not yet
    reached (a window still running would read as ended)."""
    if casefile.today() < window.claim_date:
        return (
            f"Claim window \u201c{window.name}\u201d has the claim date {day(window.claim_date)}: "
            f"claims in it can be started and built from that day"
        )
    return None


def create_claim(window, user) -> Claim:
    if refusal := not_yet(window):
        raise Refused(refusal)
    claim = Claim(window_id=window.id, created_by_id=user.id)
    db.session.add(claim)
    db.session.flush()
    audit(user, "claim.create", detail=f"claim {claim.id} in window {window.id}")
    db.session.commit()
    return claim


def editable(claim) -> None:
    if claim.status != "draft":
        raise Refused(f"Claim {claim.id} is {claim.status}: its lines can no longer change")
    if claim.samples:
        raise Refused(f"The audit sample of claim {claim.id} has been drawn, so its lines are fixed")


def add_families(claim, family_ids, user) -> tuple[list[ClaimLine], list[str]]:
    """Add these families as lines; returns the lines added and, for each family refused, why."""
    window = claim.window
    ledger.lock_phase(window.phase)  # held until commit: no parallel double claim or sample drawn meanwhile
    db.session.expire(claim)
    editable(claim)
    if refusal := not_yet(window):
        raise Refused(refusal)
    held = ledger.held(window)
    window_plans = {wp.plan_id: wp for wp in window.plans}
    added, refused, audited = [], [], []  # audited: (family id, why) of each refusal, in codes
    rows = decided_rows(window, family_ids)
    # Suspiciously perfect numbers: figures the same as another family's, in this claim's
    # lines or in the families added with this one (an earlier line is not changed: the
    # later one is flagged and names it).
    batch = [row.decided for row in rows if row.decided.verdict.turned_around]
    flag_shared_figures(batch, figures_index([*_line_figures(claim), *((d.family.ref, d.figures) for d in batch)]))
    for row in rows:
        family, verdict = row.family, row.decided.verdict
        hold = ledger.hold_on(held, family)
        if hold is not None:
            refused.append(ledger.holder(held, family) + (": it cannot be claimed for twice" if hold.in_claim else ""))
            audited.append((family.id, "held"))
            continue
        if not verdict.turned_around:
            refused.append(f"{family.ref} cannot be claimed for as of {day(window.claim_date)}: {row.reason}")
            audited.append((family.id, "not-turned-around"))
            continue
        line = _line(claim, row.decided, window_plans[family.plan_id], user)
        added.append(line)
        mine = ledger.Hold(claim.id, family.ref, ledger.IN_CLAIM, window.claim_date)
        held.by_family[family.id] = mine
        for member in family.current_members:
            held.by_person[(ledger.name_key(member.name), member.date_of_birth)] = mine
    found = {row.family.id for row in rows}
    for family_id in dict.fromkeys(family_ids):
        if family_id not in found:
            refused.append(_not_in_window(window, family_id))
            audited.append((family_id, "outside-window"))
    # Each refusal is audited by the family's id and a code for why; the page's words name the
    # family and quote the engine, which the log (read by admins) must not hold.
    for family_id, why in audited:
        audit(user, "claim.action-refused", detail=f"adding family {family_id} to claim {claim.id}: {why}")
    db.session.commit()
    return added, refused


def _not_in_window(window, family_id) -> str:
    """Why a family asked for by id is not in the window's list (programme managers see every family)."""
    family = db.session.get(Family, family_id)
    if family is None:
        return f"No family has the id {family_id}: nothing was added for it"
    return (
        f"{family.ref} follows the plan {family.plan_id}, which claim window \u201c{window.name}\u201d "
        f"does not cover: it cannot be added to this claim"
    )


def _line_figures(claim):
    """(family reference, figures) of each line of the claim still in it, from its stored case and verdict."""
    for line in claim.lines:
        if line.exit is None:
            yield line.family_ref, relied_figures(line.case_snapshot, line.verdict)


def _line(claim, decided, window_plan, user) -> ClaimLine:
    family, verdict = decided.family, decided.verdict.to_json()
    line = ClaimLine(
        claim_id=claim.id,
        family_id=family.id,
        family_ref=family.ref,
        plan_id=family.plan_id,
        claim_type=decided.verdict.claim_type,
        lead_professional_id=family.lead_professional_id,
        identified_on=min((p.identified_on for p in family.current_problems), default=None),
        engaged_on=family.engaged_on,
        closed_on=family.closed_on,
        case_snapshot=decided.case,
        verdict=verdict,
        evidence=decided.evidence,
        flags=[f.to_json() for f in decided.flags],
        snapshot_hash=snapshot_hash(window_plan, claim.window.claim_date, decided.case, verdict, decided.evidence),
        added_by_id=user.id,
    )
    db.session.add(line)
    db.session.flush()
    for member in family.current_members:
        db.session.add(
            ClaimLineMember(line_id=line.id, name_key=ledger.name_key(member.name), date_of_birth=member.date_of_birth)
        )
    audit(
        user,
        "claim.line.add",
        family,
        detail=f"claim {claim.id}, line {line.id}: {line.claim_type}; snapshot {line.snapshot_hash}",
    )
    return line


def remove_line(line, user, reason) -> ClaimLineExit:
    ledger.lock_phase(line.claim.window.phase)
    db.session.expire(line)
    db.session.expire(line.claim)
    editable(line.claim)
    if line.exit is not None:
        raise Refused(f"{line.family_ref} has already left claim {line.claim_id}")
    row = ClaimLineExit(line_id=line.id, kind="removed", reason=reason.strip(), recorded_by_id=user.id)
    db.session.add(row)
    audit(
        user, "claim.line.remove", line.family, detail=f"claim {line.claim_id}, line {line.id}"
    )  # the reason: on the row
    db.session.commit()
    return row


def builders(claim) -> set[int]:
    """Who built the claim: whoever created it and whoever added a line."""
    return {claim.created_by_id, *(line.added_by_id for line in claim.lines)}


def choosers(claim) -> set[int]:
    """Who chose what a claim is checked on without building it: whoever removed a line from the
    draft, and whoever redrew its sample (a new seed, for a reason). The first draw's seed is
    random, and widening or adding the changed lines keeps the seed and is asked for by the
    claim's own state, so neither is a choice."""
    removed = {
        line.exit.recorded_by_id for line in claim.lines if line.exit is not None and line.exit.kind == "removed"
    }
    return removed | {sample.drawn_by_id for sample in claim.samples if sample.kind == "redrawn"}


def deciders(claim) -> set[int]:
    """Every verifier who decided one of the claim's lines."""
    return {decision.decided_by_id for line in claim.lines for decision in line.decisions}


def builder_names(claim) -> list[str]:
    """The builders by name, whoever started the claim first (none of them may approve it)."""
    others = sorted({line.added_by.name for line in claim.lines if line.added_by_id != claim.created_by_id})
    return [claim.created_by.name, *others]


def audit(user, action, family=None, detail=""):
    """Audit as this user (services also run outside a request: the CLI, a job)."""
    return record(action, family, detail=detail, user=user)
