from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..access import public, signed_in
from ..audit import record
from ..extensions import db
from . import bp
from .forms import SignInForm
from .lockout import check_sign_in
from .sessions import end_session, start_session


@bp.route("/sign-in", methods=["GET", "POST"])
@public
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
    # Only paths on this site: an open redirect would help phishing.
    target = request.args.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else None


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
