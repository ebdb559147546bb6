"""Accepting or returning evidence: the family's lead professional, or a programme manager
for evidence the lead professional submitted (portal/evidence/duties.py)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from .. import audit, casefile, verdicts
from ..access import family_access, roles
from ..evidence import duties
from ..extensions import db
from ..models import Evidence
from . import bp, changes, page, review_queue
from .forms import ReviewForm
from .review_data import submission_check, value_rows
from .support import back_to_family, done


@bp.get("/reviews")
@roles(*duties.REVIEWERS)
def review_queue_page():
    """Every submission waiting for this user's review, across the families they see."""
    items = review_queue.waiting_for(current_user)
    audit.save(current_user, "evidence.review.list", detail="GET /families/reviews")
    return render_template("families/review_queue.html", items=items, page_title="Evidence for you to review")


@bp.get("/<id:family_id>/reviews")
@family_access(*duties.REVIEWERS)
def reviews(family):
    lines, others = page.review_lines(family, current_user)
    forms = {line.latest.id: ReviewForm(prefix=f"e{line.latest.id}", formdata=None) for line in lines}
    # What the rules engine says of each, in its own words ("meets 2.1", "does not meet 2.1: ..."):
    # a check reads no evidence, so each is checked against the one case built for the request.
    said = {line.latest.id: verdicts.check_words(submission_check(family, line.latest)) for line in lines}
    return render_template(
        "families/reviews.html",
        family=family,
        plan=casefile.plan_for(family),
        lines=lines,
        forms=forms,
        others=others,
        said=said,
        names=page.member_names(family),
        page_title=f"Evidence to review – family {family.ref}",
    )


@bp.route("/<id:family_id>/reviews/<id:evidence_id>", methods=["GET", "POST"])
@family_access(*duties.REVIEWERS, action="evidence.review.form")
def review(family, evidence_id):
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.family_id != family.id:
        abort(404)
    if evidence.status != "submitted":
        return back_to_family(family, decided(evidence))
    refusal = duties.review_refusal(current_user, family, evidence)
    if refusal:
        return refused(family, evidence, refusal)
    form = ReviewForm(prefix=f"e{evidence.id}")
    if form.validate_on_submit():
        if changes.review_evidence(family, evidence, form.decision.data, form.reason.data) is None:
            return back_to_family(
                family,
                "Someone else reviewed this evidence at the same moment. "
                + decided(db.session.get(Evidence, evidence_id)),
            )
        return to_next(family, f"Evidence for outcome {evidence.outcome_id} {form.decision.data}.")
    queue = review_queue.waiting_for(current_user, judged=False)
    check = submission_check(family, evidence)
    return render_template(
        "families/review.html",
        family=family,
        plan=casefile.plan_for(family),
        evidence=evidence,
        form=form,
        names=page.member_names(family),
        values=value_rows(family, evidence),
        check=check,
        said=verdicts.check_words(check),
        after=len([i for i in queue if i.evidence.id != evidence.id]),
        page_title=f"Review evidence – family {family.ref}",
    )


def to_next(family, message):
    """After a decision the reviewer goes straight on to the next item waiting for them
    (the same family's first), not back to a list; with nothing left, to the family page."""
    following = review_queue.next_after(current_user, family)
    if following is None:
        return done(family, f"{message} Nothing else is waiting for your review.")
    flash(f"{message} This is the next evidence waiting for your review.", "success")
    return redirect(url_for("families.review", family_id=following.family.id, evidence_id=following.evidence.id))


def decided(evidence) -> str:
    """Why a version cannot be reviewed again: one decision per version, and it is final."""
    review = evidence.latest_review
    if review is not None:
        return (
            f"Evidence {evidence.id} (version {evidence.version}) was already {review.decision} "
            f"by {review.reviewed_by.name}. Nothing was changed."
        )
    return (
        f"Evidence {evidence.id} cannot be reviewed: only the latest version of a submission that is "
        "awaiting review can be."
    )


def refused(family, evidence, message):
    """Segregation of duties: say who reviews it instead, and audit the attempt."""
    audit.save(current_user, "evidence.review-refused", family, detail=f"evidence {evidence.id} v{evidence.version}")
    return back_to_family(family, message)
