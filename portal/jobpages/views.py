"""A job's page (with its progress, polled by htmx), its file, and asking again."""

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from ..access import job_access, signed_in
from ..htmx import is_htmx
from ..jobs import kinds, service
from . import bp


@bp.get("/")
@signed_in
def index():
    jobs = service.jobs_of(current_user)
    return render_template("jobs/index.html", jobs=jobs, kinds=kinds, page_title="Files you asked for")


@bp.get("/<id:job_id>")
@job_access
def show(job):
    kind = kinds.get(job.kind)
    template = "jobs/_progress.html" if is_htmx() else "jobs/show.html"
    return render_template(template, job=job, kind=kind, page_title=kind.title)


@bp.get("/<id:job_id>/file")
@job_access
def download(job):
    path = service.result_file(job)
    if path is None:
        abort(404)
    service.audit_download(job, current_user)
    return send_file(
        path,
        mimetype=kinds.get(job.kind).mimetype,
        as_attachment=True,
        download_name=job.result_name,
        max_age=0,
        etag=False,
        conditional=False,
    )


@bp.post("/<id:job_id>/again")
@job_access
def again(job):
    if not job.finished or job.file_ready:
        flash("This file is still being built, or is ready to download: there is nothing to do again.")
        return redirect(url_for("jobs.show", job_id=job.id))
    new = service.start_again(job, current_user)
    return redirect(url_for("jobs.show", job_id=new.id))
