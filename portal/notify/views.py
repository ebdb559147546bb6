"""The admin's outbox page and each user's choice of e-mails (a daily digest or each message)."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from .. import audit
from ..access import roles, signed_in
from ..auditlog.paging import page_of, pagination_params
from ..models import Notification
from ..roles import Role
from . import bp
from .forms import EmailPreferenceForm
from .preferences import set_digest

STATUS_WORDS = {
    "pending": "Waiting to be sent",
    "held": "Waiting for the daily digest",
    "digested": "Sent in a daily digest",
    "sent": "Sent",
    "failed": "Not sent",
}


@bp.get("/admin/outbox")
@roles(Role.ADMIN)
def outbox():
    """What the portal has e-mailed, newest first: texts hold a family reference and a link only."""
    page = page_of(sa.select(Notification).order_by(Notification.id.desc()))
    audit.save(current_user, "notify.outbox-read", detail=f"page {page.page}")
    return render_template(
        "notify/outbox.html",
        page=page,
        page_title="Outbox",
        status_words=STATUS_WORDS,
        pagination=pagination_params(page, "notify.outbox"),
    )


@bp.route("/account/e-mails", methods=["GET", "POST"])
@signed_in
def email_preference():
    form = EmailPreferenceForm(data={"how": "digest" if current_user.notify_digest else "each"})
    if form.validate_on_submit():
        set_digest(current_user, form.how.data == "digest")
        flash("Your choice of e-mails has been saved", "success")
        return redirect(url_for("account.index"))
    return render_template("notify/preference.html", form=form, page_title="E-mails about your work")
