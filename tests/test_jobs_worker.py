"""Real worker processes: the job queue on SQLite and on Redis, and a worker killed mid-job.

Each test starts `flask --app portal jobs worker` (or huey's own `huey_consumer`)
as a separate process on the test database, asks for a job from this process,
and watches the Job row. Redis must be running on 127.0.0.1:6379 (or at
JOBS_TEST_REDIS_URL): these tests fail, not skip, without it.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.closure import summaries_zip
from portal.extensions import db
from portal.jobs.queue import queue_for, result_dir
from portal.models import Job, User
from tests import factories as f

REDIS_URL = os.environ.get("JOBS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BIN = Path(sys.executable).parent
STALE_SECONDS = 3


@pytest.fixture(params=["sqlite", "redis"])
def queue_kind(request):
    return request.param


def redis_reachable():
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def settings(app, tmp_path, queue_kind):
    """The settings the worker and this process share (given to the worker as environment)."""
    if queue_kind == "redis" and not redis_reachable():
        pytest.fail(
            f"Redis is not reachable at {REDIS_URL}: start it (Debian: apt-get install redis-server) "
            "or point JOBS_TEST_REDIS_URL at one"
        )
    values = {
        "JOBS_QUEUE_FILE": str(tmp_path / "queue.sqlite3"),
        "JOBS_RESULT_DIR": str(tmp_path / "files"),
        "JOBS_REDIS_URL": REDIS_URL if queue_kind == "redis" else "",
        # Other helpers share this Redis: a queue of our own, emptied afterwards.
        "JOBS_QUEUE_NAME": f"portal-jobs-test-{uuid.uuid4().hex[:8]}",
        "JOBS_STALE_AFTER_SECONDS": STALE_SECONDS,
    }
    yield values
    if queue_kind == "redis":
        client = create_app("testing", {**values, "JOBS_IMMEDIATE": False})
        queue_for(client).huey.storage.flush_all()


@pytest.fixture
def asking_app(app, settings):
    """An app like the web server's: it queues jobs for a worker instead of running them."""
    asking = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "JOBS_IMMEDIATE": False, **settings},
    )
    yield asking
    with asking.app_context():
        db.session.remove()
        db.engine.dispose()


@contextmanager
def worker(app, settings, tmp_path, command="flask"):
    env = {
        **os.environ,
        "PORTAL_CONFIG": "testing",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        **{name: str(value) for name, value in settings.items()},
    }
    if command == "flask":
        args = [str(BIN / "flask"), "--app", "portal", "jobs", "worker", "--workers", "1"]
    else:
        args = [str(BIN / "huey_consumer"), "portal.jobs.worker.huey", "--workers", "1"]
    log = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
    with open(log, "w") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    process.log = log
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(app, job_id, condition, process, timeout=90):
    deadline = time.monotonic() + timeout
    with app.app_context():
        while time.monotonic() < deadline:
            db.session.remove()
            job = db.session.get(Job, job_id)
            if condition(job):
                return job
            if process is not None and process.poll() is not None:
                break
            time.sleep(0.05)
        job = db.session.get(Job, job_id)
    log = process.log.read_text() if process is not None else ""
    pytest.fail(f"job {job_id} is {job.state} ({job.progress_done}/{job.progress_total}); worker log:\n{log}")


def ask_for_zip(asking_app, families):
    with asking_app.test_request_context():
        lead = db.session.get(User, families[0].lead_professional_id)
        job = summaries_zip.start(lead, [family.id for family in families])
        assert job.state == "queued"
        return job.id


def make_families(app, people, how_many):
    with app.app_context():
        lead = people["lead_professional"]
        return [f.make_family(lead, name=f"Worker family {n}") for n in range(how_many)]


def zip_names(app, job):
    with zipfile.ZipFile(Path(result_dir(app), job.result_path)) as archive:
        assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())
        return sorted(archive.namelist())


@pytest.mark.parametrize("command", ["flask", "huey_consumer"])
def test_a_worker_process_builds_a_queued_job(app, people, settings, asking_app, tmp_path, command):
    families = make_families(app, people, 2)
    job_id = ask_for_zip(asking_app, families)
    with worker(app, settings, tmp_path, command) as process:
        job = wait_for(app, job_id, lambda job: job.finished, process)
    assert (job.state, job.progress_done, job.progress_total, job.attempts) == ("done", 2, 2, 1), job.message
    assert zip_names(asking_app, job) == sorted(f"{family.ref}-closure-summary.pdf" for family in families)


def test_a_job_whose_worker_is_killed_is_finished_by_the_next_worker(app, people, settings, asking_app, tmp_path):
    families = make_families(app, people, 12)
    job_id = ask_for_zip(asking_app, families)
    with worker(app, settings, tmp_path) as first:
        job = wait_for(app, job_id, lambda job: job.state == "running" and job.progress_done >= 1, first)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    killed_run = job.run_id
    with app.app_context():
        db.session.remove()
        left = db.session.get(Job, job_id)
        assert (left.state, left.run_id) == ("running", killed_run)  # nobody else would ever finish it
        assert left.progress_done < 12

    time.sleep(STALE_SECONDS + 0.5)  # its heartbeat goes stale
    with worker(app, settings, tmp_path) as second:
        job = wait_for(app, job_id, lambda job: job.finished, second)
    assert (job.state, job.attempts, job.progress_done) == ("done", 2, 12), job.message
    assert job.run_id != killed_run and job.result_path.startswith(job.run_id)
    assert len(zip_names(asking_app, job)) == 12


def test_a_job_killed_on_its_last_attempt_is_failed_with_a_message(app, people, settings, asking_app, tmp_path):
    families = make_families(app, people, 12)
    job_id = ask_for_zip(asking_app, families)
    with asking_app.app_context():  # two attempts already made, by workers that died
        db.session.execute(sa.update(Job).where(Job.id == job_id).values(attempts=2))
        db.session.commit()
    with worker(app, settings, tmp_path) as first:
        wait_for(app, job_id, lambda job: job.state == "running" and job.progress_done >= 1, first)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    time.sleep(STALE_SECONDS + 0.5)
    with worker(app, settings, tmp_path) as second:
        job = wait_for(app, job_id, lambda job: job.finished, second)
    assert (job.state, job.attempts) == ("failed", 3)
    assert job.message == "The worker stopped while building this. Try again."
