"""Runs as a real service: styled error pages, request ids in logs and audit rows, /healthz."""

import io
import json
import logging

import pytest
import sqlalchemy as sa
from flask import abort

from portal import create_app
from portal.extensions import db
from portal.models import AuditEvent
from portal.requestlog import use_json_logs
from tests.factories import sign_in


@pytest.fixture
def faulty(database_url):
    """An app with routes that fail on purpose, and exceptions handled as in production."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, "PROPAGATE_EXCEPTIONS": False})

    def fails(code):
        if code == 500:
            raise RuntimeError("something broke")
        abort(code)

    fails._access_rule = "public (tests only)"
    app.add_url_rule("/__fails__/<int:code>", "fails", fails)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("code", [400, 403, 404, 405, 413, 429, 500])
def test_every_error_is_a_styled_page_with_the_security_headers_and_a_way_back(faulty, code):
    response = faulty.test_client().get(f"/__fails__/{code}")
    page = response.get_data(as_text=True)
    assert response.status_code == code
    assert '<link rel="stylesheet" href="/static/govuk-frontend/govuk-frontend.min.css">' in page
    assert 'class="govuk-heading-l"' in page and 'href="/"' in page
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_real_errors_are_styled_too(client, people):
    assert "Page not found" in client.get("/no-such-page").get_data(as_text=True)
    wrong_method = client.get("/sign-out")
    assert wrong_method.status_code == 405 and "POST" in wrong_method.headers["Allow"]
    assert "This page cannot be used like that" in wrong_method.get_data(as_text=True)
    too_big = client.post("/sign-in", data={"email": "x" * (3 * 1024 * 1024)})
    assert too_big.status_code == 413 and "too large" in too_big.get_data(as_text=True)
    sign_in(client, people["partner"])
    forbidden = client.get("/admin/users")
    assert forbidden.status_code == 403 and "Go to your home page" in forbidden.get_data(as_text=True)


def test_the_sign_in_page_still_answers_its_own_429(client, people):
    for _ in range(15):
        client.post("/sign-in", data={"email": people["partner"].email, "password": "wrong password here"})
    page = client.post("/sign-in", data={"email": people["partner"].email, "password": "x"})
    assert page.status_code == 429 and "Too many attempts to sign in" in page.get_data(as_text=True)
    assert 'name="password"' in page.get_data(as_text=True)


def test_a_500_page_gives_the_request_id_as_a_reference(faulty):
    response = faulty.test_client().get("/__fails__/500", headers={"X-Request-Id": "abc-123"})
    assert "Reference: <code>abc-123</code>" in response.get_data(as_text=True)


def test_a_request_id_is_honoured_or_made_and_sent_back(client):
    assert client.get("/", headers={"X-Request-Id": "from-the-proxy.1"}).headers["X-Request-Id"] == "from-the-proxy.1"
    made = client.get("/").headers["X-Request-Id"]
    assert len(made) == 32 and made != client.get("/").headers["X-Request-Id"]
    hostile = client.get("/", headers={"X-Request-Id": 'x"}; drop table' + "y" * 100}).headers["X-Request-Id"]
    assert len(hostile) == 32 and "drop" not in hostile


def test_audit_rows_carry_the_request_id(client, app, people):
    sign_in(client, people["verifier"])
    client.get("/families/", headers={"X-Request-Id": "req-families-1"})
    with app.app_context():
        ids = db.session.scalars(sa.select(AuditEvent.request_id).filter_by(action="family.list")).all()
        signed = db.session.scalars(sa.select(AuditEvent.request_id).filter_by(action="sign-in")).one()
    assert ids == ["req-families-1"]
    assert len(signed) == 32


def test_json_logs_have_one_object_a_line_with_the_request_id(client):
    out = io.StringIO()
    handler = use_json_logs(out)
    try:
        client.get("/healthz", headers={"X-Request-Id": "log-me-1"})
        logging.getLogger("portal.test").info("outside a request")
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    request_line = next(line for line in lines if line["logger"] == "portal.request")
    assert request_line["request_id"] == "log-me-1" and request_line["path"] == "/healthz"
    assert request_line["status"] == 200 and request_line["duration_ms"] >= 0
    assert lines[-1]["message"] == "outside a request" and "request_id" not in lines[-1]


def test_production_logs_json(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    create_app("production")
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_portal_json", False)]
    try:
        assert len(ours) == 1
    finally:
        for handler in ours:
            root.removeHandler(handler)


def test_healthz_checks_the_database(client, tmp_path):
    assert client.get("/healthz").get_data(as_text=True) == "ok"
    broken = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.sqlite3"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_data(as_text=True) == "database unavailable"
