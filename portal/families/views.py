"""The family list, adding a family, the family page and its live verdict."""

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit, casefile
from ..access import READERS, family_access, roles
from ..admin.plans import open_plan_ids
from ..boundaries.pages import requested_page
from ..forms.fields import options
from ..roles import VERDICT_READERS, Role
from . import bp, changes, listing, matches, page, standing
from .choices import plan_choices, plan_open_from
from .forms import FamilyForm
from .support import done, is_htmx


@bp.get("/")
@roles(*READERS)
def index():
    search = request.args.get("q", "")
    filters = listing.filters_from(request.args, current_user)
    page = listing.page_of(
        current_user, search, requested_page(), status=filters.status or None, by_status=filters.sort == "status"
    )
    # Whether they searched, never what for: a search term is case data (portal/audit/details.py).
    said = [
        "search" if search else "",
        f"status {filters.status}" if filters.status else "",
        f"sorted by {filters.sort}" if filters.sort != "reference" else "",
        f"page {page.number}" if page.number > 1 else "",
    ]
    audit.save(current_user, "family.list", detail="; ".join(filter(None, said)))
    template = "families/_rows.html" if is_htmx() else "families/index.html"
    pages = listing.pagination(page, lambda n: url_for("families.index", q=search or None, **filters.query(), page=n))
    html = render_template(
        template,
        page=page,
        rows=page.rows,
        pages=pages,
        search=search,
        filters=filters,
        statuses=listing.VERDICT_STATUSES,
        sorts=listing.SORTS,
        htmx=is_htmx(),
        page_title="Families",
    )
    return html, 400 if filters.errors else 200


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.LEAD_PROFESSIONAL)
def new():
    form = FamilyForm()
    form.plan.choices = options(plan_choices(open_plan_ids()))
    form.open_from = plan_open_from()
    warning = None
    if form.validate_on_submit():
        found = matches.for_new_family(current_user, form.case_system_ref.data)
        if not found or found.confirmed_by(form.confirmed.data):
            family = changes.create_family(
                form.name.data, form.plan.data, form.engaged_on.data, form.case_system_ref.data, found
            )
            return done(family, f"Family {family.ref} added. You are its lead professional.")
        warning = changes.warn_of_matches(found)
        form.confirmed.data, form.submit.label.text = found.digest(), "Create the family anyway"
    return render_template("families/new.html", form=form, warning=warning, page_title="Add a family")


@bp.get("/<id:family_id>")
@family_access(*READERS)
def show(family):
    return render_template(
        "families/show.html", page_title=f"Family {family.ref}", **page.page_data(family, current_user)
    )


@bp.get("/<id:family_id>/submissions")
@family_access(*READERS, action="evidence.list")
def evidence_list(family):
    """Every evidence item of the family (the latest version of each, newest first), a page at a time."""
    data = page.evidence_page(family, current_user, requested_page())
    pages = listing.pagination(data["page"], lambda n: url_for("families.evidence_list", family_id=family.id, page=n))
    pages["landmarkLabel"] = "Pages of evidence"
    template = "families/_evidence_list.html" if is_htmx() else "families/evidence_list.html"
    return render_template(template, pages=pages, page_title=f"Evidence – family {family.ref}", **data)


@bp.get("/<id:family_id>/verdict")
@family_access(*VERDICT_READERS)
def verdict(family):
    """The verdict alone, for HTMX; without JavaScript, the family page at the verdict."""
    if not is_htmx():
        return redirect(url_for("families.show", family_id=family.id, _anchor="verdict"))
    verdict, claims = standing.view_and_claims(family)
    return render_template(
        "families/_verdict.html",
        family=family,
        plan=casefile.plan_for(family),
        verdict=verdict,
        claims=claims,
        announce=True,
    )
