"""Partners (and lead professionals) submit and correct evidence; verifiers read it.

Views stay thin: which outcomes are open, whether the input is acceptable and
what it shows are the rules engine's answers (portal.casefile), and who may
see or correct a version is portal/evidence/records.py.
"""

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit, casefile
from ..access import READERS, family_access
from ..audit import live as live_checks
from ..auth.kept_forms import kept_for_this_page
from ..boundaries.ids import parse_id
from ..documents import service as documents
from ..roles import Role
from . import bp, display, duties, reading, records
from .forms import evidence_form, form_data, route, routes
from .steps import outcome_groups, step_for

SUBMITTERS = (Role.PARTNER, Role.LEAD_PROFESSIONAL)


@bp.url_value_preprocessor
def allow_documents(endpoint, _values):
    # The forms that carry documents may be larger than the portal's other requests.
    if endpoint in DOCUMENT_FORMS:
        request.max_content_length = current_app.config["DOCUMENTS_MAX_REQUEST_BYTES"]


DOCUMENT_FORMS = ("evidence.new", "evidence.correct", "evidence.check")


@bp.errorhandler(413)
def too_large(_error):
    """A request over the limit cannot be read, so the form cannot be shown again: say why, and link back."""
    args = request.view_args or {}
    back = (
        url_for("evidence.correct", **args)
        if request.endpoint == "evidence.correct"
        else url_for("evidence.new", family_id=args.get("family_id"))
    )
    limits = current_app.config
    if (request.content_length or 0) <= limits["DOCUMENTS_MAX_REQUEST_BYTES"]:
        # Under the limit for files, so a box of text was over what a form field may hold.
        title, anchor = "The text you typed is too long", "#statement"
        message = (
            f"The text you typed is too long to read. A statement must be {reading.STATEMENT_MAX:,} characters "
            f"or fewer, and every other box {reading.LINE_MAX:,}. Nothing was saved"
        )
    else:
        title, anchor = "The files you attached are too large", "#documents"
        message = (
            f"The files you attached are too large. Each file must be smaller than "
            f"{documents.megabytes(limits['DOCUMENTS_MAX_FILE_BYTES'])}, and all of them together smaller than "
            f"{documents.megabytes(limits['DOCUMENTS_MAX_REQUEST_BYTES'])}. Nothing was saved"
        )
    return render_template(
        "evidence/too_large.html",
        message=message,
        back=back,
        anchor=anchor,
        has_errors=True,
        page_title=title,
    ), 413


@bp.context_processor
def helpers():
    config = current_app.config
    return {
        "long_date": display.long_date,
        "age": display.age,
        "field_hint": display.field_hint,
        "document_size": display.size,
        "document_limits": {
            "file": documents.megabytes(config["DOCUMENTS_MAX_FILE_BYTES"]),
            "count": config["DOCUMENTS_MAX_FILES"],
        },
    }


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
    uploads = read_documents(family, form)
    return render_form(form) if form.errors else save_new(family, submission, uploads, form.finding)


@bp.post("/check")
@family_access(*SUBMITTERS, action="evidence.check")
def check(family):
    """The live check (HTMX partial); without JavaScript, the whole form with the check's results."""
    if request.headers.get("HX-Request"):  # as the partner types: counted, not a commit per keystroke
        live_checks.count(family, request.form.get("outcome", "")[:40])
    step = step_for(family, request.form, posted=True)
    if step.name != "form":
        return check_partial(step.errors) if request.headers.get("HX-Request") else choose(family, step)
    form = evidence_form(family, step.outcome, step.option, form_data(request.form))
    reading.check(form)
    if request.headers.get("HX-Request"):  # the page shows an error summary: list the problems once
        return render_template(
            "evidence/_check.html", form=form, live=True, summary_shown=request.form.get("error-summary-shown") == "yes"
        )
    correcting = parse_id(request.args.get("correcting"))
    return render_form(form, correcting and records.visible_evidence(family, correcting, current_user))


@bp.get("/<id:evidence_id>")
@family_access(*READERS, action="evidence.read")
def show(family, evidence_id):
    evidence = records.latest(records.visible_evidence(family, evidence_id, current_user))
    versions = [(v, records.members_named(v), display.value_rows(family, v)) for v in evidence.history]
    can_correct = duties.may_correct(current_user, evidence) and records.correction_refusal(evidence) is None
    held = (
        evidence.status == "submitted"
        and duties.review_refusal(current_user, family, evidence) == duties.PM_MUST_REVIEW
    )
    return render_template(
        "evidence/show.html",
        family=family,
        evidence=evidence,
        versions=versions,
        route=route_label(family, evidence),
        can_correct=can_correct,
        review_note=duties.PM_MUST_REVIEW if held else None,
        page_title=f"Evidence for outcome {evidence.outcome_id}",
    )


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
    uploads = read_documents(family, form)
    form.keep = documents.keep_ids(request.form)
    if form.errors:
        return render_form(form, evidence)
    return save_correction(family, evidence, submission, uploads, form.keep, form.finding)


def correction_form(family, evidence):
    """The form for the version's outcome and route, prefilled from it (GET) or as posted."""
    outcome = casefile.plan_for(family).outcome_by_id[evidence.outcome_id]
    kept = kept_for_this_page() if request.method == "GET" else None
    form = evidence_form(family, outcome, evidence.option, form_data(kept if kept is not None else request.form))
    if request.method == "GET" and kept is None:
        form.data = reading.data_from(evidence, form)
    return form


def read_documents(family, form):
    """The checked files of this request; their errors go on the form (a virus is audited at once)."""
    files = request.files.getlist(documents.FIELD)
    checked = documents.check_files(files)
    form.errors.extend((documents.FIELD, message) for message in checked.errors)
    form.files_chosen = any(f.filename for f in files)
    if checked.infected:
        documents.audit_refusal(family, checked, current_user)
    return checked.uploads


@bp.get("/<id:evidence_id>/documents/<id:document_id>")
@family_access(*READERS, action="document.download")
def document(family, evidence_id, document_id):
    """One document, always as a download (never shown inline); audited as a read of the family."""
    evidence = records.visible_evidence(family, evidence_id, current_user)
    row = documents.document_of(evidence, document_id)
    if row is None:
        abort(404)
    try:
        data = documents.read(row)
    except documents.Damaged as error:  # missing, or no longer the bytes that were scanned
        current_app.logger.error("document not served: %s", error)
        abort(500)
    return Response(
        data,
        mimetype=row.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{row.download_name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


def save_new(family, submission, uploads=(), finding=None):
    try:
        evidence = records.submit(family, submission, current_user, uploads, key=request.form.get("form_key"))
    except records.SentAlready as sent:
        on = display.long_date(sent.evidence.submitted_at.date())
        flash(
            f"The same evidence for outcome {sent.evidence.outcome_id} (the same period, values and statement"
            f"{', and the same files' if uploads else ''}) was submitted already, on {on}. It has not been saved again."
            if sent.same
            else f"This form was sent more than once. The evidence for outcome {sent.evidence.outcome_id} was saved "
            f"the first time, on {on}, and has not been saved again."
        )
        return redirect(url_for("families.show", family_id=family.id))
    said(f"Evidence for outcome {evidence.outcome_id} submitted", evidence, finding)
    return redirect(url_for("families.show", family_id=family.id))


def said(done, evidence, finding):
    """Saved, and what the rules engine says of it: a green "Success" only when it meets the outcome;
    evidence that does not meet it yet is said so plainly, in the engine's words, in an ordinary
    (blue, "Important") notification banner."""
    if finding is None or finding.met:
        flash(done, "success")
        return
    flash(
        f"{done}, but it does not meet outcome {evidence.outcome_id} yet: {finding.reason}. "
        "It will still be reviewed; you can correct it or add more evidence."
    )


def save_correction(family, previous, submission, uploads=(), keep=frozenset(), finding=None):
    evidence = records.correct(family, previous, submission, current_user, uploads, keep)
    if evidence is None:  # someone else corrected this version first
        flash("This evidence was corrected by someone else at the same time. Check the latest version.")
        return redirect(url_for(".show", family_id=family.id, evidence_id=previous.id))
    said(f"Evidence for outcome {evidence.outcome_id} corrected (version {evidence.version})", evidence, finding)
    return redirect(url_for(".show", family_id=family.id, evidence_id=evidence.id))


def choose(family, step):
    """Step 1 (the outcome) or, for outcomes shown several ways, step 2 (the route)."""
    common = {"family": family, "errors": step.errors, "has_errors": bool(step.errors)}
    if step.name == "option":
        return render_template(
            "evidence/choose_route.html",
            outcome=step.outcome,
            routes=routes(step.outcome),
            page_title=f"How does this evidence show outcome {step.outcome.id}?",
            **common,
        )
    return render_template(
        "evidence/choose_outcome.html",
        groups=outcome_groups(family),
        page_title="Which outcome is this evidence for?",
        **common,
    )


def check_partial(errors):
    return render_template("evidence/_check.html", form=None, errors=errors, live=True)


def render_form(form, correcting=None):
    verb = "Correct evidence" if correcting else "Submit evidence"
    return render_template(
        "evidence/form.html",
        form=form,
        family=form.family,
        correcting=correcting,
        form_key=records.form_key(request.form if request.method == "POST" else None),
        page_title=f"{verb} for outcome {form.outcome.id}",
    )


def route_label(family, evidence) -> str | None:
    outcome = casefile.plan_for(family).outcome_by_id.get(evidence.outcome_id)
    chosen = route(outcome, evidence.option) if outcome else None
    return chosen["label"] if chosen else None
