"""An admin hands a lead professional's families to another (someone leaving, or changing role)."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from .. import audit, handover
from ..access import roles
from ..forms.fields import options
from ..roles import Role
from . import bp
from .forms import HandoverForm
from .user_views import user_or_404
from .users import describe


@bp.route("/users/<id:user_id>/families", methods=["GET", "POST"])
@roles(Role.ADMIN)
def families_led(user_id):
    account = user_or_404(user_id)
    families = handover.led_by(account)
    form = HandoverForm(data={"families": [str(f.id) for f in families]})  # all ticked at first
    form.families.choices = options((str(f.id), f"{f.ref} ({f.plan_id})") for f in families)
    form.lead.choices = handover.lead_options(account)
    if form.validate_on_submit():
        chosen = [f for f in families if str(f.id) in form.families.data]
        new_lead = handover.successor(int(form.lead.data))
        handover.hand_over(chosen, new_lead, current_user)
        flash(f"{_families(len(chosen))} handed over to {new_lead.name}", "success")
        return redirect(url_for("admin.user", user_id=account.id))
    # Admins see no case, but family references are family data: the read is audited.
    audit.save(current_user, "family.list", detail=f"families led by {describe(account)}")
    return render_template(
        "admin/handover.html",
        account=account,
        form=form,
        families=families,
        page_title=f"Hand over {account.name}’s families",
    )


def _families(n: int) -> str:
    return f"{n} {'family' if n == 1 else 'families'}"
