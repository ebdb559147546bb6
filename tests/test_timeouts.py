"""No work lost to a timeout: the warning's endpoints, and forms kept across signing in again."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.extensions import db
from portal.models import Agency, Evidence, KeptForm, UserSession
from portal.models.types import utcnow
from tests import factories as f
from tests.factories import sign_in
from tests.test_evidence import attendance, durham  # noqa: F401  (the fixture)


def idle_out(app, minutes=31):
    with app.app_context():
        db.session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=minutes)))
        db.session.commit()


def last_seen(app):
    with app.app_context():
        return db.session.scalars(sa.select(UserSession.last_seen_at)).one()


def test_signed_in_pages_carry_the_timeout_warning_and_public_pages_do_not(client, people):
    assert "timeout-warning" not in client.get("/").get_data(as_text=True)
    sign_in(client, people["verifier"])
    page = client.get("/families/").get_data(as_text=True)
    left = int(re.search(r'data-seconds-left="(\d+)"', page).group(1))
    assert 1790 <= left <= 1800
    assert '<dialog class="app-timeout-warning"' in page and "Stay signed in" in page
    assert 'data-warn-seconds="120"' in page


def test_asking_how_long_is_left_does_not_keep_the_session_alive(client, app, people):
    sign_in(client, people["verifier"])
    idle_out(app, minutes=20)
    before = last_seen(app)
    status = client.get("/session/status").get_json()
    assert status["signed_in"] and 9 * 60 <= status["seconds_left"] <= 10 * 60
    assert last_seen(app) == before


def test_stay_signed_in_starts_the_idle_clock_again(client, app, people):
    sign_in(client, people["verifier"])
    idle_out(app, minutes=29)
    answer = client.post("/session/keep-alive", headers={"X-Requested-With": "fetch"}).get_json()
    assert answer["signed_in"] and answer["seconds_left"] >= 29 * 60
    idle_out(app, minutes=29)
    without_js = client.post("/session/keep-alive", data={"next": "/families/?page=2"})
    assert without_js.headers["Location"] == "/families/?page=2"
    assert client.post("/session/keep-alive", data={"next": "//evil.example"}).headers["Location"] == "/home"


def test_status_after_the_end_says_signed_out(client, app, people):
    sign_in(client, people["verifier"])
    idle_out(app)
    assert client.get("/session/status").get_json() == {"signed_in": False, "seconds_left": 0}
    assert client.post("/session/keep-alive").status_code == 302  # to sign in


def test_a_partners_evidence_sent_after_the_session_idled_out_comes_back_after_signing_in(client, app, people, durham):
    partner = people["partner"]
    sign_in(client, partner)
    idle_out(app)
    typed = attendance(durham.child, statement="Typed slowly over the phone with the school.")
    response = client.post(f"{durham.url}/new", data=typed)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next={durham.url}/new&timed_out=1"
    assert "you had typed but not sent is kept" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0  # nothing saved
    back = sign_in(client, partner, next_page=f"{durham.url}/new")
    assert back.headers["Location"] == f"{durham.url}/new"
    page = client.get(back.headers["Location"]).get_data(as_text=True)
    assert "What you typed was not sent" in page
    assert "Typed slowly over the phone with the school." in page
    assert 'value="92"' in page and 'value="School Census"' in page
    assert client.post(f"{durham.url}/new", data=typed).status_code == 302  # now it is sent
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 1
    assert "What you typed was not sent" not in client.get(f"{durham.url}/new").get_data(as_text=True)


def test_a_kept_form_is_offered_only_to_the_user_who_typed_it(client, app, people, durham):
    sign_in(client, people["partner"])
    idle_out(app)
    client.post(f"{durham.url}/new", data=attendance(durham.child, statement="Only mine."))
    with app.app_context():
        colleague = f.make_user("partner", db.session.get(Agency, people["school"].id))
    other = app.test_client()
    sign_in(other, colleague)
    assert "Only mine." not in other.get(f"{durham.url}/new").get_data(as_text=True)


def test_passwords_and_tokens_are_never_kept(client, app, people):
    sign_in(client, people["verifier"])
    idle_out(app)
    client.post(
        "/account/",
        data={"current_password": "secret one", "new_password": "secret two", "csrf_token": "t", "name": "kept"},
    )
    with app.app_context():
        fields = db.session.scalars(sa.select(KeptForm.fields)).one()
    assert fields == [["name", "kept"]]


def test_a_form_without_a_session_cookie_keeps_nothing(client, app, durham):
    response = client.post(f"{durham.url}/new", data=attendance(durham.child))
    assert response.status_code == 302 and "timed_out" not in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(KeptForm)) == 0


@pytest.fixture
def strict(database_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": True})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_form_with_an_expired_token_comes_back_filled_in_not_as_an_error(strict, people):
    client = strict.test_client()
    sign_in(client, people["admin"], csrf=True)
    response = client.post(
        "/admin/agencies/new",
        data={"name": "Riverside Housing Trust", "kind": "housing", "csrf_token": "expired-or-forged"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/agencies/new"
    page = client.get("/admin/agencies/new").get_data(as_text=True)
    assert "What you typed was not sent" in page
    assert 'value="Riverside Housing Trust"' in page
    assert re.search(r'value="housing"\s+checked|checked[^>]*value="housing"', page)
    with strict.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(Agency).filter_by(name="Riverside Housing Trust"))
            == 0
        )


def test_an_expired_token_on_the_evidence_form_keeps_what_was_typed(strict, people, durham):
    client = strict.test_client()
    sign_in(client, people["partner"], csrf=True)
    typed = attendance(durham.child, statement="Kept across an expired token.") | {"csrf_token": "old"}
    assert client.post(f"{durham.url}/new", data=typed).headers["Location"] == f"{durham.url}/new"
    assert "Kept across an expired token." in client.get(f"{durham.url}/new").get_data(as_text=True)


def test_an_expired_token_on_sign_in_asks_to_try_again(strict):
    response = strict.test_client().post(
        "/sign-in", data={"email": "a@b.example", "password": "x", "csrf_token": "old"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"


def test_the_warning_script_keeps_a_changed_form_at_the_end(client, app, people, durham):
    sign_in(client, people["partner"])
    idle_out(app)
    fields = attendance(durham.child, statement="Sent by the warning script.") | {"_kept_path": f"{durham.url}/new"}
    assert client.post("/session/keep-form", data=fields).status_code == 204
    sign_in(client, people["partner"])
    assert "Sent by the warning script." in client.get(f"{durham.url}/new").get_data(as_text=True)
    assert client.post("/session/keep-form", data={"_kept_path": "https://evil.example/x"}).status_code == 404


def test_a_kept_form_older_than_a_day_is_not_offered(client, app, people, durham):
    sign_in(client, people["partner"])
    idle_out(app)
    client.post(f"{durham.url}/new", data=attendance(durham.child, statement="Too old to offer."))
    with app.app_context():
        db.session.execute(sa.update(KeptForm).values(kept_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    sign_in(client, people["partner"])
    assert "Too old to offer." not in client.get(f"{durham.url}/new").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(KeptForm)) == 0


def test_only_an_address_a_form_is_sent_to_looks_for_a_kept_form(client, app, people, durham):
    """Forms are kept at the address they are sent to, so the family page (no form is sent to it)
    does not ask the database for one on every view; the evidence form's page still does."""
    sign_in(client, people["partner"])
    family_page = durham.url.rsplit("/evidence", 1)[0]
    asked = []

    def watch(conn, cursor, statement, *args):
        asked.append("kept_form" in statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", watch)
    try:
        assert client.get(family_page).status_code == 200
        on_family_page = any(asked)
        asked.clear()
        assert client.get(f"{durham.url}/new?outcome=2.1").status_code == 200
        on_form_page = any(asked)
    finally:
        sa.event.remove(engine, "before_cursor_execute", watch)
    assert not on_family_page
    assert on_form_page
