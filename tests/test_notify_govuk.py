"""The GOV.UK Notify backend, through the official client, against a local stand-in for Notify's API.

No test reaches the internet: a small HTTP server on 127.0.0.1 answers as Notify's
`POST /v2/notifications/email` does, and records what the client sent.
"""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest

from portal import create_app
from portal.extensions import db
from portal.models import Notification
from portal.notify.delivery import NotifyBackend, backend, deliver
from tests import factories as f
from tests.conftest import jobs_paths

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"portal_test-{SERVICE_ID}-{SECRET}"
TEMPLATE = str(uuid.uuid4())


@pytest.fixture
def notify_api():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append({"path": self.path, "auth": self.headers["Authorization"], "body": body})
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"id": "6f1a9b3e-notify-id", "reference": body.get("reference")}).encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()


def test_a_message_goes_to_notify_with_its_template_and_personalisation(app, people, notify_api, tmp_path):
    url, received = notify_api
    notify_app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "NOTIFY_BACKEND": "notify",
            "NOTIFY_API_KEY": API_KEY,
            "NOTIFY_BASE_URL": url,
            "NOTIFY_TEMPLATE_IDS": {"evidence-returned": TEMPLATE},
            **jobs_paths(tmp_path),
        },
    )
    with notify_app.app_context():
        family = f.make_family(people["lead_professional"], name="Walsh family")
        row = Notification(
            kind="evidence-returned",
            user_id=people["partner"].id,
            email=people["partner"].email,
            family_ref=family.ref,
            link="http://127.0.0.1:5000/families/1/evidence/2",
            subject="s",
            body="b",
            status="pending",
        )
        db.session.add(row)
        db.session.commit()
        row_id, ref = row.id, family.ref
    assert isinstance(backend(notify_app), NotifyBackend)
    assert deliver(notify_app, row_id) == "sent"
    [call] = received
    assert call["path"] == "/v2/notifications/email"
    assert call["body"] == {
        "email_address": people["partner"].email,
        "template_id": TEMPLATE,
        "reference": f"portal-{row_id}",
        "personalisation": {
            "service": "Family outcomes portal",
            "family_ref": ref,
            "link": "http://127.0.0.1:5000/families/1/evidence/2",
        },
    }
    token = call["auth"].removeprefix("Bearer ")
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["iss"] == SERVICE_ID  # signed with the key's secret
    with notify_app.app_context():
        saved = db.session.get(Notification, row_id)
        assert (saved.status, saved.provider_ref) == ("sent", "6f1a9b3e-notify-id")


def test_a_kind_without_a_template_id_fails_with_that_reason_and_is_tried_again(app, people, notify_api, tmp_path):
    url, received = notify_api
    notify_app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "NOTIFY_BACKEND": "notify",
            "NOTIFY_API_KEY": API_KEY,
            "NOTIFY_BASE_URL": url,
            "NOTIFY_TEMPLATE_IDS": {},
            **jobs_paths(tmp_path),
        },
    )
    with notify_app.app_context():
        row = Notification(
            kind="account-created",
            user_id=people["partner"].id,
            email=people["partner"].email,
            subject="s",
            body="b",
            status="pending",
        )
        db.session.add(row)
        db.session.commit()
        row_id = row.id
    assert deliver(notify_app, row_id) == "pending"
    assert received == []
    with notify_app.app_context():
        saved = db.session.get(Notification, row_id)
        assert (saved.attempts, saved.error) == (1, "RuntimeError")


def test_production_refuses_notify_without_a_key(tmp_path):
    with pytest.raises(RuntimeError, match="NOTIFY_API_KEY"):
        create_app(
            "testing",
            {
                "NOTIFY_BACKEND": "notify",
                "NOTIFY_API_KEY": "",
                **jobs_paths(tmp_path),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            },
        )
