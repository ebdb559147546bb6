"""Segregation of duties for evidence: who may correct a version, and who may review it.

The rules (docs/security.md, "Segregation of duties"):

- Nobody reviews (accepts or returns) a version they submitted, nor one whose
  line of versions holds a version they submitted or corrected: a correction
  carries the earlier versions forward, so whoever wrote any of them is not
  independent of it.
- The family's lead professional reviews evidence unless they submitted or
  corrected a version of it; then a programme manager (the council's
  Supporting Families team, who read every family) reviews it. One reviewer
  role per submission, so it is always clear whose queue it is in.
- Only the submitting agency corrects its evidence: partners of the agency it
  is filed under, and a lead professional only evidence they submitted
  themselves (the first version was theirs).
"""

from ..models import Evidence
from ..roles import Role

LP, PM, PARTNER = Role.LEAD_PROFESSIONAL, Role.PROGRAMME_MANAGER, Role.PARTNER
REVIEWERS = (LP, PM)

PM_MUST_REVIEW = "A programme manager must review this because you submitted it."


def submitter_ids(evidence: Evidence) -> set[int]:
    """Everyone who submitted or corrected this version or any version before it."""
    return {version.submitted_by_id for version in evidence.history}


def reviewer_role(family, evidence: Evidence, submitters: set[int] | None = None) -> str:
    """Whose queue a submission is in: the lead professional's, or a programme manager's.

    `submitters`, when given, is `submitter_ids(evidence)` read beforehand (for many lines at once).
    """
    submitters = submitter_ids(evidence) if submitters is None else submitters
    return PM if family.lead_professional_id in submitters else LP


def review_refusal(user, family, evidence: Evidence, submitters: set[int] | None = None) -> str | None:
    """Why this user may not review this version, or None if they may."""
    submitters = submitter_ids(evidence) if submitters is None else submitters
    if user.id in submitters:
        if user.role == LP:
            return PM_MUST_REVIEW
        return "You cannot review this evidence because you submitted or corrected it."
    role = reviewer_role(family, evidence, submitters)
    if user.role != role:
        if user.role == PM:
            return "The family's lead professional reviews this evidence, not a programme manager."
        return "Only the family's lead professional or a programme manager can review evidence."
    if role == LP and family.lead_professional_id != user.id:
        return "Only the family's lead professional can review this evidence."
    return None


def may_review(user, family, evidence: Evidence, submitters: set[int] | None = None) -> bool:
    return review_refusal(user, family, evidence, submitters) is None


def may_correct(user, evidence: Evidence) -> bool:
    """Whether the user is of the submitting agency (partners) or submitted it (lead professionals)."""
    if user.role == PARTNER:
        return user.agency_id is not None and evidence.agency_id == user.agency_id
    if user.role == LP:
        return evidence.history[-1].submitted_by_id == user.id
    return False


def correct_refusal(user, evidence: Evidence) -> str | None:
    if may_correct(user, evidence):
        return None
    if user.role == LP:
        whose = evidence.agency.name if evidence.agency else "whoever submitted it"
        return (
            f"Only {whose} can correct this evidence, because it is theirs. "
            "Return it with a reason if it needs changing."
        )
    return "You cannot correct this evidence."
