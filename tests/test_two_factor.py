"""Two-factor sign-in: the code step, setting up the app, recovery codes, limits and resets."""

import re
import threading
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from portal.auth import lockout
from portal.extensions import db
from portal.models import AuditEvent, RecoveryCode, User, UserSession
from portal.models.types import utcnow
from tests import factories as f
from tests.factories import PASSWORD, sign_in, totp_code


def password_step(client, user, password=PASSWORD):
    return client.post("/sign-in", data={"email": user.email, "password": password})


def stored(app, user):
    with app.app_context():
        return db.session.get(User, user.id)


def actions(app, user):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent.action).filter_by(user_id=user.id).order_by(AuditEvent.id)).all()


def code_for(app, user):
    with app.app_context():
        return totp_code(user)


@pytest.fixture
def no_rate_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_LIMIT_PER_ADDRESS", "100000 per minute")
    monkeypatch.setitem(app.config, "SIGN_IN_LIMIT_PER_ACCOUNT", "100000 per minute")


def test_the_right_password_asks_for_a_code_and_signs_no_one_in_yet(client, app, people):
    response = password_step(client, people["verifier"])
    assert response.headers["Location"] == "/sign-in/code"
    assert client.get("/home").status_code == 302  # not signed in
    page = client.get("/sign-in/code").get_data(as_text=True)
    assert "Enter your security code" in page and 'autocomplete="one-time-code"' in page


def test_a_code_from_the_app_signs_in_and_is_audited(client, app, people):
    user = people["verifier"]
    password_step(client, user)
    response = client.post("/sign-in/code", data={"code": code_for(app, user)})
    assert response.headers["Location"] == "/home"
    assert client.get("/families/").status_code == 200
    assert "sign-in" in actions(app, user)


def test_a_wrong_code_is_refused_with_a_message_and_counted(client, app, people):
    user = people["verifier"]
    password_step(client, user)
    good = code_for(app, user)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    page = client.post("/sign-in/code", data={"code": wrong}).get_data(as_text=True)
    assert "Enter a correct security code" in page and "Error:" in page
    assert client.get("/home").status_code == 302
    assert stored(app, user).failed_sign_ins == 1
    assert "sign-in failed: wrong security code" in actions(app, user)


def test_a_code_is_accepted_only_once(client, app, people):
    user = people["verifier"]
    password_step(client, user)
    code = code_for(app, user)
    assert client.post("/sign-in/code", data={"code": code}).status_code == 302
    client.post("/sign-out")
    password_step(client, user)
    replay = client.post("/sign-in/code", data={"code": code})
    assert replay.status_code == 200 and "Enter a correct security code" in replay.get_data(as_text=True)


def test_the_same_code_sent_twice_at_once_signs_in_at_most_once(app, people, no_rate_limit):
    user = people["verifier"]
    clients = [app.test_client() for _ in range(6)]
    for client in clients:
        password_step(client, user)
    code = code_for(app, user)
    barrier, results = threading.Barrier(len(clients)), []

    def send(client):
        barrier.wait()
        results.append(client.post("/sign-in/code", data={"code": code}).status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results.count(302) == 1


def test_ten_wrong_codes_lock_the_account_even_with_the_right_password_between(client, app, people, no_rate_limit):
    user = people["verifier"]
    for _ in range(5):  # the attacker knows the password and retypes it between guesses
        password_step(client, user)
        for _ in range(2):
            client.post("/sign-in/code", data={"code": "000000"})
    assert stored(app, user).locked_at is not None
    password_step(client, user)
    assert client.post("/sign-in/code", data={"code": code_for(app, user)}).status_code == 200
    assert client.get("/home").status_code == 302


def test_a_right_code_after_a_lock_is_refused(client, app, people):
    user = people["verifier"]
    password_step(client, user)
    with app.app_context():
        db.session.execute(
            sa.update(User)
            .where(User.id == user.id)
            .values(locked_at=utcnow(), locked_until=utcnow() + timedelta(minutes=15))
        )
        db.session.commit()
    response = client.post("/sign-in/code", data={"code": code_for(app, user)})
    assert response.status_code == 200 and client.get("/home").status_code == 302


def test_a_successful_sign_in_with_both_factors_clears_the_count(client, app, people):
    user = people["verifier"]
    for _ in range(4):
        password_step(client, user, "not the password at all")
    sign_in(client, user)
    assert stored(app, user).failed_sign_ins == 0


def test_guessing_codes_is_rate_limited_per_account(client, app, people):
    user = people["verifier"]
    password_step(client, user)
    statuses = [client.post("/sign-in/code", data={"code": "123456"}).status_code for _ in range(16)]
    assert statuses[-1] == 429
    page = client.post("/sign-in/code", data={"code": "123456"}).get_data(as_text=True)
    assert "Too many attempts to sign in" in page and "Enter your security code" in page


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client):
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"
    assert client.post("/sign-in/code", data={"code": "123456"}).headers["Location"] == "/sign-in"


def test_a_half_done_sign_in_lapses_after_ten_minutes(client, app, people):
    user = people["verifier"]
    password_step(client, user)
    with client.session_transaction() as session:
        pending = dict(session["pending_sign_in"])
        session["pending_sign_in"] = {**pending, "at": pending["at"] - 11 * 60}
    assert client.post("/sign-in/code", data={"code": code_for(app, user)}).headers["Location"] == "/sign-in"


# --- setting up the app -----------------------------------------------------------------


@pytest.fixture
def newcomer(app, people):
    with app.app_context():
        return f.make_user("partner", people["school"], second_factor=False)


def test_a_user_without_a_second_factor_sets_up_an_app_before_anything_else(client, app, newcomer):
    assert password_step(client, newcomer).headers["Location"] == "/sign-in/set-up"
    page = client.get("/sign-in/set-up").get_data(as_text=True)
    assert client.get("/home").status_code == 302  # not signed in yet
    assert '<img class="app-qr-code" src="/sign-in/set-up/qr-code.svg"' in page
    secret = re.search(r'id="secret-key"><code>([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    assert secret == stored(app, newcomer).totp_secret
    qr = client.get("/sign-in/set-up/qr-code.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data


def test_setting_up_with_a_wrong_code_is_refused(client, app, newcomer):
    password_step(client, newcomer)
    client.get("/sign-in/set-up")
    page = client.post("/sign-in/set-up", data={"code": "12345x"}).get_data(as_text=True)
    assert "Enter the 6-digit code your authenticator app shows now" in page
    assert stored(app, newcomer).totp_confirmed_at is None


def test_setting_up_shows_ten_recovery_codes_once_then_signs_in(client, app, newcomer):
    password_step(client, newcomer)
    client.get("/sign-in/set-up")
    secret = stored(app, newcomer).totp_secret
    page = client.post("/sign-in/set-up", data={"code": pyotp.TOTP(secret).now()}).get_data(as_text=True)
    codes = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context():
        hashes = db.session.scalars(sa.select(RecoveryCode.code_hash).filter_by(user_id=newcomer.id)).all()
    assert len(hashes) == 10 and not set(codes) & set(hashes)  # only hashes are kept
    assert client.post("/sign-in/set-up/done").headers["Location"] == "/home"
    assert client.get("/families/").status_code == 200
    assert "two-factor set up" in actions(app, newcomer)


def test_the_qr_code_is_only_for_someone_setting_up(client, app, people):
    assert client.get("/sign-in/set-up/qr-code.svg").status_code == 404
    password_step(client, people["verifier"])  # already has an app
    assert client.get("/sign-in/set-up/qr-code.svg").status_code == 404


def set_up_and_get_codes(client, app, user):
    password_step(client, user)
    client.get("/sign-in/set-up")
    secret = stored(app, user).totp_secret
    page = client.post("/sign-in/set-up", data={"code": pyotp.TOTP(secret).now()}).get_data(as_text=True)
    client.post("/sign-in/set-up/done")
    client.post("/sign-out")
    return re.findall(r"<li><code>([a-z2-9-]+)</code></li>", page)


def test_a_recovery_code_signs_in_once(client, app, newcomer):
    codes = set_up_and_get_codes(client, app, newcomer)
    password_step(client, newcomer)
    response = client.post("/sign-in/code", data={"code": codes[3].upper().replace("-", " ")})
    assert response.headers["Location"] == "/home"
    assert "You have 9 left" in client.get("/families/").get_data(as_text=True)
    client.post("/sign-out")
    password_step(client, newcomer)
    again = client.post("/sign-in/code", data={"code": codes[3]})
    assert again.status_code == 200 and "Enter a correct security code" in again.get_data(as_text=True)


def test_new_recovery_codes_replace_the_old_ones(client, app, newcomer):
    old = set_up_and_get_codes(client, app, newcomer)
    sign_in(client, newcomer)
    page = client.post("/account/recovery-codes").get_data(as_text=True)
    new = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/sign-out")
    password_step(client, newcomer)
    assert client.post("/sign-in/code", data={"code": old[0]}).status_code == 200
    assert client.post("/sign-in/code", data={"code": new[0]}).status_code == 302


# --- the demo in development ---------------------------------------------------------------


def test_demo_accounts_skip_the_second_factor_only_where_the_config_allows(client, app, monkeypatch):
    with app.app_context():
        demo = f.make_user("verifier", email="verifier@demo.example", second_factor=False)
        other = f.make_user("verifier", second_factor=False)
    assert password_step(client, demo).headers["Location"] == "/sign-in/set-up"  # testing: no skip
    monkeypatch.setitem(app.config, "DEMO_ACCOUNTS_SKIP_SECOND_FACTOR", True)
    client = app.test_client()
    assert "sign in with their password alone" in client.get("/sign-in").get_data(as_text=True)
    assert password_step(client, demo).headers["Location"] == "/home"
    client.post("/sign-out")
    assert password_step(client, other).headers["Location"] == "/sign-in/set-up"


def test_only_development_lets_demo_accounts_skip(monkeypatch):
    from portal.config import CONFIGS

    assert CONFIGS["development"].DEMO_ACCOUNTS_SKIP_SECOND_FACTOR is True
    assert CONFIGS["production"].DEMO_ACCOUNTS_SKIP_SECOND_FACTOR is False
    assert CONFIGS["testing"].DEMO_ACCOUNTS_SKIP_SECOND_FACTOR is False


# --- an admin resets it ----------------------------------------------------------------------


def test_an_admin_resets_a_lost_second_factor_and_the_user_sets_up_again(app, people):
    admin_client, user_client = app.test_client(), app.test_client()
    user = people["partner"]
    sign_in(user_client, user)
    sign_in(admin_client, people["admin"])
    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Reset second factor" in page
    assert admin_client.post(f"/admin/users/{user.id}/second-factor").status_code == 302
    assert stored(app, user).totp_secret is None
    assert user_client.get("/families/").status_code == 302  # signed out at once
    assert password_step(user_client, user).headers["Location"] == "/sign-in/set-up"
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).filter_by(action="user.second-factor-reset")).one()
    assert event.user_id == people["admin"].id and event.detail == f"user {user.id}"  # ids only in audit details


def test_an_admin_cannot_reset_their_own_second_factor(client, app, people):
    sign_in(client, people["admin"])
    response = client.post(f"/admin/users/{people['admin'].id}/second-factor")
    assert response.status_code == 409 and stored(app, people["admin"]).totp_secret is not None


def test_only_admins_reset_second_factors(client, app, people):
    sign_in(client, people["lead_professional"])
    assert client.post(f"/admin/users/{people['partner'].id}/second-factor").status_code == 403
    assert stored(app, people["partner"]).totp_secret is not None


# --- session lifetime ------------------------------------------------------------------------


def test_a_session_ends_twelve_hours_after_sign_in_however_active(client, app, people):
    sign_in(client, people["verifier"])
    with app.app_context():
        db.session.execute(
            sa.update(UserSession).values(created_at=utcnow() - timedelta(hours=12, minutes=1), last_seen_at=utcnow())
        )
        db.session.commit()
    assert client.get("/families/").status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(UserSession.end_reason)).one() == "12 hours"


def test_a_session_younger_than_twelve_hours_goes_on(client, app, people):
    sign_in(client, people["verifier"])
    with app.app_context():
        db.session.execute(
            sa.update(UserSession).values(created_at=utcnow() - timedelta(hours=11, minutes=59), last_seen_at=utcnow())
        )
        db.session.commit()
    assert client.get("/families/").status_code == 200


def test_lockout_limit_is_shared_by_passwords_and_codes():
    assert lockout.MAX_FAILED_SIGN_INS == 10


def test_setting_up_is_rate_limited_too(client, app, newcomer):
    password_step(client, newcomer)
    client.get("/sign-in/set-up")
    statuses = [client.post("/sign-in/set-up", data={"code": "000000"}).status_code for _ in range(16)]
    assert statuses[-1] == 429
    page = client.post("/sign-in/set-up", data={"code": "000000"}).get_data(as_text=True)
    assert "Too many attempts to sign in" in page and "Set up your authenticator app" in page
