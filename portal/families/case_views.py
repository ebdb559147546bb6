"""The lead professional records the case's essentials, the family's own plan,
engagement, closure and reopening."""

from flask import abort

from .. import casefile
from ..access import family_access
from ..claims.ledger import family_claims
from ..roles import Role
from . import bp, changes
from .form_setup import essentials_form, first_found_at_engagement, plan_outcomes_form
from .forms import CloseForm, EngagedForm, ReopenForm
from .member_views import form_page
from .support import back_to_family as back
from .support import done, while_open

FAMILY_PLAN_RULE = "every_outcome_in_family_plan"


@bp.route("/<id:family_id>/essentials", methods=["GET", "POST"])
@family_access(Role.LEAD_PROFESSIONAL, action="essentials.record.form")
@while_open("record essentials")
def record_essentials(family):
    form = essentials_form(family, casefile.plan_for(family))
    if not form.essentials.choices:
        return back(family, "Every essential of this family's plan is already recorded.")
    if form.validate_on_submit():
        changes.record_essentials(family, form.essentials.data, form.in_place_on.data)
        return done(family, "Essentials recorded")
    return form_page(
        family,
        form,
        "Record essentials in place",
        intro="Essentials already recorded stay recorded and are not listed here.",
    )


@bp.route("/<id:family_id>/plan-outcomes", methods=["GET", "POST"])
@family_access(Role.LEAD_PROFESSIONAL, action="plan-outcomes.set.form")
@while_open("change the family's plan")
def plan_outcomes(family):
    plan = casefile.plan_for(family)
    if plan.rule["achievement"] != FAMILY_PLAN_RULE:
        abort(404)  # only plans whose claim rests on the family's own plan have one
    form = plan_outcomes_form(family, plan)
    if not form.outcomes.groups:
        return back(family, f"Add a {plan.term('problem')} first: the family's plan lists outcomes for them.")
    if form.validate_on_submit():
        try:
            changes.set_plan_outcomes(family, form.outcomes.data or [], form.reason.data)
        except changes.PlanChangedMeanwhile:
            return back(
                family,
                "Someone else changed the family's plan at the same time. "
                "Check the outcomes in it and change them again if you need to.",
            )
        return done(family, "The family's plan is saved")
    return form_page(family, form, "Choose the outcomes in the family's plan")


@bp.route("/<id:family_id>/engaged", methods=["GET", "POST"])
@family_access(Role.LEAD_PROFESSIONAL, action="family.engaged.form")
@while_open("record the date the family engaged")
def engaged(family):
    if family.engaged_on is not None:
        return back(family, "The date the family engaged is already recorded.")
    form, plan = EngagedForm(), casefile.plan_for(family)
    form.open_from, form.first_found_at_engagement = plan.open_from, first_found_at_engagement(family, plan)
    if form.validate_on_submit():
        changes.set_engaged(family, form.engaged_on.data)
        return done(family, "Date the family engaged saved")
    return form_page(family, form, "Record the date the family engaged")


@bp.route("/<id:family_id>/close", methods=["GET", "POST"])
@family_access(Role.LEAD_PROFESSIONAL, action="case.close.form")
@while_open("close the case")
def close(family):
    form = CloseForm(family)
    if form.validate_on_submit():
        changes.close_case(family, form.closed_on.data)
        return done(family, "The case is closed")
    return form_page(
        family,
        form,
        "Close the case",
        intro="Partners can still submit evidence for a closed "
        "case, and you can still review it. You can reopen the case later.",
    )


@bp.route("/<id:family_id>/reopen", methods=["GET", "POST"])
@family_access(Role.LEAD_PROFESSIONAL, action="case.reopen.form")
def reopen(family):
    if family.closed_on is None:
        return back(family, "The case is open.")
    form = ReopenForm()
    if form.validate_on_submit():
        changes.reopen_case(family, form.reason.data)
        return done(family, "The case is open again")
    return form_page(family, form, "Reopen the case", claims=family_claims(family, resting_only=True))
