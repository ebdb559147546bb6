"""Refuse updates and deletes of the tables the service promises never to change.

Checked at flush time, so no code path (a view, a CLI, a script) can quietly
rewrite evidence, a decision or the audit log through the ORM.
"""

from sqlalchemy import event
from sqlalchemy.orm import Session

from .audit import AuditEvent
from .claims import (
    Claim,
    ClaimApproval,
    ClaimFile,
    ClaimLine,
    ClaimLineExit,
    ClaimLineMember,
    ClaimSample,
    ClaimSubmission,
    ClaimWindow,
    ClaimWindowPlan,
    LineDecision,
    QueryAnswer,
)
from .evidence import Evidence, Review
from .families import CaseClosure, EssentialRecord

APPEND_ONLY = (AuditEvent, Evidence, Review, CaseClosure, EssentialRecord,
               # Claims (issue 10): everything but the per-phase lock row.
               ClaimWindow, ClaimWindowPlan, Claim, ClaimLine, ClaimLineMember, ClaimLineExit, ClaimSample,
               LineDecision, QueryAnswer, ClaimApproval, ClaimSubmission, ClaimFile)


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_changes(session, _context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError(f"{type(obj).__name__} rows are append-only; add a new row instead")
