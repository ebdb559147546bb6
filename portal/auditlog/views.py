"""The audit log, for admins, verifiers and (their own families only) lead professionals. Read-only.

Admins run the service but do not see case data: they get the list of families
(reference, plan, lead professional: no family name) and each family's log, whose
details hold ids and action words only (portal/audit/details.py), nothing more.
Verifiers, who read every case anyway, also see family names; a lead
professional reads the log of a family they lead. Each log can be narrowed to
UK dates and downloaded as CSV (portal/audit/export.py); every read and every
download is itself recorded.
"""

from flask import Response, abort, render_template, request, stream_with_context
from flask_login import current_user

from .. import audit
from ..access import can_see, refuse, roles
from ..audit import actions, details, export
from ..extensions import db
from ..models import Family
from ..models.people import ROLES
from ..roles import Role
from ..rules.plan import load_plans
from . import bp, queries
from .forms import AuditFilterForm, DatesFilterForm
from .paging import page_of, pagination_params

FAMILY_LOG_READERS = (Role.ADMIN, Role.VERIFIER, Role.LEAD_PROFESSIONAL)


@bp.get("/audit/families")
@roles(Role.ADMIN, Role.VERIFIER)
def families():
    page = page_of(queries.families())
    _record_read(None, page)
    return render_template(
        "audit/families.html",
        page_title="Families and audit",
        page=page,
        show_names=sees_case_data(),
        plan_titles=_plan_titles(page.items),
        pagination=pagination_params(page, "audit.families"),
    )


@bp.get("/families/<id:family_id>/audit")
@roles(*FAMILY_LOG_READERS)
def family_log(family_id):
    family = _log_family(family_id)
    form = DatesFilterForm(request.args)
    if not form.validate():
        return render_template(
            "audit/family_log.html",
            page_title=f"Audit log for {family.ref}",
            form=form,
            show_names=sees_case_data(),
            family=family,
            page=None,
            filters={},
        )
    filters = form.filters()
    page = page_of(queries.family_events(family, **filters))
    _record_read(family, page, filters)
    return render_template(
        "audit/family_log.html",
        page_title=f"Audit log for {family.ref}",
        form=form,
        show_names=sees_case_data(),
        family=family,
        page=page,
        roles=ROLES,
        filters=_link_args(filters),
        pagination=pagination_params(page, "audit.family_log", family_id=family.id, **_link_args(filters)),
    )


@bp.get("/families/<id:family_id>/audit/log.csv")
@roles(*FAMILY_LOG_READERS)
def family_log_csv(family_id):
    family = _log_family(family_id)
    form = DatesFilterForm(request.args)
    if not form.validate():
        abort(400)
    filters = form.filters()
    _record_export(family, filters)
    name = family.name if sees_case_data() else None
    return _csv(export.rows(queries.family_events(family, **filters), family_name=name), f"audit-log-{family.ref}.csv")


@bp.get("/audit")
@roles(Role.ADMIN)
def index():
    form = AuditFilterForm(request.args, db.session.scalars(queries.action_names()).all())
    if not form.validate():
        return render_template("audit/index.html", page_title="Audit log", form=form, page=None, filters={})
    filters = form.filters()
    page = page_of(queries.service_events(**filters))
    _record_read(None, page, filters)
    return render_template(
        "audit/index.html",
        page_title="Audit log",
        form=form,
        page=page,
        roles=ROLES,
        family_refs=queries.family_refs(page.items),
        filters=_link_args(filters),
        pagination=pagination_params(page, "audit.index", **_link_args(filters)),
    )


@bp.get("/audit/log.csv")
@roles(Role.ADMIN)
def index_csv():
    form = AuditFilterForm(request.args, db.session.scalars(queries.action_names()).all())
    if not form.validate():
        abort(400)
    filters = form.filters()
    _record_export(None, filters)
    return _csv(export.rows(queries.service_events(**filters)), "audit-log-service.csv")


@bp.app_template_filter("audit_detail")
def audit_detail(detail):
    return details.shown(detail)


@bp.app_template_filter("audit_action")
def audit_action(action):
    return actions.words(action)


def sees_case_data() -> bool:
    return current_user.role != Role.ADMIN  # admins run the service, not cases


def _log_family(family_id) -> Family:
    # Not family_access: admins may read the log of a family they cannot see.
    family = db.session.get(Family, family_id) or abort(404)
    if current_user.role == Role.LEAD_PROFESSIONAL and not can_see(current_user, family):
        refuse("family.access-refused", family)  # only the log of a family they lead
    return family


def _link_args(filters) -> dict:
    """Filters as the query string of links: a date as its three boxes (date_from=27&date_from=3&...)."""
    args = {}
    for name, value in filters.items():
        args[name] = [value.day, value.month, value.year] if hasattr(value, "year") else value
    return args


def _said(filters) -> str:
    return f"filtered by {', '.join(sorted(filters))}" if filters else ""


def _record_read(family, page, filters=()):
    # Who read the log is itself part of the log: which page, and which filters (not what was typed).
    said = [details.request_detail(), _said(filters), f"page {page.page}" if page.page > 1 else ""]
    audit.save(current_user, "audit.read", family, detail="; ".join(filter(None, said)))


def _record_export(family, filters):
    audit.save(
        current_user, "audit.export", family, detail="; ".join(filter(None, [details.request_detail(), _said(filters)]))
    )


def _csv(lines, name) -> Response:
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _plan_titles(families):
    known = load_plans()
    # A plan file since removed leaves only its id to show.
    return {
        f.plan_id: f"{known[f.plan_id].council}: {known[f.plan_id].title}" if f.plan_id in known else f.plan_id
        for f in families
    }
