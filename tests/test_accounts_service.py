"""Accounts a council would accept: the common-password list, first passwords, create-admin."""

import gzip

import pytest
import sqlalchemy as sa

from portal.auth.passwords import COMMON_100K, common_passwords, guesses, password_problem
from portal.extensions import db
from portal.models import AuditEvent, User
from tests import factories as f
from tests.factories import sign_in

TOO_COMMON = "Password is too common"


def test_the_shipped_list_holds_the_100000_most_common_passwords():
    with gzip.open(COMMON_100K, "rt", encoding="utf-8") as shipped:
        listed = [line for line in shipped.read().splitlines() if line and not line.startswith("#")]
    assert len(listed) >= 100_000
    assert listed[:3] == ["123456", "password", "12345678"]  # most common first
    assert {p.lower() for p in listed} <= common_passwords()


@pytest.mark.parametrize(
    "password",
    [
        "P@ssw0rd2024!",
        "trustno1trustno1",
        "Pr1nc3ss2024!!",
        "$unshine2023!!",
        "dragondragondragon",
        "passssssssword",
        "iloveyou1234567",
        "!!Football1987",
        "M0nkey12345678",
    ],
)
def test_common_passwords_dressed_up_are_refused(password):
    assert TOO_COMMON in (password_problem(password) or "")


@pytest.mark.parametrize(
    "password",
    [
        "granite harbour teapot",
        "correct horse battery staple",
        "plum orbit kettle 47",
        "Quiet-Lantern-Sofa",
    ],
)
def test_passphrases_are_accepted(password):
    assert password_problem(password) is None


def test_leetspeak_and_repetition_are_read_back_before_the_check():
    assert "password" in guesses("P@ssw0rd2024!")
    assert "trustno1" in guesses("trustno1trustno1")
    assert "password" in guesses("paaaassword")


def test_a_hostile_password_is_answered_quickly_and_plainly():
    assert password_problem("a" * 100_000) == "Password must be 256 characters or fewer"
    assert password_problem("\x00" * 20) is not None


# --- a password an admin chose ----------------------------------------------------------------


def test_a_user_an_admin_added_must_change_the_password_first(client, app, people):
    sign_in(client, people["admin"])
    client.post(
        "/admin/users/new",
        data={
            "name": "Nia New",
            "email": "nia@example.org",
            "role": "verifier",
            "agency_id": "",
            "password": "chosen by the admin 1",
        },
    )
    client.post("/sign-out")
    with app.app_context():
        nia = db.session.scalars(sa.select(User).filter_by(email="nia@example.org")).one()
        assert nia.must_change_password
        nia.totp_secret, nia.totp_confirmed_at = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", db.func.now()
        db.session.commit()
    sign_in(client, nia, password="chosen by the admin 1")
    for path in ("/home", "/families/", "/account/recovery-codes"):
        response = client.get(path) if path != "/account/recovery-codes" else client.post(path)
        assert response.status_code == 302 and response.headers["Location"] == "/account/", path
    page = client.get("/account/").get_data(as_text=True)
    assert "Choose a new password before you carry on" in page
    changed = client.post(
        "/account/",
        data={
            "current_password": "chosen by the admin 1",
            "new_password": "my very own phrase",
            "confirm_password": "my very own phrase",
        },
    )
    assert changed.headers["Location"] == "/home"
    assert client.get("/families/").status_code == 200


def test_an_admin_reset_password_must_be_changed_too(client, app, people):
    user = people["verifier"]
    sign_in(client, people["admin"])
    client.post(f"/admin/users/{user.id}/password", data={"password": "reset by the admin 22"})
    with app.app_context():
        assert db.session.get(User, user.id).must_change_password


# --- flask create-admin ------------------------------------------------------------------------


def run(app, args, typed):
    return app.test_cli_runner().invoke(args=["create-admin", *args], input=typed)


def test_create_admin_asks_twice_and_applies_the_policy(app):
    result = run(
        app, ["First.Admin@Council.example"], "password1234\npassword1234\nmy own kettle sings\nmy own kettle sings\n"
    )
    assert result.exit_code == 0, result.output
    assert TOO_COMMON in result.output and "my own kettle sings" not in result.output
    with app.app_context():
        admin = db.session.scalars(sa.select(User).filter_by(email="first.admin@council.example")).one()
        assert admin.role == "admin" and not admin.must_change_password and admin.totp_secret is None
        assert db.session.scalars(sa.select(AuditEvent.action).filter_by(user_id=admin.id)).all() == ["user.create"]


def test_create_admin_refuses_when_the_two_passwords_differ_three_times(app):
    result = run(app, ["a@council.example"], "my own kettle sings\nmy own kettle hums\n" * 3)
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_create_admin_refuses_when_an_admin_exists_unless_forced(app, people):
    refused = run(app, ["b@council.example"], "my own kettle sings\nmy own kettle sings\n")
    assert refused.exit_code != 0 and "--force" in refused.output
    forced = run(app, ["b@council.example", "--force"], "my own kettle sings\nmy own kettle sings\n")
    assert forced.exit_code == 0, forced.output


def test_create_admin_refuses_a_bad_or_taken_email(app, people):
    assert run(app, ["not-an-email", "--force"], "").exit_code != 0
    assert run(app, [people["verifier"].email, "--force"], "").exit_code != 0


def test_the_new_admin_signs_in_by_setting_up_an_app(client, app):
    run(app, ["c@council.example"], "my own kettle sings\nmy own kettle sings\n")
    with app.app_context():
        admin = db.session.scalars(sa.select(User).filter_by(email="c@council.example")).one()
    response = client.post("/sign-in", data={"email": admin.email, "password": "my own kettle sings"})
    assert response.headers["Location"] == "/sign-in/set-up"


def test_factories_users_have_an_app_unless_asked(app):
    with app.app_context():
        assert f.make_user("partner").has_second_factor
        assert not f.make_user("partner", second_factor=False).has_second_factor
