from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user, logout_user

from ..access import signed_in
from . import bp
from .forms import ChangePasswordForm
from .passwords import change_password, refuse_wrong_password


@bp.route("/", methods=["GET", "POST"])
@signed_in
def index():
    form = ChangePasswordForm(user=current_user)
    if form.validate_on_submit():
        first = current_user.must_change_password
        change_password(current_user, form.new_password.data)
        flash("Your password has been changed. You have been signed out everywhere else", "success")
        return redirect(url_for("main.home") if first else url_for("account.index"))
    if form.wrong_current_password and refuse_wrong_password(current_user):
        # Too many wrong guesses: the account is now locked and every session ended.
        logout_user()
        session.clear()
        return redirect(url_for("auth.sign_in"))
    from ..auth.two_factor import recovery_codes_left

    return render_template(
        "account/index.html",
        form=form,
        page_title="Your account",
        recovery_codes_left=recovery_codes_left(current_user),
    )
