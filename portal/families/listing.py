"""The family list: which families each role sees, searched by reference or name, a page at a time.

The query mirrors access.can_see, so the list never offers a family whose page
would then refuse the user. A page's families, their rows and their evidence are
loaded in a fixed number of queries however many families the page shows, and only
a page's families are decided by the rules engine.
"""

from dataclasses import dataclass
from itertools import groupby
from math import ceil

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from .. import access, casefile
from ..boundaries.pages import pagination  # noqa: F401 - the family list's views use it from here
from ..evidence.duties import may_review
from ..extensions import db
from ..models import Evidence, Family, IdentifiedProblem
from ..roles import Role
from ..rules.plan import load_plans

PAGE_SIZE = 50


@dataclass
class FamilyRow:
    family: Family
    plan_title: str
    awaiting: int | None  # submissions awaiting review; None when it is not the user's to review
    turned_around: bool


@dataclass
class FamilyPage:
    rows: list[FamilyRow]
    total: int  # families matching, on every page
    number: int  # this page, from 1
    pages: int

    @property
    def first(self) -> int:
        """The position of this page's first family in the whole list, from 1."""
        return (self.number - 1) * PAGE_SIZE + 1


def visible_query(user, search: str = ""):
    return _searched(access.visible_query(user), search.strip())


def _searched(query, search):
    if not search:
        return query
    return query.where(sa.or_(Family.ref.icontains(search, autoescape=True),
                              Family.name.icontains(search, autoescape=True)))


def page_of(user, search: str = "", number: int = 1) -> FamilyPage:
    """One page of the families the user sees; a page past the end shows the last."""
    query = visible_query(user, search)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    pages = max(1, ceil(total / PAGE_SIZE))
    number = min(max(1, number), pages)
    families = _loaded(query.order_by(Family.ref).limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE))
    return FamilyPage(_rows(user, families), total, number, pages)


def _loaded(query) -> list[Family]:
    """The families with every row the engine reads, in one query per kind of row."""
    return db.session.scalars(query.options(
        selectinload(Family.members), selectinload(Family.problems).selectinload(IdentifiedProblem.member),
        selectinload(Family.essentials), selectinload(Family.plan_outcome_history), selectinload(Family.closures),
    )).all()


def evidence_by_family(family_ids) -> dict[int, list[Evidence]]:
    """Every version of every submission for these families, oldest first, with what decides its status."""
    rows = db.session.scalars(
        sa.select(Evidence).where(Evidence.family_id.in_(family_ids)).order_by(Evidence.family_id, Evidence.id)
        .options(*Evidence.with_status())).all()
    return {family_id: list(group) for family_id, group in groupby(rows, key=lambda e: e.family_id)}


def _rows(user, families) -> list[FamilyRow]:
    plans, lead = load_plans(), user.role == Role.LEAD_PROFESSIONAL
    evidence = evidence_by_family([f.id for f in families])
    return [FamilyRow(f, _plan_title(plans, f.plan_id), _awaiting(user, f, evidence.get(f.id, [])) if lead else None,
                      casefile.verdict(f, evidence_rows=evidence.get(f.id, [])).turned_around)
            for f in families]


def _awaiting(user, family, evidence) -> int:
    """Submissions waiting for this user's review (not those a programme manager reviews)."""
    return sum(1 for e in evidence if e.replaced_by is None and e.status == "submitted"
               and may_review(user, family, e))


def _plan_title(plans, plan_id) -> str:
    plan = plans.get(plan_id)
    return f"{plan.council} ({plan_id})" if plan else plan_id
