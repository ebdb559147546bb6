"""Agencies: the partner organisations whose staff submit evidence."""

import sqlalchemy as sa

from ..audit import record
from ..extensions import db
from ..models import Agency, User


def all_agencies() -> list[Agency]:
    return db.session.scalars(sa.select(Agency).order_by(Agency.name)).all()


def user_counts() -> dict[int, int]:
    rows = db.session.execute(sa.select(User.agency_id, sa.func.count()).group_by(User.agency_id))
    return {agency_id: count for agency_id, count in rows if agency_id is not None}


def name_problem(name: str, agency: Agency | None = None) -> str | None:
    """Names are unique regardless of case, so "hillside primary" cannot sit beside "Hillside Primary"."""
    query = sa.select(Agency).where(sa.func.lower(Agency.name) == name.lower())
    if agency is not None:
        query = query.where(Agency.id != agency.id)
    if db.session.scalar(query) is not None:
        return f"There is already an agency called ‘{name}’; enter a different agency name"
    return None


def create_agency(name: str, kind: str) -> Agency:
    agency = Agency(name=name, kind=kind)
    db.session.add(agency)
    db.session.flush()
    record("agency.create", detail=f"agency {agency.id}")
    db.session.commit()
    return agency


def update_agency(agency: Agency, name: str, kind: str) -> None:
    agency.name, agency.kind = name, kind
    record("agency.update", detail=f"agency {agency.id}")
    db.session.commit()
