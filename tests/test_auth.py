"""Signing in and out, lockout, server-side sessions and the password policy."""

from datetime import timedelta

import pytest

from portal.auth.passwords import password_problem
from portal.extensions import db
from portal.models import AuditEvent, User, UserSession
from tests.factories import PASSWORD, make_user, sign_in


def test_a_user_signs_in_with_the_right_password_and_lands_on_their_list(client, people):
    response = sign_in(client, people["lead_professional"])
    assert response.headers["Location"].endswith("/home")
    assert client.get("/home").headers["Location"].endswith("/to-do")  # their to-do list (portal/todo)
    assert 'href="/families/"' in client.get("/to-do").get_data(as_text=True)


def test_a_wrong_password_is_refused_with_a_message_naming_the_field(client, people):
    response = client.post("/sign-in", data={"email": people["partner"].email, "password": "wrong password!!"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Sign in" in page
    assert "Enter a correct email address and password" in page
    assert 'href="#email"' in page


def test_an_empty_form_names_each_missing_field(client, app):
    page = client.post("/sign-in", data={}).get_data(as_text=True)
    assert "Enter your email address" in page
    assert "Enter your password" in page


def test_ten_wrong_passwords_lock_the_account_even_against_the_right_one(client, app, people):
    user = people["partner"]
    for _ in range(10):
        client.post("/sign-in", data={"email": user.email, "password": "not the password"})
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200  # the form again, not a redirect into the portal
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).locked_at is not None
        actions = db.session.scalars(db.select(AuditEvent.action).filter_by(user_id=user.id)).all()
    assert "account locked after 10 failed sign-ins" in actions


def test_nine_wrong_passwords_do_not_lock_and_a_success_resets_the_count(client, app, people):
    user = people["partner"]
    for _ in range(9):
        client.post("/sign-in", data={"email": user.email, "password": "not the password"})
    sign_in(client, user)
    with app.app_context():
        assert db.session.get(User, user.id).failed_sign_ins == 0


def test_a_deactivated_user_cannot_sign_in(client, app):
    with app.app_context():
        user = make_user("partner", active=False)
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200


def test_sign_out_ends_the_session_on_the_server_so_a_replayed_cookie_is_refused(client, people):
    sign_in(client, people["verifier"])
    old_cookie = client.get_cookie("session").value
    client.post("/sign-out")
    client.set_cookie("session", old_cookie)
    response = client.get("/families/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_a_session_idle_for_thirty_minutes_ends(client, app, people):
    sign_in(client, people["verifier"])
    _leave_idle(app, minutes=31)
    assert client.get("/families/").status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(UserSession)).end_reason == "idle"


def test_a_session_idle_for_29_minutes_carries_on(client, app, people):
    sign_in(client, people["verifier"])
    _leave_idle(app, minutes=29)
    assert client.get("/families/").status_code == 200


def test_sign_in_and_sign_out_are_audited(client, app, people):
    sign_in(client, people["verifier"])
    client.post("/sign-out")
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["sign-in", "sign-out"]
    assert events[0].user_role == "verifier"


def test_sign_in_does_not_redirect_off_site(client, people):
    user = people["verifier"]
    response = sign_in(client, user, next_page="//evil.example/")
    assert response.headers["Location"].endswith("/home")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short one", "Password must be 12 characters or more"),
        ("password1234", "Password is too common"),
        ("Password123456!", "Password is too common"),
        ("111111111111", "Password is too common"),
        ("aaaaaaaaaaaaaaa", "Password is too common"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, problem):
    assert password_problem(password).startswith(problem)


def test_a_long_passphrase_of_random_words_is_allowed():
    assert password_problem("marble kettle orbit lantern") is None


def test_a_password_containing_the_users_email_name_is_refused():
    assert password_problem("jo.bloggs-secure-2026", "jo.bloggs@council.gov.uk") is not None


def test_an_htmx_request_after_the_session_ended_asks_htmx_to_load_the_sign_in_page(client, app):
    response = client.get("/families/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/sign-in"


def _leave_idle(app, minutes):
    """Make the only session look as if its last request was `minutes` ago."""
    with app.app_context():
        row = db.session.scalar(db.select(UserSession))
        db.session.execute(
            db.update(UserSession)
            .where(UserSession.id == row.id)
            .values(last_seen_at=row.last_seen_at - timedelta(minutes=minutes))
        )
        db.session.commit()
