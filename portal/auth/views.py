from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..access import public, signed_in
from ..audit import record
from ..extensions import db
from ..ratelimit import limiter, sign_in_account_key, sign_in_account_limit, sign_in_address_limit
from . import bp
from .forms import SignInForm
from .lockout import check_sign_in
from .next_page import safe_next_page
from .sessions import end_session, start_session

TOO_MANY = "Too many attempts to sign in. Wait a few minutes, then try again"


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(sign_in_address_limit, methods=["POST"])
@limiter.limit(sign_in_account_limit, key_func=sign_in_account_key, methods=["POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        user, problem = check_sign_in(form.email.data, form.password.data)
        if user is not None:
            return _signed_in(user)
        form.email.errors.append(problem)
    return render_template("auth/sign_in.html", form=form, page_title="Sign in")


def _signed_in(user):
    session.clear()  # a fresh session: nothing carried over from before sign-in
    start_session(user)
    login_user(user)
    record("sign-in", user=user)
    db.session.commit()
    return redirect(_next_page() or url_for("main.home"))


def _next_page():
    # Only the portal's own pages: an open redirect would help phishing.
    return safe_next_page(request.args.get("next"))


@bp.errorhandler(429)
def too_many_attempts(_error):
    """Over a sign-in limit: the form again, with a message, and nothing checked."""
    form = SignInForm(formdata=None)
    form.email.data = request.form.get("email", "")[:320]
    form.email.errors = [TOO_MANY]
    page = render_template("auth/sign_in.html", form=form, page_title="Sign in", has_errors=True)
    return page, 429


@bp.post("/sign-out")
@signed_in
def sign_out():
    end_session(current_user.session_token, "signed out")
    record("sign-out")
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("auth.sign_in"))
