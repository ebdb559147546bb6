"""The family list: which families each role sees, searched by reference or name, a page at a time.

The query mirrors access.can_see, so the list never offers a family whose page
would then refuse the user. A page's families, their rows and their evidence are
loaded in a fixed number of queries however many families the page shows. Whether a
family is turned around comes from its stored verdict (portal/families/standing.py):
no family is decided here unless its stored verdict is of an earlier day, so the list
can filter and sort by status in the query.
"""

from dataclasses import dataclass, field
from itertools import groupby
from math import ceil

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from .. import access
from ..boundaries.pages import pagination  # noqa: F401 - the family list's views use it from here
from ..evidence.duties import may_review
from ..extensions import db
from ..models import Evidence, Family, FamilyVerdict
from ..models.families import VERDICT_STATUSES
from ..roles import Role
from ..rules.plan import load_plans
from . import standing

PAGE_SIZE = 50
SORTS = {"reference": "Reference", "status": "Status (turned around first)"}


@dataclass
class Filters:
    """What the list is narrowed and ordered by, from the page's query string."""

    status: str = ""  # a key of VERDICT_STATUSES, or "" for every status
    sort: str = "reference"  # a key of SORTS
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field id, message), as error_list shows

    def query(self) -> dict:
        """The query-string arguments that keep these filters on another page of the list."""
        return {"status": self.status or None, "sort": None if self.sort == "reference" else self.sort}


def filters_from(args, user) -> Filters:
    """The status and sort asked for; an unknown one is named with the reason and not applied.

    A user who may not see verdicts (a partner) may not filter or sort by them either: the list
    would tell which of their families are turned around, or in which order. Their page has no
    such fields, so the message links to the search box.
    """
    out = Filters()
    status, sort = args.get("status", ""), args.get("sort", "") or "reference"
    sees = user.can.see_verdicts
    if status and not sees:
        out.errors.append(("q", "Status is not shown to partner agencies, so the list cannot be filtered by it"))
    elif status in VERDICT_STATUSES or status == "":
        out.status = status
    else:
        out.errors.append(("status", "Status must be one of the statuses listed"))
    if sort == "status" and not sees:
        out.errors.append(("q", "Sort by status is not open to partner agencies, who are not shown the status"))
    elif sort in SORTS:
        out.sort = sort
    else:
        out.errors.append(("sort", "Sort by must be reference or status"))
    return out


@dataclass
class FamilyRow:
    family: Family
    plan_title: str
    awaiting: int | None  # submissions awaiting review; None when it is not the user's to review
    turned_around: bool | None  # None for a user who may not see verdicts (a partner)


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
    return query.where(
        sa.or_(
            Family.ref.icontains(search, autoescape=True),
            Family.name.icontains(search, autoescape=True),
            Family.case_system_ref.icontains(search, autoescape=True),
        )
    )


def page_of(user, search: str = "", number: int = 1, status: str | None = None, by_status: bool = False) -> FamilyPage:
    """One page of the families the user sees; a page past the end shows the last.

    status (a key of VERDICT_STATUSES) keeps only families with that verdict today; by_status
    sorts by it (turned around first) before the reference. Both read the stored verdicts,
    after any of an earlier day among the families the user sees are decided again.
    """
    query = visible_query(user, search)
    order = [Family.ref]
    if not user.can.see_verdicts:
        status, by_status = None, False  # filters_from refused them with the reason
    if status in VERDICT_STATUSES or by_status:
        standing.bring_up_to_date(query.with_only_columns(Family.id))
        query = query.join(FamilyVerdict, FamilyVerdict.family_id == Family.id)
        if status in VERDICT_STATUSES:
            query = query.where(FamilyVerdict.status == status)
        if by_status:
            order = [
                sa.case({key: i for i, key in enumerate(VERDICT_STATUSES)}, value=FamilyVerdict.status),
                Family.ref,
            ]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    pages = max(1, ceil(total / PAGE_SIZE))
    number = min(max(1, number), pages)
    families = _loaded(query.order_by(*order).limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE))
    return FamilyPage(_rows(user, families), total, number, pages)


def _loaded(query) -> list[Family]:
    """The families with what their rows show (the closure), in one query more; the verdict is stored."""
    return db.session.scalars(query.options(selectinload(Family.closures))).all()


def evidence_by_family(family_ids) -> dict[int, list[Evidence]]:
    """Every version of every submission for these families, oldest first, with what decides its status."""
    rows = db.session.scalars(
        sa.select(Evidence)
        .where(Evidence.family_id.in_(family_ids))
        .order_by(Evidence.family_id, Evidence.id)
        .options(*Evidence.with_status())
    ).all()
    return {family_id: list(group) for family_id, group in groupby(rows, key=lambda e: e.family_id)}


def _rows(user, families) -> list[FamilyRow]:
    plans, lead = load_plans(), user.role == Role.LEAD_PROFESSIONAL
    evidence = evidence_by_family([f.id for f in families]) if lead else {}
    sees = user.can.see_verdicts
    verdicts = standing.current([f.id for f in families]) if sees else {}
    return [
        FamilyRow(
            f,
            _plan_title(plans, f.plan_id),
            _awaiting(user, f, evidence.get(f.id, [])) if lead else None,
            verdicts[f.id]["turned_around"] if sees else None,
        )
        for f in families
    ]


def _awaiting(user, family, evidence) -> int:
    """Submissions waiting for this user's review (not those a programme manager reviews)."""
    return sum(1 for e in evidence if e.replaced_by is None and e.status == "submitted" and may_review(user, family, e))


def _plan_title(plans, plan_id) -> str:
    plan = plans.get(plan_id)
    return f"{plan.council} ({plan_id})" if plan else plan_id
