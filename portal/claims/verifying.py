"""Verifiers' decisions on sampled lines, and the lead professional's answer to a query.

Decisions are append-only: a changed decision is the next row in the line's
sequence and names the one it replaces (unique, so two verifiers changing the
same decision at once cannot both win).
"""

import functools

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import ClaimLine, Family, LineDecision, QueryAnswer
from ..models.claims import DECISIONS, REJECTION_REASONS
from ..roles import Role
from . import ledger
from .building import Refused, audit, builders, choosers


def why_not_decide(user, line) -> str | None:
    """Why this user may not decide this line (None: they may). Segregation of duties first."""
    if user.role != Role.VERIFIER:
        return "Only claim verifiers decide claim lines"
    return why_not_decide_in(user, line, claim_refusal(user, line.claim))


def claim_refusal(user, claim) -> str | None:
    """What stops a verifier deciding any line of this claim: they built it, or chose what it is
    checked on, or its decisions are final. It asks about every line of the claim, so a caller
    deciding many of its lines asks it once (the to-do list's count, on every page a verifier opens)."""
    if user.id in builders(claim):
        return f"You built claim {claim.id}, so another verifier must decide its lines"
    if user.id in choosers(claim):
        return (
            f"You removed lines from claim {claim.id} or redrew its sample, so another verifier must decide its lines"
        )
    if claim.status != "draft":
        return f"Claim {claim.id} is {claim.status}: its decisions are final"
    return None


def why_not_decide_in(user, line, refused_on_claim: str | None) -> str | None:
    """why_not_decide for a verifier, given claim_refusal(user, line.claim): the line's own reasons
    around the claim's, in the same order (the family they lead first)."""
    if user.id in (line.family.lead_professional_id, line.lead_professional_id):
        return f"You lead {line.family_ref}, so another verifier must decide it"
    if refused_on_claim is not None:
        return refused_on_claim
    claim = line.claim
    if claim.sample is None or line.id not in claim.sample.chosen:
        return f"{line.family_ref} is not in the audit sample of claim {claim.id}"
    if line.exit is not None:
        return f"{line.family_ref} has left claim {claim.id}"
    return None


def decide(line, user, decision, reason_code=None, note="", seen: int | None = None) -> LineDecision:
    """Record a decision on a sampled line. `seen` is the id of the line's decision the verifier
    saw when they chose (None: they saw none); if the line's decision is another one now, they
    decided on what is no longer there, and are refused."""
    # The phase's lock first, as a sample change takes it: a decision waits for a redraw under
    # way and is then checked against the sample it left (sampling.why_not_redraw).
    ledger.lock_phase(line.claim.window.phase)
    db.session.refresh(line.claim, ["samples", "approval", "submission"])
    db.session.refresh(line, ["decisions", "exit"])
    refusal = why_not_decide(user, line)
    if refusal:
        raise Refused(refusal)
    if decision not in DECISIONS:
        raise Refused("Choose a decision")
    if decision == "rejected" and reason_code not in REJECTION_REASONS:
        raise Refused("Choose why the line is rejected")
    previous = line.decision
    if (previous.id if previous else None) != seen:
        raise Refused(
            f"{line.family_ref} was decided meanwhile"
            + (f": {DECISIONS[previous.decision]} by {previous.decided_by.name}" if previous else "")
            + ". Look at the line again before you decide it"
        )
    row = LineDecision(
        line_id=line.id,
        sequence=previous.sequence + 1 if previous else 1,
        replaces_id=previous.id if previous else None,
        decision=decision,
        reason_code=reason_code if decision == "rejected" else None,
        note=(note or "").strip(),
        decided_by_id=user.id,
    )
    db.session.add(row)
    audit(
        user,
        "claim.line.decide",
        line.family,
        detail=f"claim {line.claim_id}, line {line.id}: {decision}"
        + (f" {reason_code}" if row.reason_code else "")
        + (f", replaces decision {previous.id} {previous.decision}" if previous else "")
        + ("; with a note" if row.note else ""),  # the note: on the decision's row
    )
    if decision == "queried":
        from ..notify import events

        events.verifier_query(line, row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Refused("Someone else decided this line at the same time; look at it again") from None
    return row


def open_queries(family) -> list[LineDecision]:
    """Queries on this family's lines still waiting for the lead professional's answer."""
    return db.session.scalars(_family_open_queries(), {"family_id": family.id}).all()


# Built once per process, the family or user as a parameter: building these costs more than the
# database takes to run them, and both are on pages a lead professional opens all day (the family
# page; the navigation's to-do count, on every page).
@functools.cache
def _family_open_queries():
    return open_queries_on([sa.bindparam("family_id", type_=sa.Integer)])


@functools.cache
def family_open_query_count():
    """How many queries on the family `family_id`'s lines wait for the answer (open_queries' count):
    a statement, run beside the lead professional's other counts on the family page
    (families/page.py), so a family with none costs no statement of its own."""
    ids = _family_open_queries().with_only_columns(LineDecision.id).order_by(None).subquery()
    return sa.select(sa.func.count()).select_from(ids)


@functools.cache
def led_open_query_count():
    """How many queries wait for the answer of the user `user_id` on the families they lead: a
    statement, run in the navigation's to-do count (todo/lists.count_for)."""
    led = sa.select(Family.id).where(Family.lead_professional_id == sa.bindparam("user_id", type_=sa.Integer))
    ids = open_queries_on(led).with_only_columns(LineDecision.id).order_by(None).subquery()
    return sa.select(sa.func.count()).select_from(ids)


def open_queries_on(family_ids) -> sa.Select:
    """The query for verifiers' queries still waiting for an answer on the lines of `family_ids`
    (ids, or a select of them): the last decision on the line is a query, and nobody has answered
    it. The to-do list asks it for all of a lead professional's families at once."""
    later = sa.orm.aliased(LineDecision)
    return (
        sa.select(LineDecision)
        .join(ClaimLine, ClaimLine.id == LineDecision.line_id)
        .where(
            ClaimLine.family_id.in_(family_ids),
            LineDecision.decision == "queried",
            ~sa.exists().where(later.replaces_id == LineDecision.id),
            ~sa.exists().where(QueryAnswer.decision_id == LineDecision.id),
        )
        .order_by(LineDecision.id)
    )


def answer(decision, user, text) -> QueryAnswer:
    line = decision.line
    if user.id != line.family.lead_professional_id:
        raise Refused("Only the family's lead professional answers a query")
    if decision.decision != "queried" or decision not in open_queries(line.family):
        raise Refused("This query has been answered or decided already")
    row = QueryAnswer(decision_id=decision.id, answer=text.strip(), answered_by_id=user.id)
    db.session.add(row)
    audit(user, "claim.query.answer", line.family, detail=f"claim {line.claim_id}, line {line.id}, query {decision.id}")
    from ..notify import events

    events.query_answered(decision)  # the verifier who asked decides the line again
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Refused("This query has been answered already") from None
    return row
