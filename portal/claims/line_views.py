"""One claim line: its task list for verifiers, its decision, re-decision, withdrawal and spot-check pack."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import family_access, roles
from ..closure.pdf import html_to_pdf
from ..closure.service import download_name
from ..extensions import db
from ..models import LineDecision
from ..models.claims import CLAIM_TYPES, DECISIONS, REJECTION_REASONS
from ..roles import Role
from ..rules.claims import FLAGS
from . import approving, bp, ledger, redecide, spotcheck, tasks, verifying
from .building import Refused
from .forms import AnswerForm, DecisionForm, ReasonForm
from .support import CLAIM_ROLES, line_or_404, read, refused


def _common(line):
    return {
        "line": line,
        "claim": line.claim,
        "task_href": tasks.task_href,
        "flag_titles": FLAGS,
        "claim_types": CLAIM_TYPES,
        "decisions": DECISIONS,
        "reasons": REJECTION_REASONS,
    }


@bp.get("/<id:claim_id>/lines/<id:line_id>")
@roles(*CLAIM_ROLES)
def line(claim_id, line_id):
    line = line_or_404(claim_id, line_id)
    read("claim.line.read", line.family, detail=f"claim {claim_id}, line {line.id}")
    return render_template(
        "claims/line.html",
        tasks=tasks.task_list(line),
        refusal=verifying.why_not_decide(current_user, line),
        included=line in approving.included(line.claim),
        page_title=f"{line.family_ref} in claim {claim_id}",
        **_common(line),
    )


@bp.get("/<id:claim_id>/lines/<id:line_id>/check/<section>")
@roles(*CLAIM_ROLES)
def section(claim_id, line_id, section):
    line = line_or_404(claim_id, line_id)
    found = tasks.section(line, section)
    if found is None:
        abort(404)
    read(
        "claim.line.read",
        line.family,
        detail=f"claim {claim_id}, line {line.id}: check {section.replace('problem-', 'problem ')}",
    )
    others = ledger.others_holding(line) if section == "double-claim" else []
    return render_template(
        "claims/section.html",
        section=found,
        others=others,
        page_title=f"{found.title}: {line.family_ref}",
        **_common(line),
    )


@bp.route("/<id:claim_id>/lines/<id:line_id>/decision", methods=["GET", "POST"])
@roles(Role.VERIFIER)
def decide(claim_id, line_id):
    line = line_or_404(claim_id, line_id)
    refusal = verifying.why_not_decide(current_user, line)
    if refusal:
        return refused(refusal, "claims.line", line.family, claim_id=claim_id, line_id=line.id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            verifying.decide(
                line,
                current_user,
                form.decision.data,
                form.reason_code.data or None,
                form.note.data,
                seen=form.seen_decision_id(),
            )
        except Refused as refusal:
            return refused(str(refusal), "claims.line", line.family, claim_id=claim_id, line_id=line.id)
        flash(f"{line.family_ref}: {DECISIONS[form.decision.data].lower()}", "success")
        return redirect(url_for("claims.show", claim_id=claim_id, _anchor="sample"))
    if not form.is_submitted():
        form.replaces.data = str(line.decision.id) if line.decision else ""
    read("claim.line.decision.form", line.family, detail=f"claim {claim_id}, line {line.id}")
    return render_template("claims/decision.html", form=form, page_title=f"Decide {line.family_ref}", **_common(line))


@bp.get("/<id:claim_id>/lines/<id:line_id>/redecide")
@roles(*CLAIM_ROLES)
def redecided(claim_id, line_id):
    line = line_or_404(claim_id, line_id)
    then, now = redecide.as_of_claim_date(line), redecide.as_of_today(line)
    read(
        "claim.line.redecide",
        line.family,
        detail=f"claim {claim_id}, line {line.id}: {'same' if then.same_verdict else 'different'} verdict "
        f"as of the claim date; {len(now.changes)} changes since",
    )
    return render_template(
        "claims/redecide.html", then=then, now=now, page_title=f"Decide {line.family_ref} again", **_common(line)
    )


@bp.route("/<id:claim_id>/lines/<id:line_id>/withdraw", methods=["GET", "POST"])
@roles(Role.PROGRAMME_MANAGER)
def withdraw(claim_id, line_id):
    line = line_or_404(claim_id, line_id)
    form = ReasonForm()
    form.reason.label.text = f"Why is {line.family_ref} withdrawn?"
    form.submit.label.text = "Withdraw the line"
    if form.validate_on_submit():
        try:
            approving.withdraw(line, current_user, form.reason.data)
        except Refused as refusal:
            return refused(str(refusal), "claims.line", line.family, claim_id=claim_id, line_id=line.id)
        flash(f"{line.family_ref} withdrawn from claim {claim_id}: the payment is to be returned", "success")
        return redirect(url_for("claims.line", claim_id=claim_id, line_id=line.id))
    read("claim.line.withdraw.form", line.family, detail=f"claim {claim_id}, line {line.id}")
    return render_template(
        "claims/reason.html",
        form=form,
        claim=line.claim,
        heading=f"Withdraw {line.family_ref}",
        intro="Withdrawing a claimed line records a clawback: the payment for this family is "
        "returned. The family can be claimed for again only if the rules say so as of a "
        "later claim date.",
        page_title=f"Withdraw {line.family_ref}",
    )


@bp.get("/<id:claim_id>/lines/<id:line_id>/spot-check.pdf")
@roles(*CLAIM_ROLES)
def spot_check(claim_id, line_id):
    line = line_or_404(claim_id, line_id)
    pdf = html_to_pdf(spotcheck.pack_html(line, current_user))
    read("claim.spot-check.download", line.family, detail=f"claim {claim_id}, line {line.id}")
    name = download_name(line.family_ref).replace("closure-summary", f"claim-{claim_id}-spot-check")
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/families/<id:family_id>/queries/<id:decision_id>", methods=["GET", "POST"])
@family_access(Role.LEAD_PROFESSIONAL, action="claim.query.read")
def answer_query(family, decision_id):
    decision = db.session.get(LineDecision, decision_id)
    if decision is None or decision.line.family_id != family.id:
        abort(404)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            verifying.answer(decision, current_user, form.answer.data)
        except Refused as refusal:
            flash(str(refusal))
            return redirect(url_for("families.show", family_id=family.id))
        flash("Answer sent to the claim verifier", "success")
        return redirect(url_for("families.show", family_id=family.id))
    return render_template(
        "claims/answer.html",
        form=form,
        family=family,
        decision=decision,
        still_open=decision in verifying.open_queries(family),
        page_title=f"Answer a claim query about {family.ref}",
    )
