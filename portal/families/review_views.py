"""The lead professional accepts or returns partners' evidence."""

from flask import abort, render_template

from .. import casefile
from ..access import family_access
from ..extensions import db
from ..models import Evidence
from . import bp, changes, page
from .forms import ReviewForm
from .review_data import submission_check, value_rows
from .support import back_to_family, done


@bp.get("/<id:family_id>/reviews")
@family_access("lead_professional")
def reviews(family):
    lines = page.awaiting_review(family)
    forms = {line.latest.id: ReviewForm(prefix=f"e{line.latest.id}", formdata=None) for line in lines}
    return render_template("families/reviews.html", family=family, plan=casefile.plan_for(family),
                           lines=lines, forms=forms, names=page.member_names(family),
                           page_title=f"Evidence to review – family {family.ref}")


@bp.route("/<id:family_id>/reviews/<id:evidence_id>", methods=["GET", "POST"])
@family_access("lead_professional", action="evidence.review.form")
def review(family, evidence_id):
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.family_id != family.id:
        abort(404)
    if evidence.status != "submitted":
        return back_to_family(family, f"Evidence {evidence.id} cannot be reviewed: only the latest version of a "
                                      "submission that is awaiting review can be.")
    form = ReviewForm(prefix=f"e{evidence.id}")
    if form.validate_on_submit():
        changes.review_evidence(family, evidence, form.decision.data, form.reason.data)
        return done(family, f"Evidence for outcome {evidence.outcome_id} {form.decision.data}")
    return render_template("families/review.html", family=family, plan=casefile.plan_for(family),
                           evidence=evidence, form=form, names=page.member_names(family),
                           values=value_rows(family, evidence), check=submission_check(family, evidence),
                           page_title=f"Review evidence – family {family.ref}")
