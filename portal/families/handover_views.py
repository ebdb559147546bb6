"""The lead professional hands a family to another lead professional."""

from flask import flash, redirect, url_for
from flask_login import current_user

from .. import handover
from ..access import family_access
from ..roles import Role
from . import bp
from .forms import HandoverForm
from .member_views import form_page
from .support import back_to_family


@bp.route("/<id:family_id>/hand-over", methods=["GET", "POST"])
@family_access(Role.LEAD_PROFESSIONAL, action="family.handover.form")
def hand_over(family):
    form = HandoverForm()
    form.lead.choices = handover.lead_options(family.lead_professional)
    if not form.lead.choices:
        return back_to_family(
            family, "There is no other active lead professional to hand the family to. An admin can add one."
        )
    if form.validate_on_submit():
        new_lead = handover.successor(int(form.lead.data))
        handover.hand_over([family], new_lead, current_user)
        flash(f"Family {family.ref} is now led by {new_lead.name}. It is no longer in your list.", "success")
        return redirect(url_for("families.index"))
    return form_page(
        family,
        form,
        "Hand over the family",
        intro="The new lead professional sees the family "
        "straight away, with everything recorded so far. You will no longer see it.",
    )
