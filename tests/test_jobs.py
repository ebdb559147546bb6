"""Background jobs (portal/jobs): the job page, its file, who may see them, and the
state changes that keep a job from running twice or staying "running" for ever.

Jobs run in immediate mode here (TestingConfig: inside the request, on the real
queue storage); tests/test_jobs_worker.py runs real worker processes.
"""

import datetime as dt
import io
import threading
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.audit.details import is_safe
from portal.closure import summaries_zip
from portal.extensions import db
from portal.jobs import JobKind, register, runner, service, start_job
from portal.jobs.queue import queue_for, result_dir
from portal.models import AuditEvent, Job
from portal.models.types import utcnow
from tests import factories as f

BOOM = register(JobKind(name="test-boom", title="A job that always fails", run=lambda run: 1 / 0))
SHARED = register(
    JobKind(name="test-shared", title="Shared", run=lambda run: "x.zip", viewer_roles=("programme_manager",))
)


@pytest.fixture
def lead_world(app, people):
    with app.app_context():
        lead = people["lead_professional"]
        families = [f.make_family(lead, name=f"Zip family {n}") for n in range(2)]
        return {"lead": lead, "families": families, "ids": sorted(x.id for x in families)}


def _ask_for_zip(client, lead):
    f.sign_in(client, lead)
    response = client.post("/closure-summaries/zip")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _job(job_id):
    db.session.remove()
    return db.session.get(Job, job_id)


def _only_job():
    db.session.remove()
    return db.session.scalars(sa.select(Job)).one()


def _details(**filters):
    return db.session.scalars(sa.select(AuditEvent.detail).filter_by(**filters).order_by(AuditEvent.id)).all()


def _actions(**filters):
    return db.session.scalars(sa.select(AuditEvent.action).filter_by(**filters).order_by(AuditEvent.id)).all()


# --- the real job: closure summaries of all a lead professional's families -------------------------------


def test_a_lead_professional_gets_a_zip_of_every_family_they_lead(app, client, people, lead_world):
    with app.app_context():
        f.make_family(f.make_user("lead_professional"), name="Someone else's family")
    location = _ask_for_zip(client, lead_world["lead"])

    page = client.get(location)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Your file is ready" in body and "2 families" in body
    assert "hx-trigger" not in body  # finished: nothing left to poll

    with app.app_context():
        job = _only_job()
        refs = {fam.ref for fam in lead_world["families"]}
        assert (job.state, job.progress_done, job.progress_total, job.attempts) == ("done", 2, 2, 1)
        assert job.params == {"family_ids": lead_world["ids"]}
        assert Path(result_dir(app), job.result_path).is_file()
    download = client.get(f"/jobs/{job.id}/file")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.mimetype == "application/zip"
    assert download.headers["Cache-Control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        names = archive.namelist()
        assert sorted(names) == sorted(f"{ref}-closure-summary.pdf" for ref in refs)
        assert all(archive.read(name).startswith(b"%PDF") for name in names)


def test_every_download_is_audited_against_every_family_in_the_file(app, client, lead_world):
    location = _ask_for_zip(client, lead_world["lead"])
    with app.app_context():
        job_id = _only_job().id
        assert _actions(family_id=None)[-1] == "job.request"
    client.get(location + "/file")
    client.get(location + "/file")
    with app.app_context():
        for family_id in lead_world["ids"]:
            assert _actions(family_id=family_id) == ["closure.download", "closure.download"]
        assert _actions(action="job.download") == ["job.download", "job.download"]
        detail = db.session.scalar(sa.select(AuditEvent.detail).filter_by(action="job.request"))
        assert f"job {job_id}" in detail and all(str(fam.id) in detail for fam in lead_world["families"])
        assert is_safe(detail), detail  # ids only: admins read it (docs/security.md)
        for download in _details(action="job.download") + _details(action="closure.download"):
            assert is_safe(download), download


def test_a_lead_professional_with_no_families_is_told_so(app, client, people):
    f.sign_in(client, people["lead_professional"])
    response = client.post("/closure-summaries/zip", follow_redirects=True)
    assert "You do not lead any families yet" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


@pytest.mark.parametrize("role", ["partner", "verifier", "programme_manager", "admin"])
def test_only_lead_professionals_are_offered_the_zip_of_their_families(app, client, people, lead_world, role):
    f.sign_in(client, people[role])
    assert client.post("/closure-summaries/zip").status_code == 403


def test_the_family_list_offers_the_zip_to_its_lead_professional(client, lead_world):
    f.sign_in(client, lead_world["lead"])
    body = client.get("/families/").get_data(as_text=True)
    assert "Download closure summaries of all my families" in body
    assert 'action="/closure-summaries/zip"' in body


def test_nobody_can_ask_for_summaries_of_a_family_they_do_not_see(app, people, lead_world):
    with app.app_context():
        stranger = f.make_family(f.make_user("lead_professional"))
        with pytest.raises(summaries_zip.NotVisible):
            summaries_zip.start(lead_world["lead"], [*lead_world["ids"], stranger.id])
        with pytest.raises(summaries_zip.NotVisible):
            summaries_zip.start(lead_world["lead"], [lead_world["ids"][0], 10**9])
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_asking_twice_while_it_is_being_built_gives_the_same_job(app, lead_world):
    with app.app_context():
        waiting = Job(
            kind=summaries_zip.KIND,
            requested_by_id=lead_world["lead"].id,
            params={"family_ids": lead_world["ids"]},
            state="queued",
        )
        db.session.add(waiting)
        db.session.commit()
        assert summaries_zip.start(lead_world["lead"], list(reversed(lead_world["ids"]))).id == waiting.id


# --- the job page: progress with htmx, and without JavaScript ---------------------------------------------


def _queued_job(lead, **values):
    job = Job(
        **{
            "kind": summaries_zip.KIND,
            "requested_by_id": lead.id,
            "params": {"family_ids": []},
            "state": "queued",
            **values,
        }
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_an_unfinished_job_polls_every_two_seconds_and_offers_a_refresh_without_javascript(app, client, lead_world):
    with app.app_context():
        job = _queued_job(lead_world["lead"], state="running", progress_done=3, progress_total=8)
    f.sign_in(client, lead_world["lead"])

    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    partial = client.get(f"/jobs/{job.id}", headers={"HX-Request": "true"}).get_data(as_text=True)

    assert 'hx-trigger="every 2s"' in page and 'hx-trigger="every 2s"' in partial
    assert "<html" in page and "<html" not in partial
    assert 'max="8" value="3"' in partial and "3 of 8 families done" in partial
    # Without JavaScript: a plain link back to the same page, no meta refresh, no inline script.
    assert f'href="/jobs/{job.id}"' in partial and "Refresh" in partial
    assert "http-equiv" not in page
    assert "<script>" not in page and all("src=" in tag for tag in page.split("<script")[1:])


def test_a_finished_job_stops_polling(app, client, lead_world):
    with app.app_context():
        job = _queued_job(lead_world["lead"], state="failed", message=runner.STOPPED_MESSAGE)
    f.sign_in(client, lead_world["lead"])
    partial = client.get(f"/jobs/{job.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "hx-trigger" not in partial and "The worker stopped while building this. Try again." in partial
    assert "Try again" in partial


def test_the_list_of_jobs_shows_only_ones_own(app, client, people, lead_world):
    with app.app_context():
        mine = _queued_job(lead_world["lead"])
        theirs = _queued_job(people["verifier"])
    f.sign_in(client, lead_world["lead"])
    body = client.get("/jobs/").get_data(as_text=True)
    assert f'href="/jobs/{mine.id}"' in body and f'href="/jobs/{theirs.id}"' not in body


# --- who may see a job --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["lead_professional", "partner", "verifier", "programme_manager", "admin"])
def test_nobody_else_sees_a_job_its_page_its_progress_or_its_file(app, client, people, lead_world, role):
    location = _ask_for_zip(client, lead_world["lead"])
    client = app.test_client()
    with app.app_context():
        other = f.make_user("lead_professional") if role == "lead_professional" else people[role]
    f.sign_in(client, other)
    for method, url in [("GET", location), ("GET", location + "/file"), ("POST", location + "/again")]:
        response = client.open(url, method=method, headers={"HX-Request": "true"} if url == location else {})
        assert response.status_code == 404, (method, url)
        assert b"Zip family" not in response.data and b"PK" not in response.data[:2]
    with app.app_context():
        assert _actions(action="job.access-refused") == ["job.access-refused"] * 3
        assert "closure.download" not in _actions()


def test_a_job_is_no_longer_the_requesters_once_a_family_in_it_is_handed_over(app, client, people, lead_world):
    location = _ask_for_zip(client, lead_world["lead"])
    assert client.get(location + "/file").status_code == 200
    with app.app_context():
        family = db.session.get(type(lead_world["families"][0]), lead_world["ids"][0])
        family.lead_professional_id = f.make_user("lead_professional").id
        db.session.commit()
    assert client.get(location).status_code == 404
    assert client.get(location + "/file").status_code == 404


@pytest.mark.parametrize("job_id", ["99999999999999999999", "2147483648", "0"])
def test_a_job_number_that_cannot_exist_is_not_found(client, lead_world, job_id):
    f.sign_in(client, lead_world["lead"])
    assert client.get(f"/jobs/{job_id}").status_code == 404
    assert client.get(f"/jobs/{job_id}/file").status_code == 404


def test_a_kinds_viewer_roles_see_other_peoples_jobs(app, client, people):
    with app.app_context():
        job = Job(kind="test-shared", requested_by_id=people["verifier"].id, params={}, state="queued")
        db.session.add(job)
        db.session.commit()
    f.sign_in(client, people["programme_manager"])
    assert client.get(f"/jobs/{job.id}").status_code == 200


def test_a_file_outside_the_results_folder_is_never_served(app, client, lead_world):
    with app.app_context():
        job = _queued_job(lead_world["lead"], state="done", result_path="../../../../etc/passwd", result_name="passwd")
    f.sign_in(client, lead_world["lead"])
    assert client.get(f"/jobs/{job.id}/file").status_code == 404


# --- failures, asking again, files deleted ---------------------------------------------------------------------


def test_a_job_whose_code_fails_is_failed_with_a_message_and_leaves_no_file(app, people):
    with app.test_request_context():
        files_before = _files(app)
        job = start_job(BOOM.name, db.session.merge(people["lead_professional"]))
        job = _job(job.id)
        assert (job.state, job.message, job.result_path) == ("failed", runner.FAILED_MESSAGE, None)
        assert _files(app) == files_before


def _files(app):
    folder = result_dir(app)
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_failed_job_can_be_asked_for_again_as_a_new_job(app, client, lead_world):
    with app.app_context():
        job = _queued_job(lead_world["lead"], state="failed", params={"family_ids": lead_world["ids"]})
    f.sign_in(client, lead_world["lead"])
    response = client.post(f"/jobs/{job.id}/again")
    with app.app_context():
        new = db.session.scalars(sa.select(Job).order_by(Job.id.desc())).first()
        assert new.id != job.id and response.headers["Location"].endswith(f"/jobs/{new.id}")
        assert (new.state, new.params, _job(job.id).state) == ("done", job.params, "failed")


def test_an_unfinished_job_is_not_started_again(app, client, lead_world):
    with app.app_context():
        job = _queued_job(lead_world["lead"])
    f.sign_in(client, lead_world["lead"])
    client.post(f"/jobs/{job.id}/again")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 1


def test_when_the_queue_cannot_be_reached_the_job_fails_with_a_message(app, people):
    down = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "JOBS_REDIS_URL": "redis://127.0.0.1:1/0",
            "JOBS_IMMEDIATE": False,
        },
    )
    with down.test_request_context():
        job = start_job(BOOM.name, db.session.merge(people["lead_professional"]))
        assert (job.state, job.message) == ("failed", service.QUEUE_DOWN_MESSAGE)
        assert service.QUEUE_DOWN_MESSAGE.startswith("The service that builds files could not be reached")
        db.session.remove()
        db.engine.dispose()


def test_files_are_deleted_after_the_keeping_time_and_can_be_built_again(app, client, lead_world):
    location = _ask_for_zip(client, lead_world["lead"])
    with app.app_context():
        job = _only_job()
        path = Path(result_dir(app), job.result_path)
        assert runner.delete_old_files(app, now=utcnow() + dt.timedelta(days=6)) == []
        assert runner.delete_old_files(app, now=utcnow() + dt.timedelta(days=8)) == [job.id]
        assert not path.exists() and _job(job.id).result_path is None
    assert client.get(location + "/file").status_code == 404
    body = client.get(location).get_data(as_text=True)
    assert "The file was deleted" in body and "Build it again" in body


# --- state changes: never twice at once, never "running" for ever ----------------------------------------


def _stale_running(lead, attempts=1, minutes=10):
    job = _queued_job(
        lead, state="running", run_id="old", attempts=attempts, heartbeat_at=utcnow() - dt.timedelta(minutes=minutes)
    )
    return job


def test_a_job_starts_once_however_many_messages_or_workers_ask(app, lead_world):
    with app.app_context():
        job = _queued_job(lead_world["lead"], params={"family_ids": lead_world["ids"]})
    barrier = threading.Barrier(4)
    outcomes = []

    def worker():
        barrier.wait()
        outcomes.append(runner.execute(app, job.id))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["done", "skipped", "skipped", "skipped"]
    with app.app_context():
        assert _job(job.id).attempts == 1


def test_a_job_whose_worker_stopped_is_queued_again_and_built(app, lead_world):
    with app.app_context():
        job = _stale_running(lead_world["lead"])
        job.params = {"family_ids": lead_world["ids"]}
        db.session.commit()
        assert runner.reap_stale(app) == {"requeued": [job.id], "failed": [], "resent": []}
        # Immediate mode: queuing it again ran it.
        job = _job(job.id)
        assert (job.state, job.attempts, job.progress_done) == ("done", 2, 2)


def test_a_job_is_failed_with_a_message_after_its_last_attempt(app, lead_world):
    with app.app_context():
        job = _stale_running(lead_world["lead"], attempts=3)
        assert runner.reap_stale(app)["failed"] == [job.id]
        job = _job(job.id)
        assert (job.state, job.message, job.run_id) == ("failed", runner.STOPPED_MESSAGE, None)
        assert job.finished_at is not None


def test_a_running_job_with_a_fresh_heartbeat_is_left_alone(app, lead_world):
    with app.app_context():
        job = _stale_running(lead_world["lead"], minutes=1)
        assert runner.reap_stale(app) == {"requeued": [], "failed": [], "resent": []}
        assert _job(job.id).state == "running"


def test_a_queued_job_whose_message_was_lost_is_sent_again(app, lead_world):
    with app.app_context():
        job = _queued_job(
            lead_world["lead"],
            params={"family_ids": lead_world["ids"]},
            heartbeat_at=utcnow() - dt.timedelta(minutes=10),
        )
        assert runner.reap_stale(app)["resent"] == [job.id]
        assert _job(job.id).state == "done"


def test_a_worker_thought_dead_cannot_finish_a_job_taken_from_it(app, lead_world):
    with app.app_context():
        job = _queued_job(lead_world["lead"], params={"family_ids": lead_world["ids"]})
        assert runner._start(job.id, "slow")
        slow = runner.JobRun(app, _job(job.id), "slow", result_dir(app) / "slow.zip")
        slow.progress(1, 2)
        db.session.execute(sa.update(Job).where(Job.id == job.id).values(heartbeat_at=utcnow() - dt.timedelta(hours=1)))
        db.session.commit()
        runner.reap_stale(app)  # queued again, and (immediate mode) built by another run
        assert _job(job.id).state == "done"
        with pytest.raises(runner.JobLost):
            slow.progress(2, 2)
        assert not runner._finish(job.id, "slow", state="failed", message="x")
        assert _job(job.id).state == "done"


def test_two_housekeepers_at_once_queue_a_stale_job_once(app, lead_world):
    other = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "JOBS_IMMEDIATE": False,
            "JOBS_QUEUE_FILE": app.config["JOBS_QUEUE_FILE"] + "-other",
        },
    )
    with app.app_context():
        running = _stale_running(lead_world["lead"])
        lost = _queued_job(lead_world["lead"], heartbeat_at=utcnow() - dt.timedelta(minutes=10))
    barrier = threading.Barrier(2)
    results = []

    def housekeeper():
        barrier.wait()
        with other.app_context():
            results.append(runner.reap_stale(other))
            db.session.remove()

    threads = [threading.Thread(target=housekeeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r["requeued"] for r in results) == [[], [running.id]]
    assert sorted(r["resent"] for r in results) == [[], [lost.id]]
    assert len(queue_for(other).huey) == 2  # one message for each job
    with other.app_context():
        assert (_job(running.id).state, _job(lost.id).state) == ("queued", "queued")
        db.engine.dispose()


@pytest.mark.parametrize("state", ["queued", "running"])
def test_a_change_from_an_out_of_date_view_of_a_job_is_refused(app, lead_world, state):
    # Two housekeepers that both saw the job stale: only the first one's change is made.
    with app.app_context():
        job = (
            _stale_running(lead_world["lead"])
            if state == "running"
            else _queued_job(lead_world["lead"], heartbeat_at=utcnow() - dt.timedelta(minutes=10))
        )
        seen = db.session.execute(
            sa.select(Job.id, Job.kind, Job.state, Job.run_id, Job.attempts, Job.heartbeat_at).where(Job.id == job.id)
        ).one()
        assert runner._transition(seen, {"heartbeat_at": utcnow()})
        assert not runner._transition(seen, {"heartbeat_at": utcnow()})
