"""The audit log: record() for every sign-in, read and change of family data."""

from flask import Blueprint
from flask_login import current_user

from ..extensions import db
from ..models import AuditEvent

bp = Blueprint("audit", __name__)


def record(action, family=None, detail="", user=None):
    """Add an audit event to the session; the caller's commit saves it with the change."""
    user = user or (current_user if current_user.is_authenticated else None)
    event = AuditEvent(action=action, family_id=family.id if family else None, detail=detail)
    if user is not None:
        event.user_id = user.id
        event.user_email = user.email
        event.user_role = user.role
        event.agency_name = user.agency.name if user.agency else ""
    db.session.add(event)
    return event


from . import views  # noqa: F401
