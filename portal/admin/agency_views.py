from flask import abort, flash, redirect, render_template, url_for

from ..access import roles
from ..extensions import db
from ..models import Agency
from ..roles import Role
from . import agencies, bp
from .forms import AgencyForm


@bp.get("/agencies", endpoint="agencies")
@roles(Role.ADMIN)
def agencies_list():
    return render_template(
        "admin/agencies.html",
        agencies=agencies.all_agencies(),
        user_counts=agencies.user_counts(),
        page_title="Agencies",
    )


@bp.route("/agencies/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_agency():
    form = AgencyForm()
    if form.validate_on_submit():
        agency = agencies.create_agency(form.name.data, form.kind.data)
        flash(f"{agency.name} added", "success")
        return redirect(url_for("admin.agencies"))
    return render_template("admin/agency_form.html", form=form, page_title="Add an agency")


@bp.route("/agencies/<id:agency_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_agency(agency_id):
    agency = db.session.get(Agency, agency_id) or abort(404)
    form = AgencyForm(agency=agency)
    if form.validate_on_submit():
        agencies.update_agency(agency, form.name.data, form.kind.data)
        flash(f"{agency.name} saved", "success")
        return redirect(url_for("admin.agencies"))
    return render_template("admin/agency_form.html", form=form, agency=agency, page_title=f"Change {agency.name}")
