"""A family's case rows, read in one statement for the pages that show the whole case.

The family page shows the family's members, their departures from the household, the problems
identified, the essentials, the plan's outcomes, the team (with each agency) and the closure.
Read through the family's relationships, that is a lazy load each: seven statements, one round
trip each on PostgreSQL. `load(family)` reads the same rows as one UNION ALL, each branch one
table's columns with the other tables' columns NULL, and hands them to the ORM as the entities they
are (a row's entity whose primary key is NULL is none), so every relationship is filled with the
very objects its own lazy load would give, in its own order (by id), and the page reads them
without another statement (docs/performance.md, "Run 15").

Only relationships not yet loaded in this session are filled: a change made earlier in the same
request is never hidden.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.engine.interfaces import BindTyping
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import Agency, CaseClosure, EssentialRecord, FamilyPlanOutcome, IdentifiedProblem, Member, TeamMembership
from ..models.families import MemberDeparture

# Each of the family's relationships this fills, and the entity its rows are.
RELATIONSHIPS = {
    "members": Member,
    "departures": MemberDeparture,
    "problems": IdentifiedProblem,
    "essentials": EssentialRecord,
    "plan_outcome_history": FamilyPlanOutcome,
    "team": TeamMembership,
    "closures": CaseClosure,
}
# The agencies of the team are read in the same statement: the team's table shows each by name.
ENTITIES = (*RELATIONSHIPS.values(), Agency)


def load(family) -> None:
    """Fill the family's case relationships that are not loaded yet, from one statement."""
    state = sa.inspect(family)
    wanted = [name for name in RELATIONSHIPS if name in state.unloaded]
    if not wanted:
        return
    found: dict[type, list] = {entity: [] for entity in ENTITIES}
    statement = _statement(db.engine.dialect.name)
    for row in db.session.execute(statement, {"family_id": family.id}):
        for entity, value in zip(ENTITIES, row, strict=True):
            if value is not None:
                found[entity].append(value)
    for name in wanted:
        rows = sorted(found[RELATIONSHIPS[name]], key=lambda row: row.id)
        set_committed_value(family, name, rows)
    # The identity map holds its objects weakly: each is handed to whatever refers to it, or the
    # next lazy load would read it again.
    for member in found[Member]:
        if "family" in sa.inspect(member).unloaded:
            set_committed_value(member, "family", family)
    agencies = {agency.id: agency for agency in found[Agency]}
    for membership in found[TeamMembership]:
        if "agency" in sa.inspect(membership).unloaded and membership.agency_id in agencies:
            set_committed_value(membership, "agency", agencies[membership.agency_id])


@functools.cache
def _statement(dialect_name: str):
    """Built once per process and database: the union as SQL, and the ORM reading its columns by position."""
    columns = [column for entity in ENTITIES for column in entity.__table__.columns]
    family = sa.bindparam("family_id", type_=sa.Integer)

    def branch(entity, where):
        own = entity.__table__
        chosen = [
            (column if column.table is own else sa.cast(sa.null(), column.type)).label(f"c{index}")
            for index, column in enumerate(columns)
        ]
        return sa.select(*chosen).where(where)

    team, agency = TeamMembership.__table__, Agency.__table__
    union = sa.union_all(
        *(branch(entity, entity.__table__.c.family_id == family) for entity in RELATIONSHIPS.values()),
        branch(Agency, agency.c.id.in_(sa.select(team.c.agency_id).where(team.c.family_id == family))),
    )
    # Rendered with named parameters (":family_id") so that text() reads it back; the ORM then takes
    # each entity's columns by position (TextualSelect.columns with the tables' own columns).
    dialect = type(db.engine.dialect)(paramstyle="named")
    dialect.bind_typing = BindTyping.NONE  # psycopg's ":family_id::INTEGER" would not read back as a parameter
    sql = str(union.compile(dialect=dialect))
    return sa.select(*ENTITIES).from_statement(sa.text(sql).columns(*columns))
