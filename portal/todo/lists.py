"""What needs each person: the to-do lists on their home page and the counts in the navigation.

Every list is read in a fixed number of queries whatever the number of families: the
families and every row the rules engine reads are loaded one query per kind of row,
selected by a subquery (portal/claims/loading.py), then decided in memory. Whether a
submission meets its outcome, whether a window ends soon and whether every problem is
achieved are the engine's answers, read through portal/casefile.py and portal/verdicts.py;
this module only sorts them into lists. Who may review or correct what is
portal/evidence/duties.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, load_only, selectinload

from .. import casefile, verdicts
from ..claims.loading import load_chosen
from ..claims.verifying import led_open_query_count, open_queries_on
from ..evidence import counts, duties
from ..extensions import db
from ..families.listing import visible_query
from ..families.review_queue import waiting_in
from ..models import (
    Claim,
    ClaimLine,
    ClaimSubmission,
    Evidence,
    Family,
    LineDecision,
)
from ..models.evidence import Review
from ..roles import Role
from ..rules.sources import load_sources

HOME_ROLES = (Role.PARTNER, Role.LEAD_PROFESSIONAL, Role.PROGRAMME_MANAGER, Role.VERIFIER)


@dataclass
class Item:
    text: str  # what it is, in words
    endpoint: str  # where to act: url_for(endpoint, **args)
    args: dict
    link_text: str
    family_ref: str | None = None
    note: str | None = None  # what the rules engine, a returning reviewer or an asking verifier says of it
    meets: bool | None = None


@dataclass
class Section:
    key: str
    heading: str
    empty: str
    counted: bool  # counted in the navigation: someone is waiting for this person
    items: list[Item] = field(default_factory=list)
    needs_you: bool = True  # False: listed for the person to follow, but someone else acts next


def sections_for(user, today: dt.date | None = None) -> list[Section]:
    """The user's whole to-do list, in sections, each item linking to the place to act."""
    today = today or casefile.today()
    if user.role == Role.PARTNER:
        return _partner(user, today)
    if user.role == Role.LEAD_PROFESSIONAL:
        return _lead(user, today)
    if user.role == Role.PROGRAMME_MANAGER:
        return _programme_manager(user)
    if user.role == Role.VERIFIER:
        return _verifier(user)
    return []


def count_for(user) -> int:
    """What the navigation shows: the items someone is waiting on this user for (the sections
    marked `counted`), without asking the rules engine about every family on every page."""
    if user.role not in HOME_ROLES:
        return 0
    # Evidence is counted by the database (portal/evidence/counts.py), not loaded: the count is
    # on every page, and must not cost more as the user's families' evidence grows.
    if user.role == Role.PARTNER:
        if user.agency_id is None:
            return 0
        return counts.returned_to_agency(user.agency_id)
    if user.role == Role.LEAD_PROFESSIONAL:
        # Items awaiting their review, verifiers' queries awaiting their answer, and their own
        # items returned to them: one statement (one round trip) on every page they open.
        query = counts.lead_professional_counts_query(led_open_query_count())
        return int(db.session.scalar(query, {"user_id": user.id}))
    if user.role == Role.PROGRAMME_MANAGER:
        return counts.awaiting(counts.ANY, user)[0] + len(_claim_items(user))
    return len(_lines_to_decide(user))


# -- partners ----------------------------------------------------------------------------------


def _partner(user, today) -> list[Section]:
    returned = Section(
        "returned", "Evidence returned to you to correct", "No evidence has been returned to your agency.", counted=True
    )
    missing = Section(
        "missing",
        "Outcomes with no evidence from your agency yet",
        "Every outcome still open for your families has evidence from your agency.",
        counted=False,
    )
    waiting = Section(
        "corrections",
        "Your corrections waiting for review",
        "None of your corrections is waiting for review.",
        counted=False,
        needs_you=False,
    )
    families, evidence = load_chosen(visible_query(user).with_only_columns(Family.id))
    # Only outcomes whose sources an agency of this kind can give (frameworks/sources.yaml): a
    # police team is not asked for school attendance.
    sources, kind = load_sources(), user.agency.kind if user.agency else None
    for family in sorted(families, key=lambda f: f.ref):
        rows = evidence.get(family.id, [])
        ours = _latest_of_agency(rows, user)
        for e in ours:
            if e.status == "returned":
                returned.items.append(_returned_item(family, e))
            elif e.status == "submitted" and e.version > 1:
                about = _about(family, e)
                waiting.items.append(
                    Item(
                        f"Outcome {e.outcome_id}, version {e.version}: corrected on "
                        f"{verdicts.day(e.submitted_at.date())}, {about}",
                        "evidence.show",
                        {"family_id": family.id, "evidence_id": e.id},
                        f"See the evidence for outcome {e.outcome_id} {about}",
                        family.ref,
                    )
                )
        evidenced = {e.outcome_id for e in rows if user.agency_id is not None and e.agency_id == user.agency_id}
        verdict = casefile.verdict(family, as_of=today, evidence_rows=rows)
        open_now = casefile.open_outcomes(family, rows)
        for problem, outcome in verdicts.outcomes_not_met(verdict):
            if outcome in evidenced or open_now.get(outcome, "not open") is not None:
                continue
            named = casefile.plan_for(family).outcome_by_id.get(outcome)
            if named is not None and not sources.may_give(named.sources, kind):
                continue
            missing.items.append(
                Item(
                    f"Outcome {outcome} ({casefile.plan_for(family).term('problem')} {problem}): not met yet",
                    "evidence.new",
                    {"family_id": family.id, "outcome": outcome},
                    f"Submit evidence for outcome {outcome}",
                    family.ref,
                )
            )
    return [returned, missing, waiting]


def _returned_item(family, e) -> Item:
    """Evidence returned to whoever may correct it, with the reviewer's reason."""
    review, about = e.latest_review, _about(family, e)
    return Item(
        f"Outcome {e.outcome_id}, version {e.version}: returned on {verdicts.day(review.reviewed_at.date())}, {about}",
        "evidence.correct",
        {"family_id": family.id, "evidence_id": e.id},
        f"Correct the evidence for outcome {e.outcome_id} {about}",
        family.ref,
        note=verdicts.sentence(review.reason) if review.reason else None,
    )


def _about(family, e) -> str:
    """Whom an item is about ("about Adam Cooper and Zara Cooper", "about the whole family"): two items
    for one outcome in one family are told apart, and so are their links (WCAG 2.4.4)."""
    names = {m.id: m.name for m in family.members}
    named = [names[i] for i in e.member_ids or () if i in names]
    if not named:
        return "about the whole family"
    return "about " + (named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}")


def _latest_of_agency(rows, user) -> list[Evidence]:
    if user.agency_id is None:
        return []
    return [e for e in rows if e.agency_id == user.agency_id and e.replaced_by is None]


# -- lead professionals ------------------------------------------------------------------------


def _led(user):
    return sa.select(Family.id).where(Family.lead_professional_id == user.id)


def _lead(user, today) -> list[Section]:
    review = Section(
        "review", "Evidence waiting for your review", "No evidence is waiting for your review.", counted=True
    )
    queries = Section("queries", "Queries from claim verifiers", "No claim verifier has a query for you.", counted=True)
    returned = Section(
        "returned",
        "Your evidence returned to you to correct",
        "None of your own evidence has been returned to you.",
        counted=True,
    )
    ending = Section(
        "ending",
        f"Families whose sustainment window ends in the next {verdicts.SOON_DAYS} days",
        "No family's window ends soon.",
        counted=False,
    )
    closing = Section(
        "close",
        "Families with everything achieved but not closed",
        "No family is waiting to be closed.",
        counted=False,
    )
    families, evidence = load_chosen(_led(user))
    by_id = {family.id: family for family in families}
    for family in sorted(families, key=lambda f: f.ref):
        rows = evidence.get(family.id, [])
        review.items += _review_items(user, family, rows)
        returned.items += [
            _returned_item(family, e)
            for e in rows
            if e.replaced_by is None and e.status == "returned" and duties.may_correct(user, e)
        ]
        verdict = casefile.verdict(family, as_of=today, evidence_rows=rows)
        ends = verdicts.window_ends_soon(verdict, today)
        if ends is not None:
            ending.items.append(
                Item(
                    f"The window ends on {verdicts.day(ends)}: the family can be claimed for then if nothing changes",
                    "families.show",
                    {"family_id": family.id},
                    f"See family {family.ref}",
                    family.ref,
                )
            )
        if verdicts.every_problem_achieved(verdict) and family.closed_on is None:
            closing.items.append(
                Item(
                    f"Every {casefile.plan_for(family).term('problem')} is achieved; the case is still open",
                    "families.close",
                    {"family_id": family.id},
                    f"Close the case of family {family.ref}",
                    family.ref,
                )
            )
    for q in _open_queries(_led(user)):
        family = by_id.get(q.line.family_id)
        if family is None:
            continue
        queries.items.append(
            Item(
                f"{q.decided_by.name} asks about claim {q.line.claim_id}",
                "claims.answer_query",
                {"family_id": family.id, "decision_id": q.id},
                "Answer the query",
                family.ref,
                note=q.note,  # the verifier's question, so it can be answered from here
            )
        )
    return [review, returned, queries, ending, closing]


def _review_items(user, family, rows) -> list[Item]:
    """Submissions this user may review, oldest first, each with the engine's word on it."""
    out = []
    for item in waiting_in(user, family, rows):
        e = item.evidence
        who, about = (e.agency.name if e.agency else e.submitted_by.name), _about(family, e)
        out.append(
            Item(
                f"Outcome {e.outcome_id}, version {e.version}, from {who}, {about}",
                "families.review",
                {"family_id": family.id, "evidence_id": e.id},
                f"Review the evidence for outcome {e.outcome_id} {about}",
                family.ref,
                note=item.said,
                meets=item.meets,
            )
        )
    return out


def _open_queries(chosen) -> list[LineDecision]:
    """Verifiers' queries on the chosen families' claim lines still waiting for an answer, in one query."""
    return db.session.scalars(
        open_queries_on(chosen).options(
            joinedload(LineDecision.line).load_only(ClaimLine.id, ClaimLine.claim_id, ClaimLine.family_id),
            joinedload(LineDecision.decided_by),
        )
    ).all()


# -- programme managers and verifiers ------------------------------------------------------------


def _with_unreviewed():
    """Families with a submission nobody has reviewed yet (a programme manager sees every family)."""
    return sa.select(Evidence.family_id).where(~sa.exists().where(Review.evidence_id == Evidence.id))


def _programme_manager(user) -> list[Section]:
    review = Section(
        "review",
        "Evidence waiting for your review",
        "No evidence a lead professional submitted is waiting for your review.",
        counted=True,
    )
    claims = Section(
        "claims", "Claims waiting for you", "No claim is waiting for a sample or your approval.", counted=True
    )
    families, evidence = load_chosen(_with_unreviewed())
    for family in sorted(families, key=lambda f: f.ref):
        review.items += _review_items(user, family, evidence.get(family.id, []))
    claims.items = _claim_items(user)
    return [review, claims]


def _draft_claims() -> list[Claim]:
    """Claims not submitted yet, with their samples, lines and decisions (a fixed number of queries)."""
    lines = selectinload(Claim.lines).options(
        load_only(
            ClaimLine.id,
            ClaimLine.claim_id,
            ClaimLine.family_id,
            ClaimLine.family_ref,
            ClaimLine.added_by_id,
            ClaimLine.lead_professional_id,
        ),
        selectinload(ClaimLine.decisions),
        selectinload(ClaimLine.exit),
        joinedload(ClaimLine.family).load_only(Family.id, Family.lead_professional_id),
    )
    return (
        db.session.scalars(
            sa.select(Claim)
            .where(~sa.exists().where(ClaimSubmission.claim_id == Claim.id))
            .options(
                joinedload(Claim.window),
                selectinload(Claim.samples),
                selectinload(Claim.approval),
                selectinload(Claim.submission),
                lines,
            )
            .order_by(Claim.id)
        )
        .unique()
        .all()
    )


def _claim_items(user) -> list[Item]:
    from ..claims.approving import why_not_approve
    from ..claims.sampling import sample_state

    out = []
    for claim in _draft_claims():
        if claim.approval is not None:  # approved, not submitted: any programme manager submits it
            out.append(
                Item(
                    f"Claim {claim.id} ({claim.window.name}): approved, not submitted yet",
                    "claims.show",
                    {"claim_id": claim.id},
                    f"Submit claim {claim.id}",
                )
            )
            continue
        state = sample_state(claim) if claim.sample is not None else None
        if state is not None and state.exceeded:
            out.append(
                Item(
                    f"Claim {claim.id} ({claim.window.name}): the rejection rate in the sample is above the "
                    f"tolerance: widen the sample by {state.widen_by} lines",
                    "claims.show",
                    {"claim_id": claim.id},
                    f"Widen the sample of claim {claim.id}",
                )
            )
        elif claim.sample is None and claim.lines:
            out.append(
                Item(
                    f"Claim {claim.id} ({claim.window.name}): the audit sample is not drawn yet",
                    "claims.show",
                    {"claim_id": claim.id},
                    f"Draw the sample for claim {claim.id}",
                )
            )
        elif claim.sample is not None and why_not_approve(claim, user) is None:
            out.append(
                Item(
                    f"Claim {claim.id} ({claim.window.name}): the sample is decided and the claim can be approved",
                    "claims.show",
                    {"claim_id": claim.id},
                    f"Approve claim {claim.id}",
                )
            )
    return out


def _lines_to_decide(user) -> list[Item]:
    from ..claims.verifying import claim_refusal, why_not_decide_in

    out = []
    for claim in _draft_claims():
        if claim.approval is not None or claim.sample is None:
            continue
        # why_not_decide for each line, the claim's part asked once: it reads every line of the claim.
        refused_on_claim = claim_refusal(user, claim)
        chosen = set(claim.sample.chosen)
        for line in claim.lines:
            if line.id not in chosen or why_not_decide_in(user, line, refused_on_claim) is not None:
                continue
            latest = line.decision
            if latest is None:
                said = "sampled, not decided yet"
            elif latest.decision == "queried" and latest.answer is not None:
                # Queried, and answered: the claim cannot be approved until a verifier decides it again.
                said = "the lead professional has answered the query: decide the line again"
            else:
                continue
            out.append(
                Item(
                    f"Claim {claim.id}, family {line.family_ref}: {said}",
                    "claims.decide",
                    {"claim_id": claim.id, "line_id": line.id},
                    f"Decide the line for family {line.family_ref}",
                    line.family_ref,
                )
            )
    return out


def _verifier(user) -> list[Section]:
    return [
        Section(
            "lines",
            "Sampled claim lines to decide",
            "No sampled claim line is waiting for you.",
            counted=True,
            items=_lines_to_decide(user),
        )
    ]
