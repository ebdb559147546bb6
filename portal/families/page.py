"""What the family page shows, and to whom.

Partners see what they need to submit evidence: the problems identified, the
outcomes open to them, members' names, roles and ages, and their own agency's
submissions. Lead professionals and verifiers see the whole case and the
verdict. The choice is made here, once, so templates never decide who sees what.
"""

import functools
import math
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from .. import casefile
from ..evidence import counts, duties
from ..extensions import db
from ..models import Evidence, ReviewQueue, User
from ..models.families import ACTIVITIES, STAGES
from ..roles import FamilyCapabilities, Role
from ..rules.calendar import age_on
from . import case_rows, standing

LP, PARTNER = Role.LEAD_PROFESSIONAL, Role.PARTNER

# The family page lists this many evidence items (the latest version of each, newest first);
# the rest are on the family's evidence list (GET /families/<id>/submissions), EVIDENCE_PAGE a
# page. Five, not the 20 it was: each card is a quarter of a millisecond of template, so a
# family with 300 items cost 15% more than one with 5 (docs/performance.md, "Run 7").
FAMILY_PAGE_LINES = 5
EVIDENCE_PAGE = 50


@dataclass
class EvidenceLine:
    """One submission: its latest version and the versions it corrected."""

    latest: Evidence
    earlier: list = field(default_factory=list)
    reviewer: str = duties.LP  # whose queue it is in: the lead professional's or a programme manager's
    reviewable: bool = False  # whether the user the page is for may review it now

    @property
    def awaiting_review(self) -> bool:
        return self.latest.status == "submitted"

    @property
    def awaiting_programme_manager(self) -> bool:
        return self.awaiting_review and self.reviewer == duties.PM


def evidence_lines(family, user=None, agency_id=None) -> list[EvidenceLine]:
    """Each line of versions, newest submission first; only one agency's when agency_id is given.

    `reviewable` says whether `user` may review the line now (portal.evidence.duties).
    """
    query = (
        db.select(Evidence).filter_by(family_id=family.id).order_by(Evidence.id.desc()).options(*Evidence.with_status())
    )
    if agency_id is not None:
        query = query.filter_by(agency_id=agency_id)
    rows = db.session.scalars(query).all()
    return [_line(family, row, user) for row in rows if row.replaced_by is None]


def _line(family, row, user) -> EvidenceLine:
    line = EvidenceLine(row, row.history[1:], duties.reviewer_role(family, row))
    line.reviewable = user is not None and line.awaiting_review and duties.may_review(user, family, row)
    return line


def _latest_query(family_id, agency_id=None):
    """The family's latest versions (those no correction replaces); one agency's when agency_id is given."""
    query = counts.latest_versions([family_id])
    return query if agency_id is None else query.where(Evidence.agency_id == agency_id)


# The family page's queries are built once per process, the family, agency and versions as
# parameters: building them (subqueries, the recursive chain) took longer than the database takes
# to run them, on the page lead professionals and partners open most (docs/performance.md).
_FAMILY, _AGENCY = sa.bindparam("family_id", type_=sa.Integer), sa.bindparam("agency_id", type_=sa.Integer)


# The first versions' index (models.evidence), named for SQLite: its planner, with no statistics,
# took `replaces_id IS NULL` for one row of the unique index on replaces_id, and read every
# family's first versions from it.
_FIRST_VERSIONS = {"sqlite": "evidence INDEXED BY ix_evidence_family_id_replaces_id_agency_id"}


@functools.cache
def _count_query(by_agency: bool, dialect_name: str):
    """How many items: the family's (or the agency's) first versions, one for each line of versions.

    Counted as the latest versions were, each looked for a correction replacing it, the count read
    every version the family had and each one's correction: on PostgreSQL 1.0 ms for a family of
    300 items against 0.37 for one of 5 (docs/performance.md, "Run 22"). A line has one first
    version, and a correction stays in its version's family and agency (records.correction), so
    the two counts are equal; the first versions are counted from an index alone
    (models.evidence, ix_evidence_family_id_replaces_id_agency_id)."""
    source = sa.text(_FIRST_VERSIONS.get(dialect_name, "evidence"))
    where = [sa.column("family_id") == _FAMILY, sa.column("replaces_id").is_(None)]
    if by_agency:
        where.append(sa.column("agency_id") == _AGENCY)
    return sa.select(sa.func.count()).select_from(source).where(*where)


# The family page's first FAMILY_PAGE_LINES items: the limit written into the statement, not sent
# as a parameter. With the limit a parameter, PostgreSQL's plan for the statement it had prepared
# could not know it, so costed it above the plan for the limit given, and planned the statement
# again on every request (pg_prepared_statements: custom plans only), which took it longer than
# running it (docs/performance.md, "Run 18").
_FIRST_PAGE = sa.literal_column(str(int(FAMILY_PAGE_LINES)), sa.Integer)


@functools.cache
def _lines_query(by_agency: bool, first_page: bool = False):
    """first_page: the family page's first FAMILY_PAGE_LINES items, the limit in the statement.

    How many items there are in all is count_items' own statement, not a column of this one. As a
    column it made PostgreSQL plan this statement afresh on every family page of any connection
    whose first five pages were of small families: the count's cost for the average family (its
    generic plan) is far above its cost for a small one (the five custom plans it compares with),
    so the statement kept custom plans, each planned anew (0.65-0.9 ms). With the count its own
    statement (small, planned each time, cheaply), the lead professional's family page took 2.67 ms
    of the database's CPU where it took 3.53 (docs/performance.md, "Run 20"). The two are read a
    moment apart: a submission saved between them is counted and not yet listed, as it would be
    by the next page; nothing is deleted, so the count is never below the lines listed."""
    return (
        _latest_query(_FAMILY, _AGENCY if by_agency else None)
        .order_by(Evidence.id.desc())
        .limit(_FIRST_PAGE if first_page else sa.bindparam("limit", type_=sa.Integer))
        .offset(None if first_page else sa.bindparam("offset", type_=sa.Integer))
        .options(
            joinedload(Evidence.reviews),
            joinedload(Evidence.agency),
            # What a line shows of its submitter (their name, and their role when no agency): not
            # every column of their account, password hash and authenticator secret among them.
            joinedload(Evidence.submitted_by).load_only(User.name, User.role, User.agency_id),
        )
        .add_columns(_submitters_column())
    )


def _submitters_column():
    """Everyone who submitted or corrected each line's version or any version before it
    (duties.submitter_ids), as "3,7": read from the review queue, which holds one row for each
    of them (portal/evidence/queue.py), on the lines' own statement rather than a recursive
    query of its own. Only what the page shows depends on it (whose queue, the Review link);
    the review itself decides from the versions (families/review_views.py)."""
    by_ids = sa.func.aggregate_strings(sa.cast(ReviewQueue.by_id, sa.String), ",")
    return sa.select(by_ids).where(ReviewQueue.evidence_id == Evidence.id).scalar_subquery().label("submitters")


def _ids(text) -> set[int]:
    return {int(part) for part in text.split(",")} if text else set()


def count_items(family, agency_id=None) -> int:
    """How many evidence items (lines of versions) the family has, counted by the database."""
    query = _count_query(agency_id is not None, db.engine.dialect.name)
    return db.session.scalar(query, {"family_id": family.id, "agency_id": agency_id})


def latest_lines(family, user, agency_id=None, limit=FAMILY_PAGE_LINES, offset=0) -> list[EvidenceLine]:
    """A page of the family's evidence items, newest first, in a fixed number of queries.

    Each line holds the latest version only (`earlier` is empty): earlier versions are on the
    item's own page. `reviewable` is decided as duties.may_review decides it, from the
    submitters of every version of the line, read for all the lines at once.
    """
    params = {"family_id": family.id, "agency_id": agency_id, "limit": limit, "offset": offset}
    return _lines(family, user, db.session.execute(_lines_query(agency_id is not None), params).unique().all())


def first_lines_and_count(family, user, agency_id=None) -> tuple[list[EvidenceLine], int]:
    """The family page's latest FAMILY_PAGE_LINES items and how many there are in all (the same lines
    as latest_lines, the same count as count_items), in two statements (_lines_query says why)."""
    params = {"family_id": family.id, "agency_id": agency_id}
    found = db.session.execute(_lines_query(agency_id is not None, first_page=True), params).unique().all()
    return _lines(family, user, found), count_items(family, agency_id)


def _lines(family, user, found) -> list[EvidenceLine]:
    """Lines from the rows of _lines_query: (the version, its submitters, ...)."""
    lines = []
    for row, submitted in ((found_row[0], _ids(found_row.submitters)) for found_row in found):
        set_committed_value(row, "replaced_by", None)  # the latest version of its line: nothing replaces it
        line = EvidenceLine(row, [], duties.reviewer_role(family, row, submitted))
        line.reviewable = user is not None and line.awaiting_review and duties.may_review(user, family, row, submitted)
        lines.append(line)
    return lines


@dataclass
class Awaiting:
    """How many submissions wait for review: for the user the page is for, and (lead professional)
    for a programme manager because the lead professional submitted or corrected them."""

    for_user: int = 0
    for_programme_manager: int = 0
    claim_queries: int = 0  # (lead professional) verifiers' queries on the family waiting for the answer


def awaiting_counts(family, user) -> Awaiting:
    """The counts the family page shows, by the database (portal/evidence/counts.py). A lead
    professional's page reads the navigation's to-do count in the same statement, and leaves it
    where the navigation looks first (portal/navigation.py, `todo_count`)."""
    if user.role == LP:
        from ..claims.verifying import family_open_query_count, led_open_query_count

        query = counts.lead_professional_family_counts_query(led_open_query_count(), family_open_query_count())
        may, for_pm, todo, queries = db.session.execute(query, {"user_id": user.id, "family_id": family.id}).one()
        g.setdefault(counts.TODO_COUNT, int(todo))
        return Awaiting(int(may), int(for_pm), int(queries))
    may, for_pm = counts.awaiting(counts.FAMILY, user, family.id)
    return Awaiting(may, 0)


@dataclass
class Page:
    number: int
    pages: int


def evidence_page(family, user, number: int) -> dict:
    """One page of the family's evidence list: EVIDENCE_PAGE items, newest first; past the end, none."""
    agency_id = user.agency_id if user.role == PARTNER else None
    total = count_items(family, agency_id)
    pages = max(1, math.ceil(total / EVIDENCE_PAGE))
    lines = (
        latest_lines(family, user, agency_id, EVIDENCE_PAGE, (number - 1) * EVIDENCE_PAGE) if number <= pages else []
    )
    return {
        "family": family,
        "plan": casefile.plan_for(family),
        "names": member_names(family),
        "caps": FamilyCapabilities(user, family),
        "lines": lines,
        "evidence_count": total,
        "page": Page(number, pages),
    }


def awaiting_review(family, user) -> list[EvidenceLine]:
    """The submissions waiting for `user` to review them."""
    return review_lines(family, user)[0]


def review_lines(family, user) -> tuple[list[EvidenceLine], list[EvidenceLine]]:
    """(the submissions waiting for `user` to review them, and, for the family's lead professional,
    those waiting for a programme manager instead), from one reading of the family's evidence."""
    lines = evidence_lines(family, user)
    for_pm = [line for line in lines if line.awaiting_programme_manager] if user.role == duties.LP else []
    return [line for line in lines if line.reviewable], for_pm


def member_names(family) -> dict[int, str]:
    return {m.id: m.name + (" (withdrawn)" if m.withdrawn_at else "") for m in family.members}


def age(member) -> int:
    return age_on(member.date_of_birth, casefile.today())


def page_data(family, user) -> dict:
    case_rows.load(family)  # the case's rows in one statement, not a lazy load each
    plan = casefile.plan_for(family)
    caps = FamilyCapabilities(user, family)
    data = {
        "family": family,
        "plan": plan,
        "names": member_names(family),
        "caps": caps,
        "can_change": caps.change_case,
        "is_open": family.closed_on is None,
        "member_age": age,
        "activities": ACTIVITIES,
        "stages": STAGES,
    }
    agency_id = user.agency_id if user.role == PARTNER else None
    data["lines"], data["evidence_count"] = first_lines_and_count(family, user, agency_id)
    if user.role == PARTNER:
        data["open_outcomes"] = open_outcomes(family, plan)
    if user.can.see_verdicts:
        # The claims beside the verdict, so "Now" is never read alone.
        data["verdict"], data["claims"] = standing.view_and_claims(family)
    if user.role in (LP, duties.PM):
        data["awaiting"] = awaiting_counts(family, user)
    if user.role == LP:
        from ..claims.verifying import open_queries

        # Read only when the counts found some: most families have none, and then no statement.
        data["claim_queries"] = open_queries(family) if data["awaiting"].claim_queries else []
    return data


def open_outcomes(family, plan) -> list:
    """The plan's outcomes a partner may submit evidence for now, in plan order."""
    why_not = casefile.open_outcomes(family)
    return [plan.outcome_by_id[oid] for oid in plan.outcome_by_id if why_not.get(oid) is None]
