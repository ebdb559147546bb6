"""The audit log: record() for every sign-in, read and change of family data."""

from flask import g, has_request_context
from flask_login import current_user

from ..extensions import db
from ..models import AuditEvent


def record(action, family=None, detail="", user=None):
    """Add an audit event to the session; the caller's commit saves it with the change."""
    in_request = has_request_context()  # not in `flask create-admin` and other commands
    user = user or (current_user if in_request and current_user.is_authenticated else None)
    event = AuditEvent(action=action, family_id=family.id if family else None, detail=detail,
                       request_id=g.get("request_id", "") if in_request else "")
    if user is not None:
        event.user_id = user.id
        event.user_email = user.email
        event.user_role = user.role
        event.agency_name = user.agency.name if user.agency else ""
    db.session.add(event)
    return event


def save(user, action, family=None, detail=""):
    """Record `action` by `user` and commit it now: a read, a refusal, a sign-in. Views call
    this (or their feature's service) rather than committing themselves."""
    event = record(action, family, detail=detail, user=user)
    db.session.commit()
    return event

