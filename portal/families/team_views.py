"""The lead professional attaches partner agencies to the team around the family."""

from flask import abort

from ..access import family_access
from ..extensions import db
from ..models import Agency
from ..roles import Role
from . import bp, changes
from .form_setup import attach_form
from .forms import DetachForm
from .member_views import form_page
from .support import back_to_family, done


@bp.route("/<id:family_id>/team/new", methods=["GET", "POST"])
@family_access(Role.LEAD_PROFESSIONAL, action="team.attach.form")
def attach(family):
    form = attach_form(family)
    if not form.agency.choices:
        return back_to_family(family, "Every agency is already in the team around the family.")
    if form.validate_on_submit():
        agency = db.session.get(Agency, int(form.agency.data))
        changes.attach_agency(family, agency)
        return done(family, f"{agency.name} added to the team around the family")
    return form_page(
        family,
        form,
        "Add an agency to the team",
        intro="Partners at the agency will be able to see this family and submit evidence for it.",
    )


@bp.route("/<id:family_id>/team/<id:membership_id>/end", methods=["GET", "POST"])
@family_access(Role.LEAD_PROFESSIONAL, action="team.detach.form")
def detach(family, membership_id):
    membership = next((t for t in family.current_team if t.id == membership_id), None)
    if membership is None:
        abort(404)
    form = DetachForm()
    if form.validate_on_submit():
        changes.detach_agency(family, membership)
        return done(family, f"{membership.agency.name} removed from the team around the family")
    return form_page(
        family,
        form,
        "Remove an agency from the team",
        f"Remove {membership.agency.name} from the team",
        intro="Partners at the agency will no longer see this family. Evidence they submitted stays on the case.",
    )
