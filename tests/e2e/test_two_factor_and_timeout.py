"""Two-factor set-up and sign-in, and the timeout warning, in a real browser with axe."""

from datetime import timedelta

import pyotp
import pytest

from portal import create_app
from portal.extensions import db
from tests import factories as f
from tests.e2e.conftest import _serve_axe
from tests.e2e.live import LIVE
from tests.e2e.test_walkthrough import sign_in


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """As the shared live app, but a session idles out after 2 minutes 10 seconds, so the
    warning (2 minutes before the end) opens 10 seconds after a page loads."""
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e-2fa') / 'e2e.sqlite3'}"
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": True, "SESSION_IDLE_LIMIT": timedelta(seconds=130)},
    )
    _serve_axe(app)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    LIVE["app"] = app
    return app


@pytest.fixture(scope="module")
def people(live_app):
    with live_app.app_context():
        school = f.make_agency("Hillside Primary School", "school")
        return {
            "newcomer": f.make_user("partner", school, name="Nia Newcomer", second_factor=False),
            "verifier": f.make_user("verifier", name="Vic Verifier"),
        }


def test_a_new_user_sets_up_an_authenticator_app_and_saves_recovery_codes(checked_page, people, live_app):
    page = checked_page.page
    checked_page.goto("/sign-in")
    page.get_by_label("Email address").fill(people["newcomer"].email)
    page.get_by_role("textbox", name="Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    checked_page.axe()
    assert page.locator("h1").inner_text() == "Set up your authenticator app"
    qr = page.locator("img.app-qr-code")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the image route, not inline data
    secret = page.locator("#secret-key code").inner_text().replace(" ", "")
    page.get_by_label("Code from your app").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    checked_page.axe()
    assert page.title().startswith("Error: ")
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()
    checked_page.axe()
    assert page.locator("#recovery-codes li").count() == 10
    page.get_by_role("button", name="I have saved my recovery codes: continue").click()
    checked_page.axe()
    assert page.url.endswith("/to-do")  # where signing in lands: what needs them (portal/todo)
    checked_page.assert_clean()


def test_the_timeout_warning_opens_before_the_end_and_stay_signed_in_keeps_the_session(checked_page, people):
    page = checked_page.page
    sign_in(checked_page, people["verifier"])
    dialog = page.locator("dialog#timeout-warning")
    dialog.wait_for(state="visible", timeout=20_000)
    assert "You’re about to be signed out" in dialog.inner_text()
    checked_page.axe()  # the page with the modal open
    assert page.evaluate("() => document.activeElement.closest('dialog') !== null")  # focus is in the dialog
    page.get_by_role("button", name="Stay signed in").click()
    dialog.wait_for(state="hidden", timeout=5_000)
    status = page.evaluate("() => fetch('/session/status').then(r => r.json())")
    assert status["signed_in"] and status["seconds_left"] > 120
    checked_page.assert_clean()


def test_at_the_end_a_changed_form_is_kept_and_comes_back_after_signing_in(checked_page, people, live_app):
    page = checked_page.page
    sign_in(checked_page, people["verifier"])
    checked_page.goto("/account/")
    page.get_by_label("Current password").fill("typed but never sent")  # passwords are never kept
    with live_app.app_context():
        from portal.models import UserSession

        db.session.execute(db.update(UserSession).values(ended_at=db.func.now(), end_reason="idle"))
        db.session.commit()
    page.wait_for_url("**/sign-in?timed_out=1**", timeout=30_000)
    checked_page.axe()
    assert "You were signed out" in page.locator(".govuk-notification-banner").inner_text()
    checked_page.assert_clean()
