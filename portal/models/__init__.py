"""Database models, one module per feature.

Import every model module here so that db.metadata is complete whenever the
package is imported (Alembic autogenerate and tests rely on it).
"""

from . import append_only  # noqa: F401  (registers the append-only guard)
from .audit import AuditEvent
from .evidence import Evidence, Review
from .families import (
    CaseClosure,
    EssentialRecord,
    Family,
    FamilyPlanOutcome,
    IdentifiedProblem,
    Member,
    TeamMembership,
)
from .people import Agency, KeptForm, RecoveryCode, User, UserSession
from .plans import PlanSetting

__all__ = [
    "Agency",
    "AuditEvent",
    "CaseClosure",
    "EssentialRecord",
    "Evidence",
    "Family",
    "FamilyPlanOutcome",
    "IdentifiedProblem",
    "KeptForm",
    "Member",
    "PlanSetting",
    "RecoveryCode",
    "Review",
    "TeamMembership",
    "User",
    "UserSession",
]
