"""Database models, one module per feature.

Import every model module here so that db.metadata is complete whenever the
package is imported (Alembic autogenerate and tests rely on it).
"""

from . import append_only  # noqa: F401  (registers the append-only guard)
from .audit import AuditEvent
from .claims import (
    Claim,
    ClaimApproval,
    ClaimFile,
    ClaimLine,
    ClaimLineExit,
    ClaimLineMember,
    ClaimPhaseLock,
    ClaimSample,
    ClaimSubmission,
    ClaimWindow,
    ClaimWindowPlan,
    LineDecision,
    QueryAnswer,
)
from .evidence import Evidence, EvidenceDocument, Review, ReviewQueue
from .families import (
    CaseClosure,
    EssentialRecord,
    Family,
    FamilyPlanOutcome,
    FamilyVerdict,
    IdentifiedProblem,
    Member,
    MemberDeparture,
    TeamMembership,
)
from .jobs import Job
from .notify import Notification, PasswordReset
from .people import ACCOUNT_SECRETS, Agency, KeptForm, RecoveryCode, User, UserSession
from .plans import PlanSetting
from .summaries import ClosureSummary

__all__ = [
    "ACCOUNT_SECRETS",
    "Agency",
    "AuditEvent",
    "CaseClosure",
    "Claim",
    "ClaimApproval",
    "ClaimFile",
    "ClaimLine",
    "ClaimLineExit",
    "ClaimLineMember",
    "ClaimPhaseLock",
    "ClaimSample",
    "ClaimSubmission",
    "ClaimWindow",
    "ClaimWindowPlan",
    "ClosureSummary",
    "EssentialRecord",
    "Evidence",
    "EvidenceDocument",
    "Family",
    "FamilyPlanOutcome",
    "FamilyVerdict",
    "IdentifiedProblem",
    "Job",
    "KeptForm",
    "LineDecision",
    "Member",
    "Notification",
    "PasswordReset",
    "MemberDeparture",
    "PlanSetting",
    "QueryAnswer",
    "RecoveryCode",
    "Review",
    "ReviewQueue",
    "TeamMembership",
    "User",
    "UserSession",
]
