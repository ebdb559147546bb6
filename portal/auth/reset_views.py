"""Forgotten your password? Ask for a link; follow it to choose a new password (portal/auth/resets.py)."""

from flask import current_app, flash, redirect, render_template, request, url_for

from ..access import public
from ..ratelimit import limiter, reset_account_key, reset_account_limit, reset_address_limit
from . import bp, resets
from .forms import ForgottenPasswordForm, ResetPasswordForm

TOO_MANY = "Too many requests to reset a password. Wait a few minutes, then try again"


@bp.route("/forgotten-password", methods=["GET", "POST"])
@public
@limiter.limit(reset_address_limit, methods=["POST"])
@limiter.limit(reset_account_limit, key_func=reset_account_key, methods=["POST"])
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        resets.request_reset(form.email.data)
        return render_template("auth/reset_sent.html", page_title="Check your email")
    return render_template("auth/forgotten_password.html", form=form, page_title="Reset your password")


@bp.route("/reset-password", methods=["GET", "POST"])
@public
@limiter.limit(reset_address_limit, methods=["POST"])
def reset_password():
    token = request.form.get("token") if request.method == "POST" else request.args.get("token")
    reset = resets.usable(token or "")
    if reset is None:
        return render_template(
            "auth/reset_expired.html", page_title="This link has expired", message=resets.USED_OR_EXPIRED
        ), 410 if token else 404
    form = ResetPasswordForm(email=reset.user.email, data={"token": token})
    if form.validate_on_submit():
        problem = resets.complete_reset(token, form.new_password.data)
        if problem is None:
            flash(
                "Your password has been reset. Sign in with your new password and a code from your authenticator app",
                "success",
            )
            return redirect(url_for("auth.sign_in"))
        return render_template(
            "auth/reset_expired.html", page_title="Your password was not reset", message=problem
        ), 409
    return render_template(
        "auth/reset_password.html", form=form, email=reset.user.email, page_title="Choose a new password"
    )


def too_many_reset_requests():
    """Over a limit: the form again with the message; nothing was checked or sent."""
    form = ForgottenPasswordForm(formdata=None)
    form.email.data = request.form.get("email", "")[:320]
    form.email.errors = [TOO_MANY]
    current_app.logger.info("password reset requests over the limit")
    return render_template(
        "auth/forgotten_password.html", form=form, page_title="Reset your password", has_errors=True
    ), 429
