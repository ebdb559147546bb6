"""Each family's verdict for today, stored (`family_verdict`) so lists filter and sort by it.

The stored row is a copy of what the rules engine decides for the family as of a day.
It is kept in step two ways (docs/performance.md):

- In the same transaction as any change that could alter it. Every flush of the
  request's session notes the families whose case rows changed (members, problems,
  essentials, plan outcomes, closures, the family itself, and reviews of evidence);
  just before that transaction commits, those families are decided again and their
  rows written. Nothing has to remember to call this: a new kind of change to one of
  those tables is covered as it stands. A new evidence version needs no new verdict:
  the engine counts accepted versions only, and a new version is not accepted yet.
- When the date has moved on: a row whose `as_of` is not today is stale, and is decided
  again when next read (`current`), in the reading request's own commit. So is a row
  decided on another plan file or another release of the deciding code (`decided_on`).

Each row keeps the whole decision as the family page shows it (`view`: the presented
verdict, portal/verdicts.py), so the page shows the stored decision and does not decide
again: its cost does not grow with the family's history.

Two transactions changing one family at once are put in order before either decides:
each locks the family's row (PostgreSQL; SQLite writes one transaction at a time and
this runs after the change is written), so the second decides on the first's change too.
"""

from __future__ import annotations

import datetime as dt
import functools

import sqlalchemy as sa
from flask import has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.orm import selectinload

from .. import casefile, verdicts
from ..extensions import db
from ..models import (
    CaseClosure,
    ClaimLine,
    EssentialRecord,
    Evidence,
    Family,
    FamilyPlanOutcome,
    FamilyVerdict,
    IdentifiedProblem,
    Member,
    Review,
)

CASE_ROWS = (Member, IdentifiedProblem, EssentialRecord, FamilyPlanOutcome, CaseClosure)
FAMILIES, REVIEWED = "verdict_families", "verdict_reviewed_evidence"


def status_of(verdict) -> str:
    if verdict.turned_around:
        return "turned_around"
    return "eligible" if verdict.eligible else "not_eligible"


# -- keeping it in step with changes -----------------------------------------------


@event.listens_for(FlaskSession, "after_flush")
def _note_changes(session, _context):
    families, reviewed = session.info.setdefault(FAMILIES, set()), session.info.setdefault(REVIEWED, set())
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, Family):
            families.add(row.id)
        elif isinstance(row, CASE_ROWS):
            families.add(row.family_id)
        elif isinstance(row, Review):
            reviewed.add(row.evidence_id)


@event.listens_for(FlaskSession, "before_commit")
def _decide_changed(session):
    if not has_app_context():
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # the change is written first (its lock held while the family is decided) and noted
    if not (session.info.get(FAMILIES) or session.info.get(REVIEWED)):
        return
    families, reviewed = session.info.pop(FAMILIES, set()), session.info.pop(REVIEWED, set())
    if reviewed:
        families |= set(session.scalars(sa.select(Evidence.family_id).where(Evidence.id.in_(reviewed))))
    families.discard(None)
    if families:
        refresh(sorted(families), session=session)


@event.listens_for(FlaskSession, "after_soft_rollback")
def _forget_changes(session, previous_transaction):
    # Only when the whole transaction is rolled back: a savepoint's rollback (begin_nested) keeps
    # what the transaction around it changed, so what it noted stays noted.
    if previous_transaction.parent is not None:
        return
    session.info.pop(FAMILIES, None)
    session.info.pop(REVIEWED, None)


# -- deciding and writing ----------------------------------------------------------


def refresh(family_ids, as_of: dt.date | None = None, session=None) -> dict[int, dict]:
    """Decide these families as of `as_of` (today) and write their rows; returns family id -> row."""
    session = session or db.session
    as_of = as_of or casefile.today()
    if not family_ids:
        return {}
    family_ids = sorted(set(family_ids))
    # Put concurrent changes of one family in order (a no-op on SQLite, which writes one at a time).
    # FOR NO KEY UPDATE: the change's own rows (an audit row, a review) already hold a key-share
    # lock on the family row; a FOR UPDATE would wait for the other's and deadlock.
    session.execute(
        sa.select(Family.id).where(Family.id.in_(family_ids)).order_by(Family.id).with_for_update(key_share=True)
    )
    families = session.scalars(
        sa.select(Family)
        .where(Family.id.in_(family_ids))
        .order_by(Family.id)
        .options(
            selectinload(Family.members),
            selectinload(Family.problems).selectinload(IdentifiedProblem.member),
            selectinload(Family.essentials),
            selectinload(Family.plan_outcome_history),
            selectinload(Family.closures),
        )
        .execution_options(populate_existing=True)
    ).all()
    evidence = casefile.counted_evidence(family_ids, session=session)
    rows = {}
    bases = {plan_id: casefile.decided_on(plan_id) for plan_id in {family.plan_id for family in families}}
    for family in families:
        # The whole decision in the family page's words, from the same rows: the page shows it as stored.
        view, verdict = verdicts.family_verdict(family, as_of, evidence.get(family.id, []))
        rows[family.id] = {
            "family_id": family.id,
            "as_of": as_of,
            "status": status_of(verdict),
            "eligible": verdict.eligible,
            "turned_around": verdict.turned_around,
            "claim_type": verdict.claim_type,
            "earliest_claim_date": verdict.earliest_claim_date,
            "decided_at": _now(),
            "view": verdicts.encode_view(view),
            "decided_on": bases[family.plan_id],
        }
    if rows:
        _upsert(session, list(rows.values()))
    return rows


def _now():
    from ..models.types import utcnow

    return utcnow()


def _upsert(session, rows):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(FamilyVerdict).values(rows)
    changed = {c: statement.excluded[c] for c in rows[0] if c != "family_id"}
    session.execute(statement.on_conflict_do_update(index_elements=["family_id"], set_=changed))


# -- reading -----------------------------------------------------------------------

COLUMNS = (
    FamilyVerdict.family_id,
    FamilyVerdict.as_of,
    FamilyVerdict.status,
    FamilyVerdict.eligible,
    FamilyVerdict.turned_around,
    FamilyVerdict.claim_type,
    FamilyVerdict.earliest_claim_date,
)


def current(family_ids, as_of: dt.date | None = None, with_view: bool = False) -> dict[int, dict]:
    """Each family's stored verdict for today; rows missing, of an earlier day or decided on another
    plan file or code (casefile.decided_on) are decided now and written (the caller's commit saves
    them). with_view: each row's `view` too (the presented decision, JSON)."""
    as_of = as_of or casefile.today()
    family_ids = list(family_ids)
    if not family_ids:
        return {}
    rows = db.session.execute(_current_query(with_view), {"family_ids": family_ids})
    stored = {row.family_id: row._asdict() for row in rows}
    bases = {plan_id: casefile.decided_on(plan_id) for plan_id in {row["plan_id"] for row in stored.values()}}
    stale = [
        fid
        for fid in family_ids
        if fid not in stored
        or stored[fid]["as_of"] != as_of
        or stored[fid]["decided_on"] != bases[stored[fid]["plan_id"]]
    ]
    if stale:
        stored |= refresh(stale, as_of)
    return stored


@functools.cache
def _current_query(with_view: bool):
    """Built once per process (the family page reads it on every request), the families as a parameter."""
    columns = (*COLUMNS, Family.plan_id, FamilyVerdict.decided_on)
    if with_view:
        columns += (FamilyVerdict.view, _CLAIM_LINES)
    ids = sa.bindparam("family_ids", expanding=True)
    return sa.select(*columns).join(Family, Family.id == FamilyVerdict.family_id).where(Family.id.in_(ids))


# How many claim lines name the family, read with the verdict the page shows beside them.
_CLAIM_LINES = (
    sa.select(sa.func.count(ClaimLine.id))
    .where(ClaimLine.family_id == FamilyVerdict.family_id)
    .scalar_subquery()
    .label("claim_lines")
)


def view_and_claims(family) -> tuple[verdicts.VerdictView, list[str]]:
    """The family's verdict for today as the family page shows it (the stored decision, decided
    again first if it is stale: equal to verdicts.family_verdict(family)[0], which
    tests/test_families_standing.py holds), and the family's claim lines in words beside it
    (claims.ledger.family_claims). The lines are read only when the verdict's own statement counted
    some: most families have none, and then no statement of their own. A verdict decided again
    just now (stale) carries no count, and the lines are read."""
    from ..claims.ledger import family_claims

    row = current([family.id], with_view=True)[family.id]
    claims = family_claims(family) if row.get("claim_lines", 1) else []
    return verdicts.decode_view(row["view"]), claims


def bring_all_up_to_date(as_of: dt.date | None = None, batch: int = 500) -> int:
    """Every family's stored verdict decided for `as_of` (today), a commit a batch (the worker's
    hourly task, portal/families/tasks.py); returns how many were decided again."""
    as_of = as_of or casefile.today()
    done, after = 0, 0
    while True:  # in order of id, so each family is looked at once even if one could not be written
        stale = _stale(sa.select(Family.id).where(Family.id > after), as_of, limit=batch)
        if not stale:
            return done
        refresh(stale, as_of)
        db.session.commit()
        done, after = done + len(stale), stale[-1]


def _stale(query_of_family_ids, as_of: dt.date, limit: int | None = None) -> list[int]:
    plan_ids = db.session.scalars(sa.select(Family.plan_id).distinct()).all()
    decided_on = sa.case({p: casefile.decided_on(p) for p in plan_ids}, value=Family.plan_id) if plan_ids else None
    ids = (
        sa.select(Family.id)
        .where(Family.id.in_(query_of_family_ids))
        .outerjoin(FamilyVerdict, FamilyVerdict.family_id == Family.id)
        .where(
            sa.or_(
                FamilyVerdict.family_id.is_(None),
                FamilyVerdict.as_of != as_of,
                FamilyVerdict.decided_on.is_distinct_from(decided_on),
            )
        )
        .order_by(Family.id)
        .limit(limit)
    )
    return list(db.session.scalars(ids))


def bring_up_to_date(query_of_family_ids, as_of: dt.date | None = None, batch: int = 500) -> None:
    """Decide again every family of the query whose stored verdict is missing or of an earlier day."""
    as_of = as_of or casefile.today()
    stale = _stale(query_of_family_ids, as_of)
    for start in range(0, len(stale), batch):
        refresh(stale[start : start + batch], as_of)
