"""Running a job in a worker, and noticing workers that stopped.

Every change of a job's state is one conditional UPDATE, committed at once on
its own connection (not the session the job's code reads with):

- start:    queued -> running, only if still queued; sets a new run_id.
- progress: only while running under the same run_id; refreshes heartbeat_at.
- finish:   running -> done or failed, only under the same run_id.
- reap:     running with a stale heartbeat -> queued again (or failed after the
            kind's last attempt), only if the run_id is still the one seen.

So a duplicate queue message, two workers, or two housekeeping tasks at once can
never run one job twice at the same time, and a worker that was thought dead
but was only slow loses its job at its next progress report (JobLost) and its
file is thrown away.
"""

import datetime as dt
import logging
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from ..extensions import db
from ..models import Job
from ..models.types import utcnow
from . import kinds
from .queue import queue_for, result_dir

log = logging.getLogger(__name__)

STOPPED_MESSAGE = "The worker stopped while building this. Try again."
RETRYING_MESSAGE = "The worker stopped while building this, so it is being built again."
FAILED_MESSAGE = (
    "Something went wrong while building this. Try again, and if it happens "
    "again, tell the service desk the job number."
)
UNKNOWN_KIND_MESSAGE = "This kind of file can no longer be built. Ask the service desk."


class JobLost(Exception):
    """The job was taken from this worker (its heartbeat went stale); stop at once."""


class JobRun:
    """What a job kind's run() gets: the job, where to write, and progress()."""

    def __init__(self, app, job, run_id, out_path: Path):
        self.app, self.job, self.run_id, self.out_path = app, job, run_id, out_path
        self.job_id = job.id  # kept apart: the kind's code may detach or expire the row
        self.params = job.params or {}
        self._every = app.config["JOBS_PROGRESS_EVERY_SECONDS"]
        self._last_write = None

    def progress(self, done: int, total: int | None = None, message: str | None = None):
        """Record how far the job got (and that its worker is alive). Raises JobLost."""
        now = time.monotonic()
        last_step = total is not None and done >= total
        if self._last_write is not None and not last_step and now - self._last_write < self._every:
            return
        values = {"progress_done": done, "heartbeat_at": utcnow()}
        if total is not None:
            values["progress_total"] = total
        if message is not None:
            values["message"] = message
        if not _update_own(self.job_id, self.run_id, values):
            raise JobLost(self.job_id)
        self._last_write = now


def execute(app, job_id: int) -> str:
    """Run one job if it is still queued; returns what happened (for logs and tests)."""
    with app.app_context():
        try:
            return _execute(app, job_id)
        finally:
            db.session.remove()


def _execute(app, job_id):
    run_id = uuid.uuid4().hex
    if not _start(job_id, run_id):
        log.info("job %s is not queued (taken by another worker or finished): skipped", job_id)
        return "skipped"
    job = db.session.get(Job, job_id)
    kind = kinds.get(job.kind)
    if kind is None:
        _finish(job_id, run_id, state="failed", message=UNKNOWN_KIND_MESSAGE)
        return "failed"
    folder = result_dir(app)
    folder.mkdir(parents=True, exist_ok=True)
    # Named by the run, never by the job: a run that lost its job cannot touch the next run's file.
    out_path = folder / f"{run_id}{kind.file_suffix}"
    try:
        name = kind.run(JobRun(app, job, run_id, out_path)) or f"job-{job_id}{kind.file_suffix}"
    except JobLost:
        log.warning("job %s was taken from this worker (heartbeat went stale); its file is dropped", job_id)
        out_path.unlink(missing_ok=True)
        return "lost"
    except Exception:
        log.exception("job %s (%s) failed", job_id, job.kind)
        out_path.unlink(missing_ok=True)
        _finish(job_id, run_id, state="failed", message=FAILED_MESSAGE)
        return "failed"
    if not _finish(
        job_id,
        run_id,
        state="done",
        message="",
        result_path=out_path.name,
        result_name=name,
        result_bytes=out_path.stat().st_size,
    ):
        out_path.unlink(missing_ok=True)
        return "lost"
    return "done"


def _start(job_id, run_id) -> bool:
    now = utcnow()
    with db.engine.begin() as conn:
        result = conn.execute(
            sa.update(Job)
            .where(Job.id == job_id, Job.state == "queued")
            .values(
                state="running",
                run_id=run_id,
                attempts=Job.attempts + 1,
                started_at=now,
                heartbeat_at=now,
                progress_done=0,
            )
        )
    return result.rowcount == 1


def _update_own(job_id, run_id, values) -> bool:
    with db.engine.begin() as conn:
        result = conn.execute(
            sa.update(Job).where(Job.id == job_id, Job.run_id == run_id, Job.state == "running").values(**values)
        )
    return result.rowcount == 1


def _finish(job_id, run_id, state, **values) -> bool:
    return _update_own(job_id, run_id, {"state": state, "finished_at": utcnow(), "heartbeat_at": utcnow(), **values})


def worker_started(app, forked=False):
    """A worker starts: look for jobs a stopped worker left behind."""
    with app.app_context():
        if forked:
            # A process worker forked from the consumer: never share its pooled connections.
            db.engine.dispose(close=False)
        try:
            reap_stale(app)
        finally:
            db.session.remove()


def housekeeping(app):
    """Each minute, in every worker: stale jobs, then files past their keeping time."""
    with app.app_context():
        try:
            reap_stale(app)
            delete_old_files(app)
        finally:
            db.session.remove()


def reap_stale(app, now=None) -> dict:
    """Queue again (or fail) running jobs whose worker stopped; re-send lost queue messages.

    Returns {"requeued": [...], "failed": [...], "resent": [...]} job ids.
    """
    now = now or utcnow()
    cutoff = now - dt.timedelta(seconds=app.config["JOBS_STALE_AFTER_SECONDS"])
    done = {"requeued": [], "failed": [], "resent": []}
    stale = db.session.execute(
        sa.select(Job.id, Job.kind, Job.state, Job.run_id, Job.attempts, Job.heartbeat_at).where(
            Job.state.in_(("running", "queued")), Job.heartbeat_at < cutoff
        )
    ).all()
    db.session.rollback()
    for row in stale:
        if row.state == "queued":
            # Its queue message was lost (a Redis restart, a deleted queue file): send it
            # again. A duplicate is harmless, as only one worker can start the job.
            if _transition(row, {"heartbeat_at": now}):
                done["resent"].append(row.id)
            continue
        kind = kinds.get(row.kind)
        limit = kind.max_attempts if kind else 0
        if row.attempts < limit:
            if _transition(row, {"state": "queued", "run_id": None, "heartbeat_at": now, "message": RETRYING_MESSAGE}):
                done["requeued"].append(row.id)
        elif _transition(
            row,
            {"state": "failed", "run_id": None, "finished_at": now, "heartbeat_at": now, "message": STOPPED_MESSAGE},
        ):
            done["failed"].append(row.id)
    for job_id in done["requeued"] + done["resent"]:
        enqueue(app, job_id)
    if any(done.values()):
        log.warning("stale jobs: %s", done)
    return done


def _transition(row, values) -> bool:
    """Change a job only if it is still exactly as seen (state, run and heartbeat)."""
    same_run = Job.run_id.is_(None) if row.run_id is None else Job.run_id == row.run_id
    with db.engine.begin() as conn:
        result = conn.execute(
            sa.update(Job)
            .where(
                Job.id == row.id,
                Job.state == row.state,
                same_run,
                Job.heartbeat_at == row.heartbeat_at,
            )
            .values(**values)
        )
    return result.rowcount == 1


def enqueue(app, job_id: int):
    queue_for(app).run_job(job_id)


def delete_old_files(app, now=None) -> list[int]:
    """Delete finished files older than JOBS_KEEP_FILES_DAYS: they hold case data.

    Returns the ids of the jobs whose files went. Any other file in the folder older
    than that (left by a worker killed while writing it) goes too.
    """
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=app.config["JOBS_KEEP_FILES_DAYS"])
    rows = db.session.execute(
        sa.select(Job.id, Job.result_path).where(
            Job.state == "done", Job.result_path.is_not(None), Job.finished_at < cutoff
        )
    ).all()
    db.session.rollback()
    deleted = []
    for job_id, path in rows:
        with db.engine.begin() as conn:
            result = conn.execute(
                sa.update(Job)
                .where(Job.id == job_id, Job.result_path == path)
                .values(result_path=None, file_deleted_at=now)
            )
        if result.rowcount == 1:
            (result_dir(app) / path).unlink(missing_ok=True)
            deleted.append(job_id)
    folder = result_dir(app)
    if folder.is_dir():
        for leftover in folder.iterdir():
            modified = dt.datetime.fromtimestamp(leftover.stat().st_mtime, dt.UTC)
            if leftover.is_file() and modified < cutoff:
                leftover.unlink(missing_ok=True)
    return deleted
