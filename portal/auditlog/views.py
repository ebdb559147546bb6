"""The audit log, for admins and verifiers. Read-only: audit rows are append-only.

Admins run the service but do not see case data: they get the list of families
(reference, plan, lead professional: no family name) and each family's log, whose
details hold ids and action words only (portal/audit/details.py), nothing more.
Verifiers, who read every case anyway, also see family names.
"""

from flask import abort, render_template, request
from flask_login import current_user

from .. import audit
from ..access import roles
from ..audit import details
from ..extensions import db
from ..models import Family
from ..models.people import ROLES
from ..roles import Role
from ..rules.plan import load_plans
from . import bp, queries
from .forms import AuditFilterForm
from .paging import page_of, pagination_params


@bp.get("/audit/families")
@roles(Role.ADMIN, Role.VERIFIER)
def families():
    page = page_of(queries.families())
    _record_read(None, page)
    return render_template("audit/families.html", page_title="Families and audit", page=page,
                           show_names=sees_case_data(),
                           plan_titles=_plan_titles(page.items),
                           pagination=pagination_params(page, "audit.families"))


@bp.get("/families/<id:family_id>/audit")
@roles(Role.ADMIN, Role.VERIFIER)
def family_log(family_id):
    # Not family_access: admins may read the log of a family they cannot see.
    family = db.session.get(Family, family_id) or abort(404)
    page = page_of(queries.family_events(family))
    _record_read(family, page)
    return render_template("audit/family_log.html", page_title=f"Audit log for {family.ref}",
                           show_names=sees_case_data(),
                           family=family, page=page, roles=ROLES,
                           pagination=pagination_params(page, "audit.family_log", family_id=family.id))


@bp.get("/audit")
@roles(Role.ADMIN)
def index():
    form = AuditFilterForm(request.args, db.session.scalars(queries.action_names()).all())
    if not form.validate():
        return render_template("audit/index.html", page_title="Audit log", form=form, page=None)
    chosen = {"action": form.action.data, "email": (form.email.data or "").strip()}
    filters = {name: value for name, value in chosen.items() if value}
    page = page_of(queries.service_events(**filters))
    _record_read(None, page, filters)
    return render_template("audit/index.html", page_title="Audit log", form=form, page=page, roles=ROLES,
                           family_refs=queries.family_refs(page.items),
                           pagination=pagination_params(page, "audit.index", **filters))


@bp.app_template_filter("audit_detail")
def audit_detail(detail):
    return details.shown(detail)


def sees_case_data() -> bool:
    return current_user.role != Role.ADMIN  # admins run the service, not cases


def _record_read(family, page, filters=()):
    # Who read the log is itself part of the log: which page, and which filters (not what was typed).
    said = [details.request_detail(), f"filtered by {', '.join(sorted(filters))}" if filters else "",
            f"page {page.page}" if page.page > 1 else ""]
    audit.save(current_user, "audit.read", family, detail="; ".join(filter(None, said)))


def _plan_titles(families):
    known = load_plans()
    # A plan file since removed leaves only its id to show.
    return {f.plan_id: f"{known[f.plan_id].council}: {known[f.plan_id].title}" if f.plan_id in known else f.plan_id
            for f in families}
