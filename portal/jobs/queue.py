"""The job queue: one huey instance per Flask app, built on first use.

huey only carries job ids; the Job row is the truth. Storage: Redis when
JOBS_REDIS_URL (or REDIS_URL) is set, so several machines can run workers;
otherwise huey's SQLite storage in a file beside the portal's own
(instance/jobs-queue.sqlite3), so nothing needs installing.

Built lazily so that creating an app (every test does) opens no queue.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from huey import RedisHuey, SqliteHuey, crontab

from ..extensions import SQLITE_BUSY_TIMEOUT_MS

EXTENSION = "portal_jobs"


@dataclass
class JobQueue:
    huey: object
    run_job: object  # the huey task: run_job(job_id) enqueues it


# (huey, app) -> tasks: each registers one feature's tasks (periodic or queued); appended by
# the feature when it is imported.
PERIODIC_TASKS: list = []


def queue_for(app) -> JobQueue:
    queue = app.extensions.get(EXTENSION)
    if queue is None:
        queue = app.extensions[EXTENSION] = _build(app)
    return queue


def queue_file(app) -> Path:
    return Path(app.config["JOBS_QUEUE_FILE"] or Path(app.instance_path) / "jobs-queue.sqlite3")


def result_dir(app) -> Path:
    return Path(app.config["JOBS_RESULT_DIR"] or Path(app.instance_path) / "job-files")


def describe_storage(app) -> str:
    if app.config["JOBS_REDIS_URL"]:
        return "Redis"
    return f"SQLite ({queue_file(app)})"


def _build(app) -> JobQueue:
    settings = {
        "results": False,  # results live in the Job table
        "utc": True,
        "immediate": bool(app.config["JOBS_IMMEDIATE"]),
        # Immediate mode keeps the real storage, so tests exercise it.
        "immediate_use_memory": False,
    }
    name = app.config["JOBS_QUEUE_NAME"]
    if app.config["JOBS_REDIS_URL"]:
        huey = RedisHuey(name, url=app.config["JOBS_REDIS_URL"], **settings)
    else:
        path = queue_file(app)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Waits for the queue file's write lock as long as the database does (portal/extensions.py).
        huey = SqliteHuey(name, filename=str(path), timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, **settings)
    return JobQueue(huey=huey, run_job=_register_tasks(huey, app))


def _register_tasks(huey, app):
    from . import runner

    @huey.task(name="portal.jobs.run")
    def run_job(job_id):
        runner.execute(app, job_id)

    # Every worker runs it each minute; the conditional UPDATEs make that safe.
    @huey.periodic_task(crontab(minute="*"), name="portal.jobs.housekeeping")
    def housekeeping():
        runner.housekeeping(app)

    # Other features' tasks (portal/notify: each request's e-mails, retries and the daily
    # digests; portal/families: stored verdicts), added by the feature so the queue imports no feature.
    for register in PERIODIC_TASKS:
        register(huey, app)

    creator = os.getpid()

    @huey.on_startup(name="portal.jobs.started")
    def started():
        runner.worker_started(app, forked=os.getpid() != creator)

    return run_job
