"""A file built in the background, in a real browser, with a real worker process.

The portal here queues jobs (JOBS_IMMEDIATE off) on a SQLite queue; a
`flask jobs worker` process builds them. The job page is checked by axe while
waiting, while running (a progress bar) and when ready; htmx replaces the
progress without reloading the page, and the ZIP downloads with every family.
"""

import io
import os
import signal
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from portal.models import Job
from tests import factories as f
from tests.e2e.conftest import Checked, _serve_axe
from tests.e2e.live import LIVE
from tests.e2e.test_walkthrough import sign_in

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def jobs_settings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e-jobs")
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'e2e.sqlite3'}",
        "JOBS_QUEUE_FILE": str(folder / "queue.sqlite3"),
        "JOBS_RESULT_DIR": str(folder / "files"),
        "JOBS_IMMEDIATE": False,
        "JOBS_REDIS_URL": "",
    }


@pytest.fixture(scope="module")
def jobs_server(jobs_settings):
    app = create_app("testing", {**jobs_settings, "WTF_CSRF_ENABLED": True})
    _serve_axe(app)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    LIVE["app"] = app  # sign_in reads the app's database for the user's current code
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def checked(browser, jobs_server):
    context = browser.new_context(base_url=jobs_server[1], accept_downloads=True)
    yield Checked(context.new_page(), jobs_server[1])
    context.close()


@pytest.fixture(scope="module")
def lead(jobs_server):
    app, _ = jobs_server
    with app.app_context():
        lead = f.make_user("lead_professional", name="Lena Lead")
        families = [f.make_family(lead, name=f"Family {n}") for n in range(6)]
        return {"user": lead, "refs": sorted(family.ref for family in families)}


def start_worker(jobs_settings, tmp_path):
    env = {
        **os.environ,
        "PORTAL_CONFIG": "testing",
        "DATABASE_URL": jobs_settings["SQLALCHEMY_DATABASE_URI"],
        **{k: str(v) for k, v in jobs_settings.items() if k.startswith("JOBS_")},
    }
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115  (closed with the process)
    return subprocess.Popen(
        [str(BIN / "flask"), "--app", "portal", "jobs", "worker", "-w", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    ), log


def test_a_lead_professional_waits_for_the_zip_of_their_families_and_downloads_it(
    checked, jobs_server, jobs_settings, lead, tmp_path
):
    page = checked.page
    sign_in(checked, lead["user"])
    checked.goto("/families/")
    page.get_by_role("button", name="Download closure summaries of all my families").click()
    checked.axe()  # waiting for a worker: nothing runs jobs yet
    assert "Waiting for the next free worker" in page.locator("#job-progress").inner_text()
    page.evaluate("() => { window.stillTheSamePage = true }")

    worker, log = start_worker(jobs_settings, tmp_path)
    try:
        page.get_by_text("Your file is ready").wait_for(timeout=60_000)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        log.close()
    # htmx swapped the progress in place: the page was never reloaded.
    assert page.evaluate("() => window.stillTheSamePage === true")
    checked.axe()

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download", exact=False).click()
    download = download_info.value
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as archive:
        assert sorted(archive.namelist()) == [f"{ref}-closure-summary.pdf" for ref in lead["refs"]]
    checked.goto("/jobs/")
    assert "Closure summaries (ZIP): 6 families" in page.locator("main").inner_text()
    checked.assert_clean()


def test_a_job_being_built_shows_a_progress_bar_and_a_refresh_button(checked, jobs_server, lead):
    app, _ = jobs_server
    with app.app_context():
        job = Job(
            kind="closure-summaries-zip",
            requested_by_id=lead["user"].id,
            params={"family_ids": []},
            state="running",
            progress_done=2,
            progress_total=6,
        )
        db.session.add(job)
        db.session.commit()
    sign_in(checked, lead["user"])
    checked.goto(f"/jobs/{job.id}")
    page = checked.page
    assert page.get_by_label("2 of 6 families done").get_attribute("value") == "2"
    page.get_by_role("button", name="Refresh").click()  # what someone without JavaScript does
    checked.axe()
    assert page.url.endswith(f"/jobs/{job.id}")
    checked.assert_clean()
