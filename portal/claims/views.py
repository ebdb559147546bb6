"""Claim windows, the claimable list, building a claim, the sample, approval and submission (thin views)."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from .. import audit
from ..access import roles
from ..boundaries.pages import pagination
from ..extensions import db
from ..models import Claim, ClaimWindow
from ..models.claims import CLAIM_TYPES, REJECTION_REASONS
from ..roles import Role
from ..rules.claims import FLAGS, phase_label
from . import approving, bp, building, claimable, files, sampling
from . import jobs as claim_jobs
from .building import Refused
from .forms import ReasonForm, WindowForm
from .support import CLAIM_ROLES, claim_or_404, line_or_404, read, refused, window_or_404
from .windows import NameTaken, open_window


@bp.get("/")
@roles(*CLAIM_ROLES)
def index():
    windows = db.session.scalars(db.select(ClaimWindow).order_by(ClaimWindow.claim_date.desc())).all()
    claims = db.session.scalars(db.select(Claim).order_by(Claim.id.desc())).all()
    read("claim.list")
    return render_template(
        "claims/index.html", windows=windows, claims=claims, phase_label=phase_label, page_title="Claims"
    )


@bp.route("/windows/new", methods=["GET", "POST"])
@roles(Role.PROGRAMME_MANAGER)
def new_window():
    form = WindowForm()
    if form.validate_on_submit():
        try:
            window = open_window(
                current_user,
                form.name.data,
                form.claim_date.data,
                form.plans.data,
                form.tolerance_percent.data,
                form.sample_percent.data,
                form.sample_minimum.data,
                form.minimum_intervention_days.data,
            )
        except NameTaken as taken:
            form.name.errors.append(str(taken))  # a window of that name was opened meanwhile
        else:
            flash(f"Claim window {window.name} opened", "success")
            return redirect(url_for("claims.window", window_id=window.id))
    return render_template("claims/window_new.html", form=form, page_title="Open a claim window")


def _listing_page(window, claim=None):
    filters = claimable.Filters.from_args(request.args, window.plan_ids)
    found = claimable.listing(window, filters, request.args.get("page", 1, type=int))
    endpoint, values = ("claims.add", {"claim_id": claim.id}) if claim else ("claims.window", {"window_id": window.id})
    pages = pagination(found, lambda n: url_for(endpoint, **values, **filters.args(page=n)))
    pages["landmarkLabel"] = "Pages of the claimable list"

    def sort_href(key):
        descending = filters.sort == key and not filters.descending
        return url_for(endpoint, **values, **filters.args(sort=key, order="descending" if descending else None))

    read(
        "claim.claimable.list",
        detail=f"window {window.id}; page {found.number}; filters {' '.join(filters.codes) or 'none'}; sort {filters.sort}",
    )
    return {
        "window": window,
        "claim": claim,
        "found": found,
        "filters": filters,
        "pages": pages,
        "sort_href": sort_href,
        "sorts": claimable.SORTS,
        "statuses": claimable.STATUSES,
        "claim_types": CLAIM_TYPES,
        "flag_titles": FLAGS,
        "action": url_for(endpoint, **values),
        "phase_label": phase_label,
    }


@bp.get("/windows/<id:window_id>")
@roles(*CLAIM_ROLES)
def window(window_id):
    window = window_or_404(window_id)
    claims = db.session.scalars(db.select(Claim).filter_by(window_id=window.id).order_by(Claim.id)).all()
    return render_template(
        "claims/window.html",
        claims=claims,
        not_yet=building.not_yet(window),
        page_title=f"Claim window {window.name}",
        **_listing_page(window),
    )


@bp.post("/windows/<id:window_id>/claims")
@roles(Role.PROGRAMME_MANAGER)
def new_claim(window_id):
    window = window_or_404(window_id)
    try:
        claim = building.create_claim(window, current_user)
    except Refused as refusal:
        return refused(str(refusal), "claims.window", window_id=window.id)
    flash(f"Claim {claim.id} started: add the families it is for", "success")
    return redirect(url_for("claims.add", claim_id=claim.id))


@bp.get("/<id:claim_id>")
@roles(*CLAIM_ROLES)
def show(claim_id):
    claim = claim_or_404(claim_id)
    read("claim.read", detail=f"claim {claim.id}")
    return render_template(
        "claims/show.html",
        claim=claim,
        state=sampling.sample_state(claim),
        redraw_refused=sampling.why_not_redraw(claim),
        blockers=approving.blockers(claim),
        totals=approving.totals(claim),
        csv_file=files.latest_file(claim, "csv"),
        zip_file=files.latest_file(claim, "zip"),
        builders=building.builders(claim),
        builder_names=building.builder_names(claim),
        flag_titles=FLAGS,
        claim_types=CLAIM_TYPES,
        page_title=f"Claim {claim.id}",
    )


@bp.route("/<id:claim_id>/add", methods=["GET", "POST"])
@roles(Role.PROGRAMME_MANAGER)
def add(claim_id):
    claim = claim_or_404(claim_id)
    if request.method == "POST":
        return _add(claim)
    return render_template(
        "claims/add.html", page_title=f"Add families to claim {claim.id}", **_listing_page(claim.window, claim)
    )


def _add(claim):
    if request.form.get("all"):
        filters = claimable.Filters.from_args(request.form, claim.window.plan_ids)
        family_ids = [r.family.id for r in claimable.listing(claim.window, filters).matching if r.status == "claimable"]
    else:
        family_ids = [int(i) for i in request.form.getlist("family_id") if i.isascii() and i.isdigit() and len(i) < 10][
            :1
        ]
    if not family_ids:
        return refused("No claimable family matches: nothing was added", "claims.add", claim_id=claim.id)
    try:
        added, refusals = building.add_families(claim, family_ids, current_user)
    except Refused as refusal:
        return refused(str(refusal), "claims.show", claim_id=claim.id)
    for message in refusals:
        flash(message)
    if added:
        flash(f"{len(added)} {'family' if len(added) == 1 else 'families'} added to claim {claim.id}", "success")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("claims.add", claim_id=claim.id))


def _same_site(url):
    return bool(url) and url.startswith(request.host_url) and "/claims/" in url


@bp.route("/<id:claim_id>/lines/<id:line_id>/remove", methods=["GET", "POST"])
@roles(Role.PROGRAMME_MANAGER)
def remove_line(claim_id, line_id):
    line = line_or_404(claim_id, line_id)
    form = ReasonForm()
    form.reason.label.text = f"Why remove {line.family_ref} from the claim?"
    if form.validate_on_submit():
        try:
            building.remove_line(line, current_user, form.reason.data)
        except Refused as refusal:
            return refused(str(refusal), "claims.show", line.family, claim_id=claim_id)
        flash(f"{line.family_ref} removed from claim {claim_id}", "success")
        return redirect(url_for("claims.show", claim_id=claim_id))
    read("claim.line.remove.form", line.family, detail=f"claim {claim_id}, line {line.id}")
    return render_template(
        "claims/reason.html",
        form=form,
        claim=line.claim,
        heading=f"Remove {line.family_ref}",
        page_title=f"Remove {line.family_ref}",
    )


@bp.post("/<id:claim_id>/sample")
@roles(Role.PROGRAMME_MANAGER)
def draw_sample(claim_id):
    claim = claim_or_404(claim_id)
    if claim.samples:
        return redirect(url_for("claims.redraw_sample", claim_id=claim.id))
    try:
        sample = sampling.draw(claim, current_user)
    except Refused as refusal:
        return refused(str(refusal), "claims.show", claim_id=claim.id)
    flash(f"Sample drawn: {len(sample.chosen)} of {len(sample.population)} lines", "success")
    return redirect(url_for("claims.show", claim_id=claim.id))


@bp.route("/<id:claim_id>/sample/redraw", methods=["GET", "POST"])
@roles(Role.PROGRAMME_MANAGER)
def redraw_sample(claim_id):
    claim = claim_or_404(claim_id)
    if refusal := sampling.why_not_redraw(claim):
        return refused(refusal, "claims.show", claim_id=claim.id)
    form = ReasonForm()
    form.reason.label.text = "Why is the sample redrawn?"
    if form.validate_on_submit():
        try:
            sample = sampling.draw(claim, current_user, form.reason.data)
        except Refused as refusal:
            return refused(str(refusal), "claims.show", claim_id=claim.id)
        flash(f"Sample redrawn: {len(sample.chosen)} of {len(sample.population)} lines", "success")
        return redirect(url_for("claims.show", claim_id=claim.id))
    read("claim.sample.redraw.form", detail=f"claim {claim.id}")
    return render_template(
        "claims/reason.html",
        form=form,
        claim=claim,
        heading="Redraw the audit sample",
        intro="A new seed draws a new sample; flagged lines are always in it. Decisions already recorded are kept.",
        page_title="Redraw the audit sample",
    )


@bp.post("/<id:claim_id>/sample/widen")
@roles(Role.PROGRAMME_MANAGER)
def widen_sample(claim_id):
    claim = claim_or_404(claim_id)
    try:
        sample = sampling.widen(claim, current_user)
    except Refused as refusal:
        return refused(str(refusal), "claims.show", claim_id=claim.id)
    flash(f"Sample widened to {len(sample.chosen)} lines", "success")
    return redirect(url_for("claims.show", claim_id=claim.id))


@bp.post("/<id:claim_id>/sample/changed")
@roles(Role.PROGRAMME_MANAGER)
def sample_changed(claim_id):
    claim = claim_or_404(claim_id)
    try:
        sample = sampling.add_changed(claim, current_user)
    except Refused as refusal:
        return refused(str(refusal), "claims.check", claim_id=claim.id)
    flash(f"The changed lines are in the sample: {len(sample.chosen)} lines to decide", "success")
    return redirect(url_for("claims.check", claim_id=claim.id))


@bp.get("/<id:claim_id>/check")
@roles(Role.PROGRAMME_MANAGER)
def check(claim_id):
    claim = claim_or_404(claim_id)
    changed = approving.unchecked_changes(claim) if claim.status == "draft" else []
    read(
        "claim.check", detail=f"claim {claim.id}" + (f": {len(changed)} lines with changed records" if changed else "")
    )
    return render_template(
        "claims/check.html",
        claim=claim,
        totals=approving.totals(claim),
        rejected=approving.rejected(claim),
        state=sampling.sample_state(claim),
        changed=changed,
        refusal=approving.why_not_approve(claim, current_user) or (changed[0] if changed else None),
        reasons=REJECTION_REASONS,
        claim_types=CLAIM_TYPES,
        flag_titles=FLAGS,
        page_title=f"Check claim {claim.id} before approval",
    )


@bp.post("/<id:claim_id>/approve")
@roles(Role.PROGRAMME_MANAGER)
def approve(claim_id):
    claim = claim_or_404(claim_id)
    try:
        approving.approve(claim, current_user)
    except Refused as refusal:
        return refused(str(refusal), "claims.check", claim_id=claim.id)
    flash(f"Claim {claim.id} approved: it can now be submitted", "success")
    return redirect(url_for("claims.show", claim_id=claim.id))


@bp.post("/<id:claim_id>/submit")
@roles(Role.PROGRAMME_MANAGER)
def submit(claim_id):
    claim = claim_or_404(claim_id)
    try:
        approving.submit(claim, current_user)
    except Refused as refusal:
        return refused(str(refusal), "claims.show", claim_id=claim.id)
    claim_jobs.start(claim, current_user)  # the CSV and ZIP are built in the background
    return redirect(url_for("claims.submitted", claim_id=claim.id))


@bp.get("/<id:claim_id>/submitted")
@roles(*CLAIM_ROLES)
def submitted(claim_id):
    claim = claim_or_404(claim_id)
    if claim.status != "submitted":
        abort(404)
    read("claim.read", detail=f"claim {claim.id} confirmation")
    return render_template(
        "claims/submitted.html",
        claim=claim,
        totals=approving.totals(claim),
        job=claim_jobs.latest_job(claim),
        zip_file=files.latest_file(claim, "zip"),
        page_title=f"Claim {claim.id} submitted",
    )


@bp.get("/<id:claim_id>/files/<kind>")
@roles(*CLAIM_ROLES)
def download(claim_id, kind):
    claim = claim_or_404(claim_id)
    row = files.latest_file(claim, kind) if kind in ("csv", "zip") else None
    if row is None or not files.file_path(row).exists():
        abort(404)
    audit.save(current_user, "claim.download", detail=f"claim {claim.id}: {kind}, sha256 {row.sha256}")
    mimetype = "text/csv" if kind == "csv" else "application/zip"
    return send_file(
        files.file_path(row), mimetype=mimetype, as_attachment=True, download_name=f"claim-{claim.id}.{kind}", max_age=0
    )
