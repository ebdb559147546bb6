"""A live portal and a real Chromium for the end-to-end tests."""

import shutil
import threading
from pathlib import Path

import pytest
from flask import send_file
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from tests.e2e.live import LIVE

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
BENIGN_HTMX = ("htmx:sendAbort", "htmx:afterRequest")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{folder / 'e2e.sqlite3'}"
    # CSRF on, as in production: the browser must send the tokens itself.
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": True,
            "JOBS_QUEUE_FILE": str(folder / "jobs-queue.sqlite3"),
            "JOBS_RESULT_DIR": str(folder / "job-files"),
            "DOCUMENTS_DIR": str(folder / "documents"),
        },
    )
    _serve_axe(app)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    LIVE["app"] = app
    return app


def _serve_axe(app):
    # Same-origin, so the portal's CSP (script-src 'self') lets the page load it.
    def axe_script():
        return send_file(AXE, mimetype="text/javascript")

    axe_script._access_rule = "public (e2e tests only)"
    app.add_url_rule("/__e2e__/axe.min.js", "e2e_axe", axe_script)


@pytest.fixture(scope="module")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with live_app.app_context():
        db.engine.dispose()


def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is not installed: run scripts/test (it installs it) or apt-get install chromium")
    return path


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        yield browser
        browser.close()


class Checked:
    """A browser page that fails the test on console CSP violations and axe findings."""

    def __init__(self, page, base_url):
        self.page, self.base_url = page, base_url
        self.problems, self.checked = [], []
        page.on("console", self._console)

    def _console(self, message):
        # htmx reports a check it cancelled (the user typed again) as an
        # error; that is intended. Server errors arrive as htmx:responseError.
        if message.text.startswith(BENIGN_HTMX):
            return
        if "Content Security Policy" in message.text or message.type == "error":
            self.problems.append(f"{self.page.url}: console {message.type}: {message.text}")

    def goto(self, path):
        self.page.goto(self.base_url + path)
        self.axe()

    def axe(self):
        """Run axe-core on the page as it is now; record every WCAG A/AA violation."""
        self.page.wait_for_load_state("networkidle")
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(url=self.base_url + "/__e2e__/axe.min.js")
        result = self.page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
        self.checked.append(self.page.url)
        for v in result["violations"]:
            targets = [n["target"] for n in v["nodes"]][:3]
            self.problems.append(f"{self.page.url}: {v['id']} ({v['impact']}): {v['help']} at {targets}")

    def assert_clean(self):
        assert self.problems == [], "\n".join(self.problems)


@pytest.fixture
def checked_page(browser, live_server):
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    checked = Checked(page, live_server)
    yield checked
    context.close()
