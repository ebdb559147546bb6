"""Asking for a job, asking again, and finding its file: every write of the feature."""

import logging
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..audit import record
from ..extensions import db
from ..models import Job
from ..models.types import utcnow
from . import kinds
from .queue import result_dir
from .runner import enqueue

log = logging.getLogger(__name__)

QUEUE_DOWN_MESSAGE = (
    "The service that builds files could not be reached, so this was not started. Try again in a few minutes."
)


def start_job(
    kind: str,
    requested_by,
    params: dict | None = None,
    subject: tuple[str, int | None] = ("", None),
    audit_detail: str = "",
) -> Job:
    """Record a job as queued, audit the request, commit, and put it on the queue.

    The caller has already checked that `requested_by` may have what the job builds.
    Returns the Job; send the user to url_for("jobs.show", job_id=job.id).
    If the queue cannot be reached the job is saved as failed with a message saying so.
    """
    definition = kinds.get(kind)
    if definition is None:
        raise ValueError(f"no job kind named {kind!r} is registered")
    job = Job(
        kind=kind,
        requested_by_id=requested_by.id,
        params=params or {},
        subject_kind=subject[0],
        subject_id=subject[1],
        state="queued",
        heartbeat_at=utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    record("job.request", detail=f"job {job.id}" + (f"; {audit_detail}" if audit_detail else ""), user=requested_by)
    db.session.commit()
    try:
        enqueue(current_app._get_current_object(), job.id)
    except Exception:
        log.exception("could not queue job %s", job.id)
        _mark_not_queued(job)
    db.session.refresh(job)
    return job


def _mark_not_queued(job):
    # Only if no worker picked it up meanwhile (a message may have got through).
    db.session.execute(
        sa.update(Job)
        .where(Job.id == job.id, Job.state == "queued")
        .values(state="failed", message=QUEUE_DOWN_MESSAGE, finished_at=utcnow())
    )
    db.session.commit()


def start_again(job: Job, user) -> Job:
    """The same job asked for again by `user` (who may see it), as a new job."""
    return start_job(
        job.kind,
        user,
        params=dict(job.params or {}),
        subject=(job.subject_kind, job.subject_id),
        audit_detail=f"again, as job {job.id} was {job.state_label.lower()}",
    )


def unfinished_like(kind: str, user, params: dict) -> Job | None:
    """The user's job of this kind with these parameters still queued or running, if any."""
    candidates = db.session.scalars(
        db.select(Job)
        .where(Job.kind == kind, Job.requested_by_id == user.id, Job.state.in_(("queued", "running")))
        .order_by(Job.id.desc())
    ).all()
    return next((job for job in candidates if job.params == params), None)


def result_file(job: Job) -> Path | None:
    """The finished file on disk, or None; never a path outside the results folder."""
    if not job.file_ready:
        return None
    base = result_dir(current_app).resolve()
    path = (base / job.result_path).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        return None
    return path


def jobs_of(user, limit=50) -> list[Job]:
    return db.session.scalars(
        db.select(Job).where(Job.requested_by_id == user.id).order_by(Job.id.desc()).limit(limit)
    ).all()


def audit_download(job: Job, user):
    kind = kinds.get(job.kind)
    record("job.download", detail=f"job {job.id}", user=user)  # ids only: the kind and file name are on the job row
    family_ids = kind.families(job)
    if family_ids:
        from ..models import Family

        for family in db.session.scalars(db.select(Family).where(Family.id.in_(family_ids))):
            record(kind.family_audit_action, family, detail=f"in job {job.id}", user=user)
    db.session.commit()
