"""Every change the lead professional makes to a case: new rows, audited, then saved.

Audit details name rows by id only, never a name, reason or date
(portal/audit/details.py). Facts are added, not rewritten: a member or problem recorded in error is
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
    MemberDeparture,
    Review,
    TeamMembership,
)
from ..models.types import utcnow
from .matches import normal_case_ref
from .references import next_reference

REF_ATTEMPTS = 3  # two families created at the same moment may draw the same reference


def _save(action, family, detail):
    record(action, family, detail=detail)
    db.session.commit()


def create_family(name, plan_id, engaged_on, case_system_ref=None, matched=None) -> Family:
    """`matched`: the matching families the lead professional was warned of and went ahead (audited by id)."""
    for attempt in range(REF_ATTEMPTS):
        family = Family(
            ref=next_reference(plan_id),
            name=name.strip(),
            plan_id=plan_id,
            lead_professional_id=current_user.id,
            engaged_on=engaged_on,
            case_system_ref=normal_case_ref(case_system_ref) or None,
        )
        db.session.add(family)
        try:
            db.session.flush()
            _save("family.create", family, f"plan {plan_id}" + _matches_detail(matched))
            return family
        except IntegrityError:
            db.session.rollback()
            if attempt == REF_ATTEMPTS - 1:
                raise


def add_member(family, name, role, date_of_birth, activity, matched=None) -> Member:
    member = Member(
        family_id=family.id,
        name=name.strip(),
        role=role,
        date_of_birth=date_of_birth,
        activity=activity or "",
        recorded_by_id=current_user.id,
    )
    db.session.add(member)
    db.session.flush()
    _save("member.add", family, f"member {member.id}" + _matches_detail(matched))
    return member


def warn_of_matches(found, family=None):
    """The lead professional is shown a warning of matching families: audited with their ids
    (an information-governance officer can see who was told what), never their names."""
    record("family.match-warning", family, detail=_matches_detail(found).lstrip("; "))
    db.session.commit()
    return found


def _matches_detail(found) -> str:
    return f"; matches families {', '.join(str(i) for i in found.ids)}" if found else ""


def withdraw_member(family, member, reason):
    member.withdrawn_at, member.withdrawn_reason = utcnow(), reason.strip()
    _save("member.withdraw", family, f"member {member.id}")


def record_departure(user, family, member, left_on) -> MemberDeparture:
    """The member left the household on left_on: a new row; the member stays in the case."""
    row = MemberDeparture(family_id=family.id, member_id=member.id, left_on=left_on, recorded_by_id=user.id)
    db.session.add(row)
    db.session.flush()
    _save("member.left", family, f"member {member.id} departure {row.id}")
    return row


def withdraw_departure(user, family, departure, reason) -> MemberDeparture | None:
    """A departure recorded in error is withdrawn by a new row naming it, with the reason.

    None if it was already withdrawn (withdraws_id is unique: of two withdrawals at once, one is kept).
    """
    row = MemberDeparture(
        family_id=family.id,
        member_id=departure.member_id,
        left_on=None,
        withdraws_id=departure.id,
        reason=reason.strip(),
        recorded_by_id=user.id,
    )
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None
    _save("member.left.withdraw", family, f"member {departure.member_id} departure {row.id} withdraws {departure.id}")
    return row


def add_problem(family, problem_id, indicator_id, stage, identified_on, member_id) -> IdentifiedProblem:
    row = IdentifiedProblem(
        family_id=family.id,
        problem_id=problem_id,
        indicator_id=indicator_id,
        stage=stage,
        identified_on=identified_on,
        member_id=member_id,
        recorded_by_id=current_user.id,
    )
    db.session.add(row)
    db.session.flush()
    _save("problem.add", family, f"problem {row.id}")
    return row


def withdraw_problem(family, problem, reason):
    problem.withdrawn_at, problem.withdrawn_reason = utcnow(), reason.strip()
    _save("problem.withdraw", family, f"problem {problem.id}")


def record_essentials(family, essential_ids, in_place_on):
    rows = [
        EssentialRecord(
            family_id=family.id, essential_id=essential_id, in_place_on=in_place_on, recorded_by_id=current_user.id
        )
        for essential_id in essential_ids
    ]
    db.session.add_all(rows)
    db.session.flush()
    _save("essentials.record", family, f"essential records {', '.join(str(row.id) for row in rows)}")


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
    added_rows = [
        FamilyPlanOutcome(
            family_id=family.id, outcome_id=o, version=versions.get(o, 0) + 1, recorded_by_id=current_user.id
        )
        for o in added
    ]
    removed_rows = [
        FamilyPlanOutcome(
            family_id=family.id,
            outcome_id=o,
            version=versions[o] + 1,
            removed=True,
            reason=(reason or "").strip(),
            recorded_by_id=current_user.id,
        )
        for o in removed
    ]
    db.session.add_all(added_rows + removed_rows)
    try:
        db.session.flush()
    except IntegrityError:  # (family, outcome, version) is unique
        db.session.rollback()
        raise PlanChangedMeanwhile from None

    def listed(rows):
        return ", ".join(str(row.id) for row in rows) or "none"

    # Row ids only: the reason is case data, kept in the row itself.
    _save(
        "plan-outcomes.set",
        family,
        f"added plan outcome records {listed(added_rows)}; removed plan outcome records {listed(removed_rows)}",
    )


def set_engaged(family, engaged_on):
    family.engaged_on = engaged_on
    _save("family.engaged", family, "")


def attach_agency(family, agency):
    membership = TeamMembership(family_id=family.id, agency_id=agency.id, attached_by_id=current_user.id)
    db.session.add(membership)
    db.session.flush()
    _save("team.attach", family, f"team membership {membership.id}")


def detach_agency(family, membership):
    membership.ended_at = utcnow()
    _save("team.detach", family, f"team membership {membership.id}")


def review_evidence(family, evidence, decision, reason) -> Review | None:
    """Accept or return one version (who may is portal.evidence.duties' answer, asked by the view).

    None if the version already has a decision: one per version, enforced by a
    unique index, so of two reviews sent at the same moment only the first is saved.
    """
    review = Review(
        evidence_id=evidence.id, decision=decision, reason=(reason or "").strip(), reviewed_by_id=current_user.id
    )
    db.session.add(review)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None
    if decision != "accepted":
        from ..notify import events

        events.evidence_returned(family, evidence, current_user)
    _save(
        f"evidence.{'accept' if decision == 'accepted' else 'return'}",
        family,
        f"evidence {evidence.id} v{evidence.version}",
    )
    return review


def close_case(family, closed_on):
    closure = CaseClosure(family_id=family.id, closed_on=closed_on, recorded_by_id=current_user.id)
    db.session.add(closure)
    db.session.flush()
    _save("case.close", family, f"closure {closure.id}")


def reopen_case(family, reason):
    closure = CaseClosure(
        family_id=family.id, closed_on=None, reopened=True, reason=reason.strip(), recorded_by_id=current_user.id
    )
    db.session.add(closure)
    db.session.flush()
    _save("case.reopen", family, f"closure {closure.id}")
