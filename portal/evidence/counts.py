"""Evidence items counted by the database: what the family page and the navigation's to-do count show.

An item is a line of versions; its latest version is the one no correction replaces. Who may
review an item depends on who submitted or corrected any of its versions (duties.py). The counts
read the review queue (`review_queue`, portal/evidence/queue.py): one row for each submitter of
each version, with the version's state. They read only the open rows ("awaiting" review, or
"returned"), so a count costs what the open items cost, not every version the families ever had,
and the rule of `duties.review_refusal` is written here as SQL over them. Tests hold each count
equal to the rule as duties.py states it (tests/test_audit_commits.py, tests/test_review_queue.py).
"""

import functools

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..access import attached_family_ids
from ..extensions import db
from ..models import Evidence, Family, ReviewQueue
from .duties import LP, PM

# Made once: an alias builds its column collection on first use, which costs more than the
# database takes to run the queries it is in (docs/performance.md).
_LATER, _EARLIER = aliased(Evidence, name="later_version"), aliased(Evidence, name="earlier_version")


def latest_versions(chosen):
    """Select the latest versions of the items of the chosen families (a select of family ids, or a list).

    A correction is filed in its version's family (records.correction), so the versions that
    replace others are looked for among the family's own: the database reads the family's rows
    (the index on family and id), not every family's, to find them."""
    replaced = sa.exists().where(_LATER.replaces_id == Evidence.id, _LATER.family_id == Evidence.family_id)
    return sa.select(Evidence).where(Evidence.family_id.in_(chosen), ~replaced)


def chain(roots, name="chain"):
    """A recursive query over the given versions and every version each corrected:
    (root, replaces_id, by, lp) where `lp` is the root's family's lead professional. Two chains
    in one statement need two names."""
    base = (
        roots.join(Family, Family.id == Evidence.family_id)
        .with_only_columns(
            Evidence.id.label("root"),
            Evidence.replaces_id.label("replaces_id"),
            Evidence.submitted_by_id.label("by"),
            Family.lead_professional_id.label("lp"),
        )
        .cte(name, recursive=True)
    )
    return base.union_all(
        sa.select(base.c.root, _EARLIER.replaces_id, _EARLIER.submitted_by_id, base.c.lp).where(
            _EARLIER.id == base.c.replaces_id
        )
    )


FAMILY, LED, ANY = "family", "led", "any"  # whose families a count covers

# Where a request keeps the navigation's to-do count once it has been read (flask.g): by the
# navigation itself (portal/navigation.py), or by a page that read it with its own counts.
TODO_COUNT = "todo_count"


def _in_scope(scope: str, user_id):
    """The condition on the queue's rows (joined to their family) for the families a count covers,
    the user (and family) as parameters. LED is not here: see `_over_led_families`."""
    if scope == FAMILY:
        return ReviewQueue.family_id == sa.bindparam("family_id", type_=sa.Integer)
    return sa.true()


def _over_led_families(rows_of_one_family, user_id):
    """The sum, over the families the user leads, of a count of one family's queue rows
    (`rows_of_one_family`: a select of one count whose rows are joined to `Family`, the family).

    Each family's rows are read by the queue's index on (state, family_id), one family at a time,
    so a lead professional's count reads their own families' open rows only. Written as a join of
    the queue's open rows to the families (`family.lead_professional_id = :user_id`), both databases
    read every open row of every family in the council to find them: with 5,000 items awaiting
    another lead professional's review, every page the first lead professional opened took 1.8 ms
    longer on PostgreSQL (docs/performance.md, "Run 21")."""
    per_family = rows_of_one_family.where(ReviewQueue.family_id == Family.id).correlate(Family).scalar_subquery()
    return sa.select(sa.func.coalesce(sa.func.sum(per_family), 0)).where(Family.lead_professional_id == user_id)


def awaiting(scope: str, user, family_id: int | None = None) -> tuple[int, int]:
    """(items the user may review now, items waiting for a programme manager because the family's
    lead professional submitted or corrected a version) among unreviewed items of: one family
    (FAMILY, with family_id) or every family (ANY). (The families a lead professional leads are
    counted by `lead_professional_counts_query`, which asks for the first count only.)"""
    if scope not in (FAMILY, ANY):
        raise ValueError(f"awaiting() counts one family or every family, not {scope!r}")
    params = {"user_id": user.id, "family_id": family_id}
    may, for_pm = db.session.execute(_awaiting_query(scope, user.role), params).one()
    return int(may), int(for_pm)


@functools.cache
def _awaiting_query(scope: str, role: str):
    """Built once per process for each scope and role, the user and family as parameters:
    building a query costs more than the database takes to run it. Its columns:
    (items the user may review, items waiting for a programme manager); for the families the user
    leads (LED), the first only, summed family by family (`_over_led_families`).

    Counted from the queue's awaiting rows in one pass, without grouping them by item (grouping
    them took half the statement's time, on every page a lead professional opens). The queue holds
    one row for each submitter of an item, so:

    - the rows whose submitter is the first version's (`by_id = first_by_id`) are the items, one each;
    - the rows whose submitter is the family's lead professional are the items they submitted or
      corrected (duties: a programme manager reviews those), one each;
    - the rows whose submitter is the user are the items the user submitted or corrected, one each.

    A lead professional's items: their families' items, less those they submitted or corrected.
    A programme manager's: the lead professionals' own items, less those the programme manager
    submitted or corrected too (the lead professional's row for the same item exists)."""
    user_id = sa.bindparam("user_id", type_=sa.Integer)
    lp = Family.lead_professional_id
    by = ReviewQueue.by_id
    lp_row = aliased(ReviewQueue, name="lp_row")
    lp_submitted_too = sa.exists().where(lp_row.evidence_id == ReviewQueue.evidence_id, lp_row.by_id == lp)

    def ones(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    if role == LP:  # the lead professional's queue: their families, none of it theirs
        mine = ones((by == ReviewQueue.first_by_id) & (lp == user_id)) - ones((by == user_id) & (lp == user_id))
    elif role == PM:  # a programme manager's queue: lead professionals' own, none of it theirs
        mine = ones(by == lp) - ones((by == user_id) & ((lp == user_id) | lp_submitted_too))
    else:
        mine = sa.literal(0)
    if scope == LED:  # only the first column is asked for (lead_professional_counts_query)
        return _over_led_families(sa.select(mine).where(ReviewQueue.state == "awaiting"), user_id)
    return (
        sa.select(mine, ones(by == lp))
        .select_from(ReviewQueue)
        .join(Family, Family.id == ReviewQueue.family_id)
        .where(ReviewQueue.state == "awaiting", _in_scope(scope, user_id))
    )


def returned_to_agency(agency_id: int) -> int:
    """The agency's items, in the families it works with now, whose latest version was returned
    (a partner's to-do count, on every page a partner opens)."""
    return int(db.session.scalar(_returned_to_agency_query(), {"agency_id": agency_id}))


@functools.cache
def _returned_to_agency_query():
    """Built once per process, the agency as a parameter (see _awaiting_query). Each family the
    agency works with is counted by the queue's index on (state, family_id), as a lead
    professional's families are (`_over_led_families`): the agency's count reads its own families'
    returned rows, not every returned row in the council."""
    agency_id = sa.bindparam("agency_id", type_=sa.Integer)
    per_family = (
        sa.select(sa.func.count(sa.distinct(ReviewQueue.evidence_id)))
        .join(Evidence, Evidence.id == ReviewQueue.evidence_id)
        .where(ReviewQueue.state == "returned", ReviewQueue.family_id == Family.id, Evidence.agency_id == agency_id)
        .correlate(Family)
        .scalar_subquery()
    )
    return sa.select(sa.func.coalesce(sa.func.sum(per_family), 0)).where(Family.id.in_(attached_family_ids(agency_id)))


@functools.cache
def _returned_to_submitter_query(scope: str):
    """Items in the scope's families (LED: those the user `user_id` leads) whose latest version was
    returned and whose first version the user submitted: a lead professional's own evidence,
    theirs to correct (duties.may_correct). Built once per process, the user as a parameter."""
    user_id = sa.bindparam("user_id", type_=sa.Integer)
    # The user's own row of each such item (the queue holds one for each submitter): one row an item.
    mine = (ReviewQueue.first_by_id == user_id) & (ReviewQueue.by_id == user_id)
    count = sa.select(sa.func.count()).select_from(ReviewQueue).where(ReviewQueue.state == "returned", mine)
    if scope == LED:
        return _over_led_families(count, user_id)
    return count.join(Family, Family.id == ReviewQueue.family_id).where(_in_scope(scope, user_id))


@functools.cache
def lead_professional_counts_query(open_queries_count):
    """One statement, the user as a parameter, for the navigation's to-do count of a lead
    professional: the items awaiting their review in the families they lead, plus their own items
    returned to them, plus `open_queries_count` (a select of one count, the same parameter: the
    verifiers' queries waiting for their answer). Three statements cost three round trips on every
    page a lead professional opens; each part is the statement its own function runs."""
    may = _awaiting_query(LED, LP).subquery("awaiting")
    returned = _returned_to_submitter_query(LED).scalar_subquery()
    return sa.select(sa.select(may.c[0]).scalar_subquery() + returned + open_queries_count.scalar_subquery())


@functools.cache
def lead_professional_family_counts_query(open_queries_count, family_queries_count):
    """The lead professional's family page, in one statement (the user and family as parameters):
    `awaiting(FAMILY, ...)`'s two counts for the family, the navigation's to-do count
    (`lead_professional_counts_query`) and `family_queries_count` (a select of one count, the
    family as parameter: the verifiers' queries on this family waiting for the answer) beside
    them, rather than a round trip each."""
    family = _awaiting_query(FAMILY, LP).subquery("family_awaiting")
    todo = lead_professional_counts_query(open_queries_count).scalar_subquery()
    return sa.select(family.c[0], family.c[1], todo, family_queries_count.scalar_subquery())
