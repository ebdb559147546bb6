"""Shared set-up for the claims tests: the demo families and logins, a claim built from them."""

import datetime as dt

import pytest

from portal.demo import load_demo
from portal.demo.people import DEMO_PASSWORD
from portal.extensions import db
from portal.models import ClaimWindow, User
from tests import factories as f

PHASE_2 = ["durham-2018", "southwark-2018", "suffolk-2017", "sunderland-2015"]
TURNED_AROUND_PHASE_2 = {
    "SUF-EX-0001",
    "SWK-0217",
    "DUR-2018-0412",
    "SUN-0142",
    "SUF-EX-0003",
    "SWK-0451",
    "DUR-2018-0733",
    "SUN-0318",
}


@pytest.fixture(autouse=True)
def claim_files(app, tmp_path, monkeypatch):
    """Claim files of each test in its own folder, not the developer's instance folder."""
    monkeypatch.setitem(app.config, "CLAIM_FILES_FOLDER", str(tmp_path / "claim-files"))


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo(dt.date.today())
        users = db.session.scalars(db.select(User)).all()
        for user in users:
            _ = user.agency  # loaded now: services audit with the user's agency after the session ends
        return {u.email.split("@")[0]: u for u in users}


def demo_window(app):
    with app.app_context():
        return db.session.scalar(db.select(ClaimWindow).order_by(ClaimWindow.id))


def sign_in(client, user):
    client.post("/sign-out")
    return f.sign_in(client, user, DEMO_PASSWORD)
