"""Reading the audit log. Nothing here writes: audit rows are append-only."""

import sqlalchemy as sa

from ..extensions import db
from ..models import AuditEvent, Family

NEWEST_FIRST = (AuditEvent.at.desc(), AuditEvent.id.desc())


def families():
    return sa.select(Family).order_by(Family.ref)


def family_events(family):
    return sa.select(AuditEvent).filter_by(family_id=family.id).order_by(*NEWEST_FIRST)


def service_events(action="", email=""):
    """Every event, newest first, narrowed to one action and/or emails containing `email`."""
    query = sa.select(AuditEvent).order_by(*NEWEST_FIRST)
    if action:
        query = query.filter(AuditEvent.action == action)
    if email:
        query = query.filter(sa.func.lower(AuditEvent.user_email).contains(email.lower(), autoescape=True))
    return query


def action_names():
    return sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)


def family_refs(events) -> dict:
    """family id -> reference for the families these events are about."""
    ids = {e.family_id for e in events if e.family_id}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Family.id, Family.ref).where(Family.id.in_(ids))).all())
