"""Opening a claim window: its settings and the exact plan files it will decide with."""

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import ClaimWindow, ClaimWindowPlan
from ..rules.claims import phase_of
from ..rules.plan import load_plans
from .building import audit
from .plans import current_texts, sha256


def phase_for(plan_ids) -> set[str]:
    plans = load_plans()
    return {phase_of(plans[p].programme) for p in plan_ids if p in plans}


NAME_TAKEN = "A claim window with this name exists already: choose another name"


class NameTaken(Exception):
    """Another window took the name between the form's check and the save (two at once)."""


def open_window(
    user, name, claim_date, plan_ids, tolerance_percent, sample_percent, sample_minimum, minimum_intervention_days
) -> ClaimWindow:
    """Save the window with each plan's file text and hash as it is now (the form checked one phase)."""
    plans = load_plans()
    (phase,) = phase_for(plan_ids)
    window = ClaimWindow(
        name=name.strip(),
        claim_date=claim_date,
        phase=phase,
        tolerance_percent=tolerance_percent,
        sample_percent=sample_percent,
        sample_minimum=sample_minimum,
        minimum_intervention_days=minimum_intervention_days,
        created_by_id=user.id,
    )
    db.session.add(window)
    try:
        db.session.flush()
    except IntegrityError:  # the name is unique: another window took it since the form was checked
        db.session.rollback()
        raise NameTaken(NAME_TAKEN) from None
    for plan_id in sorted(plan_ids):
        plan_text, tools_text = current_texts(plan_id)
        plan = plans[plan_id]
        db.session.add(
            ClaimWindowPlan(
                window_id=window.id,
                plan_id=plan_id,
                title=f"{plan.council}: {plan.title}",
                version=plan.version or plan.date.isoformat(),
                plan_sha256=sha256(plan_text),
                plan_text=plan_text,
                tools_sha256=sha256(tools_text),
                tools_text=tools_text,
            )
        )
    audit(
        user,
        "claim.window.open",
        # Ids and plan ids only: the name is typed, and stays on the window (docs/security.md).
        detail=f"window {window.id}; plans {' '.join(sorted(plan_ids))}",
    )
    db.session.commit()
    return window
