"""Asking for the closure summaries of all one's families, as one ZIP built in the background."""

from flask import flash, redirect, url_for
from flask_login import current_user

from .. import access
from ..access import roles
from ..extensions import db
from ..models import Family
from ..roles import Role
from . import bp
from .summaries_zip import start


@bp.post("/closure-summaries/zip")
@roles(Role.LEAD_PROFESSIONAL)
def summaries_zip():
    family_ids = db.session.scalars(access.visible_query(current_user).with_only_columns(Family.id)).all()
    if not family_ids:
        flash("You do not lead any families yet, so there are no closure summaries to download.")
        return redirect(url_for("families.index"))
    job = start(current_user, family_ids)
    return redirect(url_for("jobs.show", job_id=job.id))
