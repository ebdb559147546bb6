"""What the family page shows, and to whom.

Partners see what they need to submit evidence: the problems identified, the
outcomes open to them, members' names, roles and ages, and their own agency's
submissions. Lead professionals and verifiers see the whole case and the
verdict. The choice is made here, once, so templates never decide who sees what.
"""

from dataclasses import dataclass, field

from .. import casefile, verdicts
from ..evidence import duties
from ..extensions import db
from ..models import Evidence
from ..models.families import ACTIVITIES, STAGES
from ..roles import FamilyCapabilities, Role
from ..rules.calendar import age_on

LP, PARTNER = Role.LEAD_PROFESSIONAL, Role.PARTNER


@dataclass
class EvidenceLine:
    """One submission: its latest version and the versions it corrected."""

    latest: Evidence
    earlier: list = field(default_factory=list)
    reviewer: str = duties.LP  # whose queue it is in: the lead professional's or a programme manager's
    reviewable: bool = False  # whether the user the page is for may review it now

    @property
    def awaiting_review(self) -> bool:
        return self.latest.status == "submitted"

    @property
    def awaiting_programme_manager(self) -> bool:
        return self.awaiting_review and self.reviewer == duties.PM


def evidence_lines(family, user=None, agency_id=None) -> list[EvidenceLine]:
    """Each line of versions, newest submission first; only one agency's when agency_id is given.

    `reviewable` says whether `user` may review the line now (portal.evidence.duties).
    """
    query = (
        db.select(Evidence).filter_by(family_id=family.id).order_by(Evidence.id.desc()).options(*Evidence.with_status())
    )
    if agency_id is not None:
        query = query.filter_by(agency_id=agency_id)
    rows = db.session.scalars(query).all()
    return [_line(family, row, user) for row in rows if row.replaced_by is None]


def _line(family, row, user) -> EvidenceLine:
    line = EvidenceLine(row, row.history[1:], duties.reviewer_role(family, row))
    line.reviewable = user is not None and line.awaiting_review and duties.may_review(user, family, row)
    return line


def awaiting_review(family, user) -> list[EvidenceLine]:
    """The submissions waiting for `user` to review them."""
    return [line for line in evidence_lines(family, user) if line.reviewable]


def member_names(family) -> dict[int, str]:
    return {m.id: m.name + (" (withdrawn)" if m.withdrawn_at else "") for m in family.members}


def age(member) -> int:
    return age_on(member.date_of_birth, casefile.today())


def page_data(family, user) -> dict:
    plan = casefile.plan_for(family)
    caps = FamilyCapabilities(user, family)
    data = {
        "family": family,
        "plan": plan,
        "names": member_names(family),
        "caps": caps,
        "can_change": caps.change_case,
        "is_open": family.closed_on is None,
        "member_age": age,
        "activities": ACTIVITIES,
        "stages": STAGES,
    }
    if user.role == PARTNER:
        data["lines"] = evidence_lines(family, user, agency_id=user.agency_id)
        data["open_outcomes"] = open_outcomes(family, plan)
    else:
        data["lines"] = evidence_lines(family, user)
        data["verdict"] = verdicts.family_verdict(family)[0]
    if user.role == LP:
        from ..claims.verifying import open_queries

        data["claim_queries"] = open_queries(family)
    return data


def open_outcomes(family, plan) -> list:
    """The plan's outcomes a partner may submit evidence for now, in plan order."""
    why_not = casefile.open_outcomes(family)
    return [plan.outcome_by_id[oid] for oid in plan.outcome_by_id if why_not.get(oid) is None]
