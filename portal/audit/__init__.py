"""The audit log: record() for every sign-in, read and change of family data.

One commit per request at most (docs/performance.md): a family route's read is
recorded by `expect_read()` before the view runs and joins whatever commit the
view makes (the change it saves), or is committed alone by `finish_read()` if
the view saved nothing. Live checks are counted rather than committed one by
one (portal/audit/live.py).
"""

import functools

import sqlalchemy as sa
from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import AuditEvent


def _columns(action, family=None, detail="", user=None) -> dict:
    """The audit row's columns: what was done, to which family, by whom (copied), in which request."""
    in_request = has_request_context()  # not in `flask create-admin` and other commands
    user = user or (current_user if in_request and current_user.is_authenticated else None)
    columns = {
        "action": action,
        "family_id": family.id if family else None,
        "detail": detail,
        "request_id": g.get("request_id", "") if in_request else "",
    }
    if user is not None:
        columns |= {
            "user_id": user.id,
            "user_email": user.email,
            "user_role": user.role,
            "agency_name": user.agency.name if user.agency else "",
        }
    return columns


def record(action, family=None, detail="", user=None):
    """Add an audit event to the session; the caller's commit saves it with the change.

    The request's read of the family (`expect_read`), if not added yet, is added first: the two
    rows are written by one INSERT of the same flush rather than one each (the read would join the
    commit anyway, `_read_joins_the_commit`, in a flush of its own). It stays expected until a
    commit saves it: if the transaction is rolled back, taking the row with it, the next commit
    (or `finish_read`) adds it again (`_read_rolled_back`)."""
    if has_request_context() and "audit_read" in g and not g.get(READ_ADDED):
        _record(*g.audit_read)
        g.setdefault(READ_ADDED, True)
    return _record(action, family, detail, user)


def _record(action, family=None, detail="", user=None):
    event = AuditEvent(**_columns(action, family, detail, user))
    db.session.add(event)
    return event


def save(user, action, family=None, detail=""):
    """Record `action` by `user` and commit it now: a read, a refusal, a sign-in. Views call
    this (or their feature's service) rather than committing themselves."""
    event = record(action, family, detail=detail, user=user)
    db.session.commit()
    return event


# In flask.g: the request's read has been added to the session by `record`, with a change.
READ_ADDED = "audit_read_added"


def expect_read(action, family, detail):
    """The read of `family` this request makes: saved with the request's first commit, or by finish_read()."""
    g.audit_read = (action, family, detail)


def drop_read():
    """A refused request records its refusal, not a read."""
    if has_request_context():
        g.pop("audit_read", None)
        g.pop(READ_ADDED, None)


def finish_read():
    """Commit the read if the view has not committed it with its change (the request's only commit)."""
    pending, added = g.pop("audit_read", None), g.pop(READ_ADDED, False)
    if pending is not None:
        if not added:
            # The row alone, inserted as it is (SQLAlchemy Core), not through the session's unit of
            # work: the view saved nothing, so there is nothing else to put in order with it.
            db.session.execute(_insert_one(), _columns(*pending))
        db.session.commit()


@functools.cache
def _insert_one():
    return sa.insert(AuditEvent)


@event.listens_for(Session, "before_commit")
def _read_joins_the_commit(session):
    if not has_request_context() or session is not db.session():
        return  # a command's or a job's own session does not carry a request's read
    if "audit_read" in g:
        pending = g.pop("audit_read")
        if not g.pop(READ_ADDED, False):
            _record(*pending)
    live.add_due_rows(session)


@event.listens_for(Session, "after_soft_rollback")
def _read_rolled_back(session, previous_transaction):
    """The read's row added by `record` went with the rolled-back transaction: add it again later."""
    if previous_transaction.parent is None and has_request_context() and session is db.session():
        g.pop(READ_ADDED, None)


from . import live
