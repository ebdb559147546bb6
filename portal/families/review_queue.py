"""Where a reviewer finds their work: every submission waiting for them, across the families they see.

A programme manager reviews what lead professionals submitted (portal/evidence/duties.py),
in families they do not otherwise work on, so they need this list to find it; a lead
professional gets the same list for their own families. Each item carries what the rules
engine says of it ("meets 2.1", or "does not meet 2.1: 3 terms averaging 87.5%, above 90%
needed": portal/verdicts.check_words), and after a decision the reviewer is taken to the
next item (`next_after`). The list is read in a fixed number of queries whatever the number
of families (portal/claims/loading.py).
"""

from dataclasses import dataclass

import sqlalchemy as sa

from .. import verdicts
from ..claims.loading import load_chosen
from ..evidence.duties import may_review
from ..models import Evidence, Family, Review
from .listing import visible_query
from .review_data import submission_check


@dataclass
class Waiting:
    family: Family
    evidence: Evidence  # the latest version, awaiting review
    meets: bool | None = None  # the engine's answer (None: not asked)
    said: str = ""  # ... in its own words, as a sentence


def waiting_in(user, family, rows, judged=True) -> list[Waiting]:
    """The family's latest versions nobody has reviewed yet that this user may review, oldest first."""
    out = []
    for e in sorted(rows, key=lambda e: (e.submitted_at, e.id)):
        if e.replaced_by is None and e.status == "submitted" and may_review(user, family, e):
            item = Waiting(family, e)
            if judged:
                item.meets, words = verdicts.check_words(submission_check(family, e, evidence_rows=rows))
                item.said = verdicts.sentence(words)
            out.append(item)
    return out


def waiting_for(user, judged=True) -> list[Waiting]:
    """Oldest first, across the families the user sees that have a submission nobody has reviewed."""
    unreviewed = sa.select(Evidence.family_id).where(~sa.exists().where(Review.evidence_id == Evidence.id))
    chosen = visible_query(user).with_only_columns(Family.id).where(Family.id.in_(unreviewed))
    families, evidence = load_chosen(chosen)
    items = [item for family in families for item in waiting_in(user, family, evidence.get(family.id, []), judged)]
    return sorted(items, key=lambda item: (item.evidence.submitted_at, item.evidence.id))


def next_after(user, family) -> Waiting | None:
    """Where a reviewer goes after a decision: the next item of the same family, else the oldest of the rest."""
    items = waiting_for(user, judged=False)
    same = [item for item in items if item.family.id == family.id]
    return (same or items or [None])[0]
