"""Families and everything the rules engine reads about them, in a fixed number of queries.

A claim window decides every family of its plans at once, so the rows are read
with one query per kind (selected by a subquery, not by a list of ids, so the
count does not grow with the number of families) and attached to the families.
"""

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import (
    CaseClosure,
    EssentialRecord,
    Evidence,
    Family,
    FamilyPlanOutcome,
    IdentifiedProblem,
    Member,
    MemberDeparture,
    Review,
)

CHILDREN = (
    ("members", Member, Member.id),
    ("problems", IdentifiedProblem, IdentifiedProblem.id),
    ("essentials", EssentialRecord, EssentialRecord.id),
    ("plan_outcome_history", FamilyPlanOutcome, FamilyPlanOutcome.id),
    ("closures", CaseClosure, CaseClosure.id),
    ("departures", MemberDeparture, MemberDeparture.id),
)


def load_families(plan_ids, family_ids=None) -> tuple[list[Family], dict[int, list[Evidence]]]:
    """The families of these plans (optionally only these ids), loaded, and their evidence by family."""
    chosen = sa.select(Family.id).where(Family.plan_id.in_(list(plan_ids)))
    if family_ids is not None:
        chosen = chosen.where(Family.id.in_(list(family_ids)))
    return load_chosen(chosen)


def load_chosen(chosen) -> tuple[list[Family], dict[int, list[Evidence]]]:
    """The families a subquery of family ids selects, loaded, and their evidence by family
    (one query per kind of row, whatever the number of families: the to-do lists use it too)."""
    families = (
        db.session.scalars(
            sa.select(Family)
            .where(Family.id.in_(chosen))
            .order_by(Family.id)
            .options(joinedload(Family.lead_professional))
        )
        .unique()
        .all()
    )
    for attribute, model, order in CHILDREN:
        rows = db.session.scalars(sa.select(model).where(model.family_id.in_(chosen)).order_by(order)).all()
        by_family = defaultdict(list)
        for row in rows:
            by_family[row.family_id].append(row)
        for family in families:
            set_committed_value(family, attribute, by_family.get(family.id, []))
    evidence = _evidence(chosen)
    return families, evidence


def _evidence(chosen) -> dict[int, list[Evidence]]:
    rows = db.session.scalars(
        sa.select(Evidence)
        .where(Evidence.family_id.in_(chosen))
        .order_by(Evidence.family_id, Evidence.id)
        .options(joinedload(Evidence.agency), joinedload(Evidence.submitted_by))
    ).all()
    reviews = db.session.scalars(
        sa.select(Review)
        .where(Review.evidence_id.in_(sa.select(Evidence.id).where(Evidence.family_id.in_(chosen))))
        .order_by(Review.id)
    ).all()
    by_evidence = defaultdict(list)
    for review in reviews:
        by_evidence[review.evidence_id].append(review)
    replaced_by = {e.replaces_id: e for e in rows if e.replaces_id is not None}
    out = defaultdict(list)
    for e in rows:
        set_committed_value(e, "reviews", by_evidence.get(e.id, []))
        set_committed_value(e, "replaced_by", replaced_by.get(e.id))
        out[e.family_id].append(e)
    return out
