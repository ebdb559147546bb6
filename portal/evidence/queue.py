"""The review queue (`review_queue`), kept in step with the evidence and its reviews.

The to-do counts on every page (portal/evidence/counts.py) ask which items wait for a review,
or were returned, and who submitted any of their versions. Asked of the evidence itself, that
reads every version of every item the families ever had, on every page a lead professional or a
programme manager opens: a cost that grows with all the families' history. The queue holds the
answer, one row for each submitter of each version, with the version's state, so the counts
read the open rows only (docs/performance.md, run 13).

It is kept in step the way each family's stored verdict is (families/standing.py): every flush
notes the versions it wrote, the versions those replace, and the versions it reviewed; just
before the transaction commits, the new versions get their rows, and the replaced and reviewed
versions their state, from the evidence and reviews as they now stand (`refresh`). Nothing has
to remember to call it. A row is never deleted: a version that is accepted, or corrected,
becomes "done".

`refresh` reads what it writes from the tables, not from the notes, so a version a rolled-back
savepoint took away writes nothing. Two transactions changing one family's evidence at once are
put in order first: each locks the family's row (PostgreSQL), so the second writes after the
first has committed, and sees its change.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from flask import has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.orm import aliased

from ..models import Evidence, Family, Review, ReviewQueue

NOTED = "review_queue_versions"
QUEUE = ReviewQueue.__table__

_LATER = aliased(Evidence, name="later_version")
_EARLIER = aliased(Evidence, name="earlier_version")


@event.listens_for(FlaskSession, "after_flush")
def _note_versions(session, _context):
    new, changed = session.info.setdefault(NOTED, (set(), set()))
    for row in session.new:
        if isinstance(row, Evidence):
            new.add(row.id)
            if row.replaces_id is not None:
                changed.add(row.replaces_id)  # corrected: "done"
        elif isinstance(row, Review):
            changed.add(row.evidence_id)  # reviewed: "returned" or "done"


@event.listens_for(FlaskSession, "before_commit")
def _write_noted(session):
    if not has_app_context():
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # the change is written first, and noted
    noted = session.info.pop(NOTED, None)
    if noted:
        refresh(*noted, session=session)


@event.listens_for(FlaskSession, "after_soft_rollback")
def _forget_versions(session, previous_transaction):
    # Only when the whole transaction is rolled back: a savepoint's rollback (begin_nested) keeps
    # what the transaction around it changed, so what it noted stays noted.
    if previous_transaction.parent is not None:
        return
    session.info.pop(NOTED, None)


def refresh(new_ids, changed_ids, session) -> None:
    """Write the queue rows of new versions (one for each submitter of the version and the versions
    before it, "awaiting"), then the state of each changed version (corrected or reviewed) from the
    evidence and reviews as they stand. A new version is "awaiting" until a review or a correction
    changes it, and either is noted as a change: a plain submission costs one statement, and takes
    no lock."""
    new_ids, changed_ids = sorted(set(new_ids)), sorted(set(changed_ids))
    if not (new_ids or changed_ids):
        return
    if changed_ids and session.get_bind().dialect.name == "postgresql":
        # Put concurrent changes of one family's evidence in order. FOR NO KEY UPDATE, as
        # families/standing.py takes it, for the same reason. (SQLite writes one transaction at a
        # time, and this runs after the change is written.) Only a change of existing versions'
        # states needs it: the rows of a new version that replaces none (a plain submission) are
        # this transaction's alone, read from that version alone, and no other transaction can see
        # it before it commits. A correction notes the version it replaces, so it takes the lock.
        session.execute(_lock_families(), {"ids": new_ids + changed_ids})
    if new_ids:
        session.execute(_insert_missing(), {"ids": new_ids})
    if changed_ids:
        session.execute(_update_states(), {"ids": changed_ids})


# Each statement is built once per process, the versions as a parameter: building them costs more
# than the database takes to run them for a request's one or two versions.


@functools.cache
def _lock_families():
    ids = sa.bindparam("ids", expanding=True)
    families = sa.select(Evidence.family_id).where(Evidence.id.in_(ids))
    return sa.select(Family.id).where(Family.id.in_(families)).order_by(Family.id).with_for_update(key_share=True)


def _versions(ids_param):
    """(root, replaces_id, by): each listed version and every version before it, with its submitter."""
    base = (
        sa.select(
            Evidence.id.label("root"),
            Evidence.replaces_id.label("replaces_id"),
            Evidence.submitted_by_id.label("by"),
        )
        .where(Evidence.id.in_(ids_param))
        .cte("queue_chain", recursive=True)
    )
    return base.union_all(
        sa.select(base.c.root, _EARLIER.replaces_id, _EARLIER.submitted_by_id).where(_EARLIER.id == base.c.replaces_id)
    )


@functools.cache
def _insert_missing():
    """One row for each submitter of each listed version that has no rows yet (a version's
    submitters never change once it exists), "awaiting" until `_update_states` says otherwise."""
    ids = sa.bindparam("ids", expanding=True)
    chain = _versions(ids)
    first = aliased(chain, name="first_version")  # the row of the version that replaces none
    queued = sa.exists().where(QUEUE.c.evidence_id == chain.c.root)
    rows = (
        sa.select(chain.c.root, chain.c.by, Evidence.family_id, first.c.by, sa.literal("awaiting"))
        .join(first, (first.c.root == chain.c.root) & first.c.replaces_id.is_(None))
        .join(Evidence, Evidence.id == chain.c.root)
        .where(~queued)
        .distinct()
    )
    # The table, not the class: an insert from a select is Core's, not the ORM's bulk insert.
    return sa.insert(QUEUE).from_select(["evidence_id", "by_id", "family_id", "first_by_id", "state"], rows)


def state_of(version_id):
    """The state of a version as the evidence and reviews say it (an SQL expression)."""
    corrected = sa.exists().where(_LATER.replaces_id == version_id)
    decision = sa.select(Review.decision).where(Review.evidence_id == version_id).scalar_subquery()
    return sa.case(
        (corrected, "done"),
        (decision == "returned", "returned"),
        (decision.is_not(None), "done"),
        else_="awaiting",
    )


@functools.cache
def _update_states():
    ids = sa.bindparam("ids", expanding=True)
    return sa.update(QUEUE).where(QUEUE.c.evidence_id.in_(ids)).values(state=state_of(QUEUE.c.evidence_id))
