"""Reading the audit log. Nothing here writes: audit rows are append-only."""

import datetime as dt

import sqlalchemy as sa

from ..extensions import db
from ..models import AuditEvent, Family
from ..uktime import UK

NEWEST_FIRST = (AuditEvent.at.desc(), AuditEvent.id.desc())


def families():
    return sa.select(Family).order_by(Family.ref)


def family_events(family, date_from=None, date_to=None):
    return _dated(sa.select(AuditEvent).filter_by(family_id=family.id), date_from, date_to).order_by(*NEWEST_FIRST)


def service_events(action="", email="", date_from=None, date_to=None):
    """Every event, newest first, narrowed to one action, emails containing `email`, and UK dates."""
    query = sa.select(AuditEvent)
    if action:
        query = query.filter(AuditEvent.action == action)
    if email:
        query = query.filter(sa.func.lower(AuditEvent.user_email).contains(email.lower(), autoescape=True))
    return _dated(query, date_from, date_to).order_by(*NEWEST_FIRST)


def uk_day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the UK (GMT or BST), as an aware datetime."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=UK)


def _dated(query, date_from, date_to):
    # Whole UK days: from midnight UK time on date_from to midnight UK time after date_to.
    if date_from:
        query = query.filter(AuditEvent.at >= uk_day_start(date_from).astimezone(dt.UTC))
    if date_to:
        query = query.filter(AuditEvent.at < uk_day_start(date_to + dt.timedelta(days=1)).astimezone(dt.UTC))
    return query


def action_names():
    return sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)


def family_refs(events) -> dict:
    """family id -> reference for the families these events are about."""
    ids = {e.family_id for e in events if e.family_id}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Family.id, Family.ref).where(Family.id.in_(ids))).all())
