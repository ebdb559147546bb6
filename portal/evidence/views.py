"""Partners (and lead professionals) submit and correct evidence; verifiers read it.

Views stay thin: which outcomes are open, whether the input is acceptable and
what it shows are the rules engine's answers (portal.casefile), and who may
see or correct a version is portal/evidence/records.py.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit, casefile
from ..access import READERS, family_access
from ..auth.kept_forms import kept_for_this_page
from ..boundaries.ids import parse_id
from ..roles import Role
from . import bp, display, duties, reading, records
from .forms import evidence_form, form_data, route, routes
from .steps import outcome_groups, step_for

SUBMITTERS = (Role.PARTNER, Role.LEAD_PROFESSIONAL)


@bp.context_processor
def helpers():
    return {"long_date": display.long_date, "age": display.age, "field_hint": display.field_hint}


@bp.route("/new", methods=["GET", "POST"])
@family_access(*SUBMITTERS, action="evidence.form")
def new(family):
    posted = request.method == "POST"
    # A form sent after the session ended comes back filled in once signed in again (portal/auth/kept_forms.py).
    kept = None if posted else kept_for_this_page()
    typed = request.form if posted else kept
    step = step_for(family, typed if typed is not None else request.args, posted or kept is not None)
    if step.name != "form":
        return choose(family, step)
    form = evidence_form(family, step.outcome, step.option, form_data(typed if typed is not None else request.form))
    if request.method == "GET":
        return render_form(form)
    submission = reading.check(form)
    return render_form(form) if form.errors else save_new(family, submission)


@bp.post("/check")
@family_access(*SUBMITTERS, action="evidence.check")
def check(family):
    """The live check (HTMX partial); without JavaScript, the whole form with the check's results."""
    step = step_for(family, request.form, posted=True)
    if step.name != "form":
        return check_partial(step.errors) if request.headers.get("HX-Request") else choose(family, step)
    form = evidence_form(family, step.outcome, step.option, form_data(request.form))
    reading.check(form)
    if request.headers.get("HX-Request"):
        return render_template("evidence/_check.html", form=form)
    correcting = parse_id(request.args.get("correcting"))
    return render_form(form, correcting and records.visible_evidence(family, correcting, current_user))


@bp.get("/<id:evidence_id>")
@family_access(*READERS, action="evidence.read")
def show(family, evidence_id):
    evidence = records.latest(records.visible_evidence(family, evidence_id, current_user))
    versions = [(v, records.members_named(v), display.value_rows(family, v)) for v in evidence.history]
    can_correct = duties.may_correct(current_user, evidence) and records.correction_refusal(evidence) is None
    held = evidence.status == "submitted" and duties.review_refusal(current_user, family, evidence) == duties.PM_MUST_REVIEW
    return render_template("evidence/show.html", family=family, evidence=evidence, versions=versions,
                           route=route_label(family, evidence), can_correct=can_correct,
                           review_note=duties.PM_MUST_REVIEW if held else None,
                           page_title=f"Evidence for outcome {evidence.outcome_id}")


@bp.route("/<id:evidence_id>/correct", methods=["GET", "POST"])
@family_access(*SUBMITTERS, action="evidence.form")
def correct(family, evidence_id):
    evidence = records.visible_evidence(family, evidence_id, current_user)
    not_theirs = duties.correct_refusal(current_user, evidence)
    if not_theirs:  # only the submitting agency corrects its evidence
        audit.save(current_user, "evidence.correct-refused", family, f"evidence {evidence.id} v{evidence.version}")
        flash(not_theirs)
        return redirect(url_for(".show", family_id=family.id, evidence_id=records.latest(evidence).id))
    refusal = records.correction_refusal(evidence)
    if refusal:
        flash(refusal)
        return redirect(url_for(".show", family_id=family.id, evidence_id=records.latest(evidence).id))
    form = correction_form(family, evidence)
    if request.method == "GET":
        return render_form(form, evidence)
    submission = reading.check(form)
    return render_form(form, evidence) if form.errors else save_correction(family, evidence, submission)


def correction_form(family, evidence):
    """The form for the version's outcome and route, prefilled from it (GET) or as posted."""
    outcome = casefile.plan_for(family).outcome_by_id[evidence.outcome_id]
    kept = kept_for_this_page() if request.method == "GET" else None
    form = evidence_form(family, outcome, evidence.option, form_data(kept if kept is not None else request.form))
    if request.method == "GET" and kept is None:
        form.data = reading.data_from(evidence, form)
    return form


def save_new(family, submission):
    evidence = records.submit(family, submission, current_user)
    flash(f"Evidence for outcome {evidence.outcome_id} submitted", "success")
    return redirect(url_for("families.show", family_id=family.id))


def save_correction(family, previous, submission):
    evidence = records.correct(family, previous, submission, current_user)
    if evidence is None:  # someone else corrected this version first
        flash("This evidence was corrected by someone else at the same time. Check the latest version.")
        return redirect(url_for(".show", family_id=family.id, evidence_id=previous.id))
    flash(f"Evidence for outcome {evidence.outcome_id} corrected (version {evidence.version})", "success")
    return redirect(url_for(".show", family_id=family.id, evidence_id=evidence.id))


def choose(family, step):
    """Step 1 (the outcome) or, for outcomes shown several ways, step 2 (the route)."""
    common = {"family": family, "errors": step.errors, "has_errors": bool(step.errors)}
    if step.name == "option":
        return render_template("evidence/choose_route.html", outcome=step.outcome,
                               routes=routes(step.outcome),
                               page_title=f"How does this evidence show outcome {step.outcome.id}?", **common)
    return render_template("evidence/choose_outcome.html", groups=outcome_groups(family),
                           page_title="Which outcome is this evidence for?", **common)


def check_partial(errors):
    return render_template("evidence/_check.html", form=None, errors=errors)


def render_form(form, correcting=None):
    verb = "Correct evidence" if correcting else "Submit evidence"
    return render_template("evidence/form.html", form=form, family=form.family, correcting=correcting,
                           page_title=f"{verb} for outcome {form.outcome.id}")


def route_label(family, evidence) -> str | None:
    outcome = casefile.plan_for(family).outcome_by_id.get(evidence.outcome_id)
    chosen = route(outcome, evidence.option) if outcome else None
    return chosen["label"] if chosen else None
