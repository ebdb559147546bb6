"""Where a reviewer finds their work: every submission waiting for them, across the families they see.

A programme manager reviews what lead professionals submitted (portal/evidence/duties.py),
in families they do not otherwise work on, so they need this list to find it; a lead
professional gets the same list for their own families.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..evidence.duties import may_review
from ..extensions import db
from ..models import Evidence, Family, Review
from .listing import visible_query


@dataclass
class Waiting:
    family: Family
    evidence: Evidence  # the latest version, awaiting review


def waiting_for(user) -> list[Waiting]:
    """Oldest first: the latest versions nobody has reviewed yet that this user may review."""
    later = aliased(Evidence)
    families = visible_query(user).with_only_columns(Family.id)
    rows = db.session.scalars(
        sa.select(Evidence)
        .where(Evidence.family_id.in_(families),
               ~sa.exists().where(Review.evidence_id == Evidence.id),
               ~sa.exists().where(later.replaces_id == Evidence.id))
        .order_by(Evidence.submitted_at, Evidence.id)).all()
    by_id = {f.id: f for f in db.session.scalars(sa.select(Family).where(Family.id.in_({r.family_id for r in rows})))}
    return [Waiting(by_id[r.family_id], r) for r in rows if may_review(user, by_id[r.family_id], r)]
