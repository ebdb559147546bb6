from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from .. import audit
from ..access import public, signed_in
from ..ratelimit import limiter, sign_in_account_key, sign_in_account_limit, sign_in_address_limit
from . import bp, pending
from .forms import CodeForm, SetUpForm, SignInForm
from .lockout import WRONG_DETAILS, check_sign_in, complete_sign_in
from .next_page import safe_next_page
from .sessions import end_session, start_session
from .two_factor import skips_second_factor

TOO_MANY = "Too many attempts to sign in. Wait a few minutes, then try again"


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(sign_in_address_limit, methods=["POST"])
@limiter.limit(sign_in_account_limit, key_func=sign_in_account_key, methods=["POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        user, problem = check_sign_in(form.email.data, form.password.data)
        if user is not None and skips_second_factor(user, current_app.config):
            if complete_sign_in(user):
                return finish_sign_in(user, _next_page(), "password only: demo account in development")
            problem = WRONG_DETAILS
        elif user is not None:
            pending.start(user, _next_page())
            return redirect(url_for(".second_factor" if user.has_second_factor else ".set_up"))
        form.email.errors.append(problem)
    return sign_in_page(form)


def sign_in_page(form, status=200):
    demo = bool(current_app.config.get("DEMO_ACCOUNTS_SKIP_SECOND_FACTOR"))
    page = render_template(
        "auth/sign_in.html",
        form=form,
        page_title="Sign in",
        demo_skips_second_factor=demo,
        timed_out=request.args.get("timed_out") == "1",
        has_errors=bool(form.errors),
    )
    return page, status


def finish_sign_in(user, next_page, how, message=None):
    """Both factors done (or the development demo's password alone): start the session."""
    session.clear()  # a fresh session: nothing carried over from before sign-in
    start_session(user)
    login_user(user)
    audit.save(user, "sign-in", detail=how)
    if message:
        flash(message, "info")
    return redirect(next_page or url_for("main.home"))


def _next_page():
    # Only the portal's own pages: an open redirect would help phishing.
    return safe_next_page(request.args.get("next"))


@bp.errorhandler(429)
def too_many_attempts(_error):
    """Over a sign-in limit: the form again, with a message, and nothing checked."""
    if request.endpoint in ("auth.forgotten_password", "auth.reset_password"):
        from .reset_views import too_many_reset_requests

        return too_many_reset_requests()
    if request.endpoint in ("auth.second_factor", "auth.set_up"):
        form = (CodeForm if request.endpoint == "auth.second_factor" else SetUpForm)(formdata=None)
        form.code.errors = [TOO_MANY]
        if request.endpoint == "auth.second_factor":
            template, title = "auth/code.html", "Enter your security code"
        else:
            template, title = "auth/set_up_limited.html", "Set up your authenticator app"
        return render_template(template, form=form, page_title=title, has_errors=True), 429
    form = SignInForm(formdata=None)
    form.email.data = request.form.get("email", "")[:320]
    form.email.errors = [TOO_MANY]
    return sign_in_page(form, 429)


@bp.post("/sign-out")
@signed_in
def sign_out():
    end_session(current_user.session_token, "signed out")
    audit.save(current_user, "sign-out")
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("auth.sign_in"))
