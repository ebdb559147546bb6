"""The family list: which families each role sees, searched by reference or name.

The query mirrors access.can_see, so the list never offers a family whose page
would then refuse the user.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from .. import casefile
from ..extensions import db
from ..models import Family, TeamMembership
from ..rules.plan import load_plans
from .page import awaiting_review


@dataclass
class FamilyRow:
    family: Family
    plan_title: str
    awaiting: int | None  # submissions awaiting review; None when it is not the user's to review
    turned_around: bool


def visible_families(user, search: str = "") -> list[Family]:
    query = sa.select(Family).order_by(Family.ref)
    if user.role == "lead_professional":
        query = query.where(Family.lead_professional_id == user.id)
    elif user.role == "partner":
        attached = sa.select(TeamMembership.family_id).where(
            TeamMembership.agency_id == user.agency_id, TeamMembership.ended_at.is_(None))
        query = query.where(Family.id.in_(attached))
    elif user.role != "verifier":
        return []
    return db.session.scalars(_searched(query, search.strip())).all()


def _searched(query, search):
    if not search:
        return query
    return query.where(sa.or_(Family.ref.icontains(search, autoescape=True),
                              Family.name.icontains(search, autoescape=True)))


def rows(user, search: str = "") -> list[FamilyRow]:
    plans = load_plans()
    lead = user.role == "lead_professional"
    return [FamilyRow(family, _plan_title(plans, family.plan_id), len(awaiting_review(family)) if lead else None,
                      casefile.verdict(family).turned_around)
            for family in visible_families(user, search)]


def _plan_title(plans, plan_id) -> str:
    plan = plans.get(plan_id)
    return f"{plan.council} ({plan_id})" if plan else plan_id
