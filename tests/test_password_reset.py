"""Forgotten passwords (issue 13, section 2): single use, an hour long, hashed, lockout, no enumeration, rate limits."""

import datetime as dt
import hashlib
import re

import pytest
import sqlalchemy as sa

from portal.auth.lockout import MAX_FAILED_SIGN_INS
from portal.auth.passwords import verify_password
from portal.extensions import db
from portal.models import AuditEvent, Notification, PasswordReset, User, UserSession
from portal.models.types import utcnow
from portal.notify.delivery import backend
from tests import factories as f
from tests.factories import comparable_page

NEW_PASSWORD = "lantern orchard pebble"


def ask(client, email):
    response = client.post("/forgotten-password", data={"email": email})
    response.close()  # the e-mail goes after the response
    return response


def link_sent_to(app, email) -> str:
    """The reset link as delivered (the outbox backend keeps secret links in this process only)."""
    sent = [body for to, _subject, body in backend(app).sent_here if to == email and "reset-password" in body]
    assert sent, f"no reset link sent to {email}"
    return re.search(r"http://127\.0\.0\.1:5000(/reset-password\?token=[\w-]+)", sent[-1]).group(1)


def token_of(link) -> str:
    return link.split("token=")[1]


def user_row(app, user_id) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


@pytest.fixture(autouse=True)
def _forget_sent(app):
    backend(app).sent_here.clear()


def test_a_user_resets_their_password_with_the_link_and_still_needs_their_second_factor(app, client, people):
    partner = people["partner"]
    page = ask(client, partner.email.upper())  # as typed, any case
    assert page.status_code == 200 and "Check your email" in page.get_data(as_text=True)
    link = link_sent_to(app, partner.email)
    form = client.get(link).get_data(as_text=True)
    assert "Choose a new password" in form and partner.email in form
    response = client.post(
        "/reset-password",
        data={"token": token_of(link), "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")
    assert verify_password(user_row(app, partner.id).password_hash, NEW_PASSWORD)
    # A reset signs nobody in: the new password leads to the authenticator code, as always.
    signing_in = client.post("/sign-in", data={"email": partner.email, "password": NEW_PASSWORD})
    assert signing_in.headers["Location"].endswith("/sign-in/code")
    assert client.get("/home").status_code == 302
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert "password-reset.request" in actions and "password-reset.complete" in actions
        kinds = db.session.scalars(sa.select(Notification.kind).order_by(Notification.id)).all()
        assert kinds == ["password-reset-link", "password-changed"]


def test_only_a_hash_of_the_token_is_stored_and_the_outbox_never_holds_the_link(app, client, people):
    ask(client, people["partner"].email)
    token = token_of(link_sent_to(app, people["partner"].email))
    with app.app_context():
        reset = db.session.scalars(sa.select(PasswordReset)).one()
        assert reset.token_hash == hashlib.sha256(token.encode()).hexdigest()
        message = db.session.scalars(sa.select(Notification)).one()
        assert token not in message.body and token not in message.link and "withheld" in message.body
        assert message.status == "sent"
        # Nothing in any column of any table holds the token.
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)).all():
                assert token not in " ".join(str(v) for v in row), table.name


def test_a_link_works_once(app, client, people):
    ask(client, people["partner"].email)
    token = token_of(link_sent_to(app, people["partner"].email))
    data = {"token": token, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    after_cool_off = client.post("/reset-password", data=data)
    assert after_cool_off.status_code == 302, after_cool_off.get_data(as_text=True)[-3000:]
    again = client.post(
        "/reset-password",
        data=data | {"new_password": "second lantern orchard", "confirm_password": "second lantern orchard"},
    )
    assert again.status_code == 410 and "expired or has already been used" in again.get_data(as_text=True)
    assert verify_password(user_row(app, people["partner"].id).password_hash, NEW_PASSWORD)
    assert client.get(f"/reset-password?token={token}").status_code == 410


def test_a_link_expires_after_an_hour(app, client, people):
    ask(client, people["partner"].email)
    token = token_of(link_sent_to(app, people["partner"].email))
    with app.app_context():
        reset = db.session.scalars(sa.select(PasswordReset)).one()
        assert dt.timedelta(minutes=59) < reset.expires_at - reset.created_at <= dt.timedelta(hours=1)
        db.session.execute(sa.update(PasswordReset).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
        db.session.commit()
    data = {"token": token, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert client.post("/reset-password", data=data).status_code == 410
    assert not verify_password(user_row(app, people["partner"].id).password_hash, NEW_PASSWORD)


def test_a_newer_link_stops_the_older_one_working(app, client, people):
    ask(client, people["partner"].email)
    first = token_of(link_sent_to(app, people["partner"].email))
    ask(client, people["partner"].email)
    second = token_of(link_sent_to(app, people["partner"].email))
    assert first != second
    assert client.get(f"/reset-password?token={first}").status_code == 410
    assert client.get(f"/reset-password?token={second}").status_code == 200


@pytest.mark.parametrize("token", ["", "x", "a" * 5000, "../../etc/passwd", "' or 1=1 --"])
def test_a_made_up_token_opens_nothing(client, token):
    response = client.post(
        "/reset-password", data={"token": token, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert response.status_code in (404, 410)


def test_the_lockout_still_applies_a_locked_account_is_not_reset_and_stays_locked(app, client, people):
    partner = people["partner"]
    ask(client, partner.email)
    token = token_of(link_sent_to(app, partner.email))
    for _ in range(MAX_FAILED_SIGN_INS):
        client.post("/sign-in", data={"email": partner.email, "password": "wrong wrong wrong"})
    locked = user_row(app, partner.id)
    assert locked.locked_at is not None
    data = {"token": token, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    response = client.post("/reset-password", data=data)
    assert response.status_code == 409 and "locked" in response.get_data(as_text=True)
    after = user_row(app, partner.id)
    assert after.locked_at is not None and after.failed_sign_ins == locked.failed_sign_ins
    assert not verify_password(after.password_hash, NEW_PASSWORD)
    # Once the cool-off is over (lifted as at sign-in) the same link works, within its hour.
    with app.app_context():
        db.session.execute(
            sa.update(User).where(User.id == partner.id).values(locked_until=utcnow() - dt.timedelta(seconds=1))
        )
        db.session.commit()
    after_cool_off = client.post("/reset-password", data=data)
    assert after_cool_off.status_code == 302, after_cool_off.get_data(as_text=True)[-3000:]


def test_a_reset_ends_every_session_of_the_account(app, client, people):
    partner = people["partner"]
    f.sign_in(client, partner)
    other = client.application.test_client()
    ask(other, partner.email)
    token = token_of(link_sent_to(app, partner.email))
    other.post("/reset-password", data={"token": token, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert client.get("/home").status_code == 302  # signed out
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(UserSession)
                .where(UserSession.user_id == partner.id, UserSession.ended_at.is_(None))
            )
            == 0
        )


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(app, client, people):
    known = ask(client, people["partner"].email)
    unknown = ask(client, "nobody-here@example.org")
    assert known.status_code == unknown.status_code == 200
    assert comparable_page(known.get_data(as_text=True)) == comparable_page(unknown.get_data(as_text=True))
    assert [to for to, _s, _b in backend(app).sent_here] == [people["partner"].email]


def test_a_deactivated_account_gets_no_link_and_the_same_answer(app, client, people):
    with app.app_context():
        user = db.session.get(User, people["partner"].id)
        user.active = False
        db.session.commit()
    page = ask(client, people["partner"].email)
    assert "Check your email" in page.get_data(as_text=True)
    assert list(backend(app).sent_here) == []


def test_requests_for_one_address_are_rate_limited(app, client, people):
    answers = [ask(client, people["partner"].email).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    page = client.post("/forgotten-password", data={"email": people["partner"].email})
    assert "Too many requests to reset a password" in page.get_data(as_text=True)
    assert len(backend(app).sent_here) == 3  # nothing sent over the limit


def test_a_weak_or_mismatched_new_password_is_refused_with_the_field_named(app, client, people):
    ask(client, people["partner"].email)
    token = token_of(link_sent_to(app, people["partner"].email))
    weak = client.post(
        "/reset-password", data={"token": token, "new_password": "password1234", "confirm_password": "password1234"}
    ).get_data(as_text=True)
    assert "Error:" in weak and 'href="#new_password"' in weak
    mismatch = client.post(
        "/reset-password", data={"token": token, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x"}
    ).get_data(as_text=True)
    assert "Confirm new password must match" in mismatch
    assert client.get(f"/reset-password?token={token}").status_code == 200  # the link is not used up
