"""Every change the lead professional makes to a case: new rows, audited, then saved.

Facts are added, not rewritten: a member or problem recorded in error is
withdrawn with a reason, an agency leaving the team gets an end time, and
essentials, reviews and closures are append-only rows.
"""

from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..extensions import db
from ..models import (
    CaseClosure,
    EssentialRecord,
    Family,
    FamilyPlanOutcome,
    IdentifiedProblem,
    Member,
    Review,
    TeamMembership,
)
from ..models.types import utcnow
from .references import next_reference

REF_ATTEMPTS = 3  # two families created at the same moment may draw the same reference


def _save(action, family, detail):
    record(action, family, detail=detail)
    db.session.commit()


def create_family(name, plan_id, engaged_on) -> Family:
    for attempt in range(REF_ATTEMPTS):
        family = Family(ref=next_reference(plan_id), name=name.strip(), plan_id=plan_id,
                        lead_professional_id=current_user.id, engaged_on=engaged_on)
        db.session.add(family)
        try:
            db.session.flush()
            _save("family.create", family, f"{family.ref} {family.name} on plan {plan_id}")
            return family
        except IntegrityError:
            db.session.rollback()
            if attempt == REF_ATTEMPTS - 1:
                raise


def add_member(family, name, role, date_of_birth, activity) -> Member:
    member = Member(family_id=family.id, name=name.strip(), role=role, date_of_birth=date_of_birth,
                    activity=activity or "", recorded_by_id=current_user.id)
    db.session.add(member)
    db.session.flush()
    _save("member.add", family, f"member {member.id}: {member.name} ({member.role_label})")
    return member


def withdraw_member(family, member, reason):
    member.withdrawn_at, member.withdrawn_reason = utcnow(), reason.strip()
    _save("member.withdraw", family, f"member {member.id}: {member.name}; reason: {member.withdrawn_reason}")


def add_problem(family, problem_id, indicator_id, stage, identified_on, member_id) -> IdentifiedProblem:
    row = IdentifiedProblem(family_id=family.id, problem_id=problem_id, indicator_id=indicator_id, stage=stage,
                            identified_on=identified_on, member_id=member_id, recorded_by_id=current_user.id)
    db.session.add(row)
    db.session.flush()
    _save("problem.add", family, f"problem {row.id}: {problem_id}/{indicator_id} at {stage} on "
                                 f"{identified_on.isoformat()}")
    return row


def withdraw_problem(family, problem, reason):
    problem.withdrawn_at, problem.withdrawn_reason = utcnow(), reason.strip()
    _save("problem.withdraw", family, f"problem {problem.id}: {problem.problem_id}/{problem.indicator_id}; "
                                      f"reason: {problem.withdrawn_reason}")


def record_essentials(family, essential_ids, in_place_on):
    for essential_id in essential_ids:
        db.session.add(EssentialRecord(family_id=family.id, essential_id=essential_id, in_place_on=in_place_on,
                                       recorded_by_id=current_user.id))
    _save("essentials.record", family, f"{', '.join(essential_ids)} in place on {in_place_on.isoformat()}")


class PlanChangedMeanwhile(Exception):
    """Someone else changed one of the same outcomes of the family's plan at the same moment."""


def set_plan_outcomes(family, outcome_ids, reason=""):
    """The family's plan becomes exactly outcome_ids.

    Each outcome added or removed is a new row with that outcome's next version (a removal
    carries who, when and why); no row is changed or deleted, so the plan as it stood on any
    day can be rebuilt. Raises PlanChangedMeanwhile if another change took the same version.
    """
    current = {row.outcome_id: row for row in family.plan_outcomes}
    versions = {}
    for row in family.plan_outcome_history:
        versions[row.outcome_id] = max(versions.get(row.outcome_id, 0), row.version)
    added = [o for o in outcome_ids if o not in current]
    removed = [o for o in current if o not in outcome_ids]
    added_rows = [FamilyPlanOutcome(family_id=family.id, outcome_id=o, version=versions.get(o, 0) + 1,
                                    recorded_by_id=current_user.id) for o in added]
    removed_rows = [FamilyPlanOutcome(family_id=family.id, outcome_id=o, version=versions[o] + 1, removed=True,
                                      reason=(reason or "").strip(), recorded_by_id=current_user.id)
                    for o in removed]
    db.session.add_all(added_rows + removed_rows)
    try:
        db.session.flush()
    except IntegrityError:  # (family, outcome, version) is unique
        db.session.rollback()
        raise PlanChangedMeanwhile from None

    def listed(rows):
        return ", ".join(f"{row.outcome_id} (row {row.id})" for row in rows) or "none"

    # Ids only: the reason is case data, kept in the row itself.
    _save("plan-outcomes.set", family, f"added: {listed(added_rows)}; removed: {listed(removed_rows)}")


def set_engaged(family, engaged_on):
    family.engaged_on = engaged_on
    _save("family.engaged", family, f"engaged on {engaged_on.isoformat()}")


def attach_agency(family, agency):
    db.session.add(TeamMembership(family_id=family.id, agency_id=agency.id, attached_by_id=current_user.id))
    _save("team.attach", family, f"agency {agency.id}: {agency.name}")


def detach_agency(family, membership):
    membership.ended_at = utcnow()
    _save("team.detach", family, f"agency {membership.agency_id}: {membership.agency.name}")


def review_evidence(family, evidence, decision, reason):
    db.session.add(Review(evidence_id=evidence.id, decision=decision, reason=(reason or "").strip(),
                          reviewed_by_id=current_user.id))
    _save(f"evidence.{'accept' if decision == 'accepted' else 'return'}", family,
          f"evidence {evidence.id} (outcome {evidence.outcome_id}, version {evidence.version})"
          + (f"; reason: {reason.strip()}" if decision == "returned" else ""))


def close_case(family, closed_on):
    db.session.add(CaseClosure(family_id=family.id, closed_on=closed_on, recorded_by_id=current_user.id))
    _save("case.close", family, f"closed on {closed_on.isoformat()}")


def reopen_case(family, reason):
    db.session.add(CaseClosure(family_id=family.id, closed_on=None, reopened=True, reason=reason.strip(),
                               recorded_by_id=current_user.id))
    _save("case.reopen", family, f"reason: {reason.strip()}")
