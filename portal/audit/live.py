"""Live checks (the htmx endpoint called as a partner types) are audited without a commit per keystroke.

The first live check of a form (one user's session, one family, one outcome) in a
WINDOW is audited like any read: its row is committed by the request. Later checks
of the same form in that window are counted in this worker's memory and saved as
one `evidence.check` row that says how many there were ("live checks 7"), written
with the next commit this worker makes for any request, or when the worker stops.
So who read which family's form, and when it began, is always committed at once;
only the count of later keystrokes waits. Decision and its limits: docs/performance.md.
"""

from __future__ import annotations

import atexit
import threading
import time
from dataclasses import dataclass

from flask import current_app, g
from flask_login import current_user

from ..extensions import db
from ..models.types import utcnow

WINDOW = 600.0  # seconds: a form's first check in a window is committed at once
MOST_FORMS = 5_000  # forms counted at once in a worker; past it, every count is saved

ACTION = "evidence.check"


@dataclass
class Count:
    started: float
    user_id: int
    user_email: str
    user_role: str
    agency_name: str
    family_id: int
    path: str
    checks: int = 0  # not yet saved
    last_at: object = None
    request_id: str = ""


_counts: dict[tuple, Count] = {}
_ended: list[Count] = []  # forms whose window ended with checks not yet saved
_lock = threading.Lock()
_apps: set = set()


def count(family, form_key: str) -> bool:
    """Count this live check; True if it is counted (the request's read is not committed on its own)."""
    from . import drop_read
    from .details import request_detail

    session_row = getattr(current_user, "session_row", None)
    key = (current_user.id, getattr(session_row, "id", None), family.id, form_key)
    now = time.monotonic()
    with _lock:
        held = _counts.get(key)
        if held is None or now - held.started > WINDOW:
            # The first check of this form in the window: audited and committed as a read.
            if held is not None and held.checks:
                _ended.append(held)
            _counts[key] = Count(
                now,
                current_user.id,
                current_user.email,
                current_user.role,
                current_user.agency.name if current_user.agency else "",
                family.id,
                request_detail(),
            )
            first = True
        else:
            held.checks += 1
            held.last_at, held.request_id = utcnow(), g.get("request_id", "")
            first = False
        crowded = len(_counts) > MOST_FORMS
    if first:
        return False
    drop_read()
    _apps.add(current_app._get_current_object())
    if crowded:
        save_counts(everything=True)
    return True


def rows_due(everything=False) -> list:
    """The audit rows for checks counted and not yet saved (their counts reset); expired forms forgotten."""
    from ..models import AuditEvent

    def row(held):
        return AuditEvent(
            action=ACTION,
            family_id=held.family_id,
            at=held.last_at,
            detail=f"{held.path} live checks {held.checks}",
            user_id=held.user_id,
            user_email=held.user_email,
            user_role=held.user_role,
            agency_name=held.agency_name,
            request_id=held.request_id,
        )

    now = time.monotonic()
    with _lock:
        rows = [row(held) for held in _ended]
        _ended.clear()
        for key, held in list(_counts.items()):
            if held.checks:
                rows.append(row(held))
                held.checks = 0
            if everything or now - held.started > WINDOW:
                del _counts[key]
    return rows


def add_due_rows(session):
    """Called before any commit of the request's session: counted checks ride along with it."""
    if _ended or any(held.checks for held in _counts.values()):
        session.add_all(rows_due())


def save_counts(everything=True):
    """Write every count now, in a commit of its own (a worker stopping, or too many forms held)."""
    rows = rows_due(everything)
    if rows:
        db.session.add_all(rows)
        db.session.commit()


@atexit.register
def _save_at_exit():
    if not _ended and not any(held.checks for held in _counts.values()):
        return
    for app in list(_apps)[:1]:
        with app.app_context():
            save_counts()
            db.session.remove()


def forget():
    """Tests: start with no counts."""
    with _lock:
        _counts.clear()
        _ended.clear()
