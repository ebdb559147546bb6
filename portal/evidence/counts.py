"""Evidence items counted by the database: what the family page and the navigation's to-do count show.

An item is a line of versions; its latest version is the one no correction replaces. Who may
review an item depends on who submitted or corrected any of its versions (duties.py): the
versions are walked by one recursive query, and the rule of `duties.review_refusal` is written
here as SQL, so a count costs the same whatever the families' history. Tests hold each count
equal to the rule as duties.py states it (tests/test_audit_commits.py).
"""

import functools

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..access import attached_family_ids
from ..extensions import db
from ..models import Evidence, Family, Review
from .duties import LP, PM

# Made once: an alias builds its column collection on first use, which costs more than the
# database takes to run the queries it is in (docs/performance.md).
_LATER, _EARLIER = aliased(Evidence, name="later_version"), aliased(Evidence, name="earlier_version")


def latest_versions(chosen):
    """Select the latest versions of the items of the chosen families (a select of family ids, or a list)."""
    return sa.select(Evidence).where(
        Evidence.family_id.in_(chosen), ~sa.exists().where(_LATER.replaces_id == Evidence.id)
    )


def chain(roots, name="chain", state=None):
    """A recursive query over the given versions and every version each corrected:
    (root, replaces_id, by, lp) where `lp` is the root's family's lead professional, and, when a
    column of the roots is given as `state`, that column of the root on each of its rows. Two
    chains in one statement need two names."""
    columns = [
        Evidence.id.label("root"),
        Evidence.replaces_id.label("replaces_id"),
        Evidence.submitted_by_id.label("by"),
        Family.lead_professional_id.label("lp"),
    ]
    if state is not None:
        columns.append(state.label("state"))
    base = roots.join(Family, Family.id == Evidence.family_id).with_only_columns(*columns).cte(name, recursive=True)
    carried = [base.c.state] if state is not None else []
    return base.union_all(
        sa.select(base.c.root, _EARLIER.replaces_id, _EARLIER.submitted_by_id, base.c.lp, *carried).where(
            _EARLIER.id == base.c.replaces_id
        )
    )


FAMILY, LED, ANY = "family", "led", "any"  # whose families an awaiting count covers


def _chosen(scope: str, user_id):
    """The families a count covers, as a select with the user (and family) as parameters."""
    if scope == FAMILY:
        return sa.select(sa.bindparam("family_id", type_=sa.Integer))
    if scope == LED:
        return sa.select(Family.id).where(Family.lead_professional_id == user_id)
    return sa.select(Family.id)


def awaiting(scope: str, user, family_id: int | None = None) -> tuple[int, int]:
    """(items the user may review now, items waiting for a programme manager because the family's
    lead professional submitted or corrected a version) among unreviewed items of: one family
    (FAMILY, with family_id), the families the user leads (LED), or every family (ANY)."""
    params = {"user_id": user.id, "family_id": family_id}
    may, for_pm = db.session.execute(_awaiting_query(scope, user.role), params).one()
    return int(may), int(for_pm)


@functools.cache
def _awaiting_query(scope: str, role: str, name: str = "chain"):
    """Built once per process for each scope and role, the user and family as parameters:
    building the recursive query costs more than the database takes to run it. Its columns:
    (items the user may review, items waiting for a programme manager)."""
    user_id = sa.bindparam("user_id", type_=sa.Integer)
    unreviewed = latest_versions(_chosen(scope, user_id)).where(~sa.exists().where(Review.evidence_id == Evidence.id))
    return _awaiting_of(chain(unreviewed, name), role, user_id)


def _awaiting_of(versions, role: str, user_id, where=None):
    """(items the user may review, items waiting for a programme manager) among the items whose
    versions are `versions` (a chain) and meet `where`: the rule of duties.review_refusal."""
    per_item = (
        sa.select(
            versions.c.lp,
            sa.func.max(sa.case((versions.c.by == versions.c.lp, 1), else_=0)).label("lp_in"),
            sa.func.max(sa.case((versions.c.by == user_id, 1), else_=0)).label("me_in"),
        )
        .where(sa.true() if where is None else where)
        .group_by(versions.c.root, versions.c.lp)
        .subquery()
    )
    if role == LP:  # the lead professional's queue: their families, none of it theirs
        mine = (per_item.c.lp == user_id) & (per_item.c.lp_in == 0) & (per_item.c.me_in == 0)
    elif role == PM:  # a programme manager's queue: lead professionals' own, none of it theirs
        mine = (per_item.c.lp_in == 1) & (per_item.c.me_in == 0)
    else:
        mine = sa.false()

    def ones(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    return sa.select(ones(mine), ones(per_item.c.lp_in == 1))


# The version's review returned it.
_RETURNED = sa.exists().where(Review.evidence_id == Evidence.id, Review.decision == "returned")


def returned_to_agency(agency_id: int) -> int:
    """The agency's items, in the families it works with now, whose latest version was returned
    (a partner's to-do count, on every page a partner opens)."""
    return int(db.session.scalar(_returned_to_agency_query(), {"agency_id": agency_id}))


@functools.cache
def _returned_to_agency_query():
    """Built once per process, the agency as a parameter (see _awaiting_query)."""
    agency_id = sa.bindparam("agency_id", type_=sa.Integer)
    items = latest_versions(attached_family_ids(agency_id)).where(Evidence.agency_id == agency_id, _RETURNED)
    return sa.select(sa.func.count()).select_from(items.with_only_columns(Evidence.id).subquery())


def _returned_of(versions, user_id, where):
    """How many of the items whose versions are `versions` (a chain of returned latest versions)
    and meet `where` the user submitted first (the version that replaces none): a lead
    professional's own evidence, theirs to correct (duties.may_correct)."""
    return sa.select(sa.func.count(sa.distinct(versions.c.root))).where(
        where, versions.c.replaces_id.is_(None), versions.c.by == user_id
    )


@functools.cache
def lead_professional_counts_query(open_queries_count):
    """One statement, the user as a parameter, for the navigation's to-do count of a lead
    professional: the items awaiting their review in the families they lead, plus their own items
    returned to them, plus `open_queries_count` (a select of one count, the same parameter: the
    verifiers' queries waiting for their answer).

    It reads the families' evidence once: one chain over the latest versions that are unreviewed
    (no review: `state` is NULL) or returned, the first counted as `_awaiting_query` counts them.
    It used to read every version of the families twice, once for each count, on every page a
    lead professional opens: a cost that grows with all their families' history
    (docs/performance.md, run 13)."""
    user_id = sa.bindparam("user_id", type_=sa.Integer)
    review = aliased(Review, name="latest_review")
    roots = (
        latest_versions(_chosen(LED, user_id))
        .outerjoin(review, review.evidence_id == Evidence.id)
        .where(review.id.is_(None) | (review.decision == "returned"))
    )
    versions = chain(roots, "open_chain", state=review.decision)
    may = _awaiting_of(versions, LP, user_id, where=versions.c.state.is_(None)).subquery("awaiting")
    returned = _returned_of(versions, user_id, where=versions.c.state == "returned").scalar_subquery()
    return sa.select(sa.select(may.c[0]).scalar_subquery() + returned + open_queries_count.scalar_subquery())
