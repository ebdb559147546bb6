"""The audit log as CSV: a family's log and the service log, for subject access requests and investigations.

The same columns and the same rule as the pages: details are shown only if they
hold ids and action words (details.shown), so admins see no case data; the
family's name is a column only for readers who see case data on the page too
(the family's lead professional, claim verifiers), and only in a family's log.
Every cell a spreadsheet would run as a formula (= + - @ tab, carriage return)
is prefixed with ' as in portal/claims/files.py. Times are UK local time with
the zone (GMT or BST) and, for machines, UTC in ISO 8601.
"""

import csv
import io

from ..extensions import db
from ..models import Family
from ..models.people import ROLES
from ..uktime import uk_text
from . import details
from .actions import words

COLUMNS = [
    "Time (UK)",
    "Time (UTC, ISO 8601)",
    "Who",
    "Role",
    "Agency",
    "Action",
    "Action code",
    "Family reference",
    "Detail",
    "Request id",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000


def cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def rows(query, family_name: str | None = None):
    """CSV lines (str), header first, read from the database in batches."""
    header = COLUMNS + (["Family name"] if family_name is not None else [])
    yield _line(header)
    refs = {}
    for event in db.session.scalars(query.execution_options(yield_per=BATCH)):
        if event.family_id and event.family_id not in refs:
            refs[event.family_id] = db.session.scalar(db.select(Family.ref).where(Family.id == event.family_id))
        line = [
            uk_text(event.at),
            event.at.isoformat(),
            event.user_email or "Nobody signed in",
            ROLES.get(event.user_role, event.user_role),
            event.agency_name,
            words(event.action),
            event.action,
            refs.get(event.family_id, ""),
            details.shown(event.detail),
            event.request_id,
        ]
        if family_name is not None:
            line.append(family_name)
        yield _line(line)


def _line(values) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([cell(v) for v in values])
    return out.getvalue()
