"""Your account: any signed-in user's details and changing their own password."""

import pytest

from portal.auth.passwords import verify_password
from portal.extensions import db
from portal.models import AuditEvent, User, UserSession
from tests.factories import PASSWORD, sign_in

NEW_PASSWORD = "walnut harbour copper tide"


def _change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    data = {
        "current_password": current,
        "new_password": new,
        "confirm_password": new if confirm is None else confirm,
    }
    return client.post("/account/", data=data)


def _actions(app, user):
    with app.app_context():
        return db.session.scalars(db.select(AuditEvent.action).filter_by(user_id=user.id).order_by(AuditEvent.id)).all()


def _password_unchanged(app, user):
    with app.app_context():
        return verify_password(db.session.get(User, user.id).password_hash, PASSWORD)


@pytest.mark.parametrize("role", ["admin", "lead_professional", "verifier", "partner"])
def test_every_role_sees_their_own_details(client, people, role):
    user = people[role]
    sign_in(client, user)
    page = client.get("/account/").get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Your account</h1>' in page
    for text in (user.name, user.email, user.role_label):
        assert text in page
    assert ("Hillside Primary School" in page) == (role == "partner")
    assert 'href="/account/"' in page  # the "Your account" link in the navigation


def test_signed_out_visitors_are_sent_to_sign_in(client, app):
    response = client.get("/account/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_a_wrong_current_password_is_refused_and_audited(client, app, people):
    user = people["partner"]
    sign_in(client, user)
    page = _change(client, current="not my password at all").get_data(as_text=True)
    assert "<title>Error: Your account" in page
    assert "Your current password is not correct" in page
    assert 'href="#current_password"' in page
    assert _password_unchanged(app, user)
    assert _actions(app, user)[-1] == "account.password-change refused: wrong current password"


@pytest.mark.parametrize(
    ("new", "confirm", "field", "message"),
    [
        ("short one", None, "new_password", "Password must be 12 characters or more"),
        ("password1234", None, "new_password", "Password is too common"),
        (
            PASSWORD,
            None,
            "new_password",
            "New password must be different from your current password",
        ),
        (
            NEW_PASSWORD,
            "walnut harbour copper",
            "confirm_password",
            "Confirm new password must match",
        ),
        ("", "", "new_password", "Enter a new password"),
        (NEW_PASSWORD, "", "confirm_password", "Enter your new password again"),
    ],
)
def test_a_bad_new_password_is_refused_with_the_reason(client, app, people, new, confirm, field, message):
    user = people["verifier"]
    sign_in(client, user)
    page = _change(client, new=new, confirm=confirm).get_data(as_text=True)
    assert message in page
    assert f'href="#{field}"' in page
    assert _password_unchanged(app, user)
    assert "account.password-change" not in _actions(app, user)


def test_an_empty_form_names_every_field(client, people):
    sign_in(client, people["verifier"])
    page = client.post("/account/", data={}).get_data(as_text=True)
    for message in (
        "Enter your current password",
        "Enter a new password",
        "Enter your new password again",
    ):
        assert message in page


def test_a_changed_password_works_and_the_old_one_no_longer_does(client, app, people):
    user = people["lead_professional"]
    sign_in(client, user)
    response = _change(client)
    assert response.status_code == 302
    assert "Your password has been changed" in client.get("/account/").get_data(as_text=True)

    refused = app.test_client().post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 200
    assert "Enter a correct email address and password" in refused.get_data(as_text=True)
    sign_in(app.test_client(), user, NEW_PASSWORD)
    assert "account.password-change" in _actions(app, user)


def test_changing_the_password_ends_other_sessions_but_keeps_this_one(client, app, people):
    user = people["partner"]
    elsewhere = app.test_client()
    sign_in(elsewhere, user)
    sign_in(client, user)

    _change(client)

    assert client.get("/account/").status_code == 200
    refused = elsewhere.get("/account/")
    assert refused.status_code == 302 and "/sign-in" in refused.headers["Location"]
    with app.app_context():
        sessions = db.session.scalars(db.select(UserSession).filter_by(user_id=user.id).order_by(UserSession.id)).all()
    assert [(s.ended_at is None, s.end_reason) for s in sessions] == [
        (False, "password changed"),
        (True, None),
    ]


def test_another_users_sessions_are_left_alone(client, app, people):
    other = app.test_client()
    sign_in(other, people["verifier"])
    sign_in(client, people["partner"])
    _change(client)
    assert other.get("/account/").status_code == 200
