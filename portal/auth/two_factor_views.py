"""The second step of signing in: a code from the authenticator app, or setting the app up."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from ..access import public, signed_in
from ..ratelimit import limiter, sign_in_account_limit, sign_in_address_limit
from . import bp, pending, two_factor
from .forms import CodeForm, SetUpForm
from .lockout import check_code, complete_sign_in
from .views import finish_sign_in

START_AGAIN = "Sign in again: it took more than 10 minutes, or the sign-in was not started"


def _pending_user_or_restart():
    user = pending.user()
    if user is None:
        flash(START_AGAIN, "info")
    return user


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
@limiter.limit(sign_in_address_limit, methods=["POST"])
@limiter.limit(sign_in_account_limit, key_func=pending.account_key, methods=["POST"])
def second_factor():
    user = _pending_user_or_restart()
    if user is None:
        return redirect(url_for(".sign_in"))
    if not user.has_second_factor:
        return redirect(url_for(".set_up"))
    form = CodeForm()
    if form.validate_on_submit():
        kind, problem = check_code(user, form.code.data)
        if kind == "recovery":
            left = two_factor.recovery_codes_left(user)
            return finish_sign_in(
                user,
                pending.next_page(),
                "with a recovery code",
                f"You signed in with a recovery code. You have {left} left: "
                "get a new set on Your account if you are running out",
            )
        if kind == "app":
            return finish_sign_in(user, pending.next_page(), "with a code from the authenticator app")
        form.code.errors.append(problem)
    return render_template("auth/code.html", form=form, page_title="Enter your security code")


@bp.route("/sign-in/set-up", methods=["GET", "POST"])
@public
@limiter.limit(sign_in_address_limit, methods=["POST"])
@limiter.limit(sign_in_account_limit, key_func=pending.account_key, methods=["POST"])
def set_up():
    """A user without a second factor sets up an authenticator app before anything else."""
    user = _pending_user_or_restart()
    if user is None:
        return redirect(url_for(".sign_in"))
    if user.has_second_factor:
        return redirect(url_for(".finish_set_up" if pending.set_up_done() else ".second_factor"))
    two_factor.start_set_up(user)
    form = SetUpForm()
    if form.validate_on_submit():
        codes = two_factor.confirm_set_up(user, form.code.data)
        if codes is not None:
            pending.mark_set_up_done()
            return render_template(
                "auth/recovery_codes.html", codes=codes, signing_in=True, page_title="Save your recovery codes"
            )
        form.code.errors.append("Enter the 6-digit code your authenticator app shows now")
    return render_template(
        "auth/set_up.html",
        form=form,
        secret=two_factor.grouped_secret(user),
        page_title="Set up your authenticator app",
    )


@bp.get("/sign-in/set-up/qr-code.svg")
@public
def set_up_qr_code():
    """The QR code of the secret being set up, as an image (the CSP allows no inline data)."""
    user = pending.user()
    if user is None or user.totp_secret is None or user.has_second_factor:
        abort(404)
    uri = two_factor.provisioning_uri(user, current_app.config["SERVICE_NAME"])
    return two_factor.qr_code_svg(uri), 200, {"Content-Type": "image/svg+xml"}


@bp.route("/sign-in/set-up/done", methods=["GET", "POST"])
@public
def finish_set_up():
    user = _pending_user_or_restart()
    if user is None or not (user.has_second_factor and pending.set_up_done()):
        return redirect(url_for(".sign_in"))
    if not complete_sign_in(user):
        flash("Your account is locked. Wait, or ask your council’s portal admin", "info")
        return redirect(url_for(".sign_in"))
    return finish_sign_in(user, pending.next_page(), "after setting up an authenticator app")


@bp.post("/account/recovery-codes")
@signed_in
def new_recovery_codes():
    """A signed-in user replaces their recovery codes (the old ones stop working)."""
    codes = two_factor.new_recovery_codes(current_user)
    return render_template(
        "auth/recovery_codes.html", codes=codes, signing_in=False, page_title="Your new recovery codes"
    )
