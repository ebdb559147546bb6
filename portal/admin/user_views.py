from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import roles
from ..extensions import db
from ..handover import how_many_led_by
from ..models import User
from ..roles import Role
from . import bp, users
from .forms import EditUserForm, NewUserForm, PasswordResetForm


def user_or_404(user_id) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.get("/users", endpoint="users")
@roles(Role.ADMIN)
def users_list():
    return render_template("admin/users.html", users=users.all_users(), page_title="Users")


@bp.route("/users/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        data = form.data
        user = users.create_user(data["name"], data["email"], data["role"], data["agency_id"], data["password"])
        flash(f"{user.name}’s account is ready. Tell them their initial password yourself", "success")
        return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, page_title="Add a user")


@bp.get("/users/<id:user_id>")
@roles(Role.ADMIN)
def user(user_id):
    account = user_or_404(user_id)
    return render_template(
        "admin/user.html", account=account, families_led=how_many_led_by(account), page_title=account.name
    )


@bp.route("/users/<id:user_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_user(user_id):
    account = user_or_404(user_id)
    form = EditUserForm(user=account)
    if form.validate_on_submit():
        users.update_user(account, form.name.data, form.role.data, form.agency_id.data)
        flash(f"{account.name}’s details saved", "success")
        return redirect(url_for("admin.user", user_id=account.id))
    return render_template("admin/user_form.html", form=form, account=account, page_title=f"Change {account.name}")


@bp.route("/users/<id:user_id>/password", methods=["GET", "POST"])
@roles(Role.ADMIN)
def reset_password(user_id):
    account = user_or_404(user_id)
    if account.id == current_user.id:
        # Resetting would end the admin's own session; Your account keeps it.
        flash("Change your own password here", "info")
        return redirect(url_for("account.index"))
    form = PasswordResetForm(user=account)
    if form.validate_on_submit():
        users.reset_password(account, form.password.data)
        flash(
            f"{account.name}’s password is reset and they have been signed out. Tell them the new password yourself",
            "success",
        )
        return redirect(url_for("admin.user", user_id=account.id))
    return render_template(
        "admin/reset_password.html",
        form=form,
        account=account,
        page_title=f"Reset {account.name}’s password",
    )


@dataclass(frozen=True)
class Confirmation:
    """The wording of a confirm page; the check and the change come from users.py."""

    heading: str
    explain: str
    button: str
    done: str
    problem: Callable
    apply: Callable
    warning: bool = False


CONFIRMATIONS = {
    "deactivate": Confirmation(
        "Deactivate {name}’s account",
        "{name} will be signed out straight away and will not be able to sign in until an admin reactivates "
        "the account. Everything they recorded stays, and so does the audit log.",
        "Deactivate account",
        "{name}’s account is deactivated and they have been signed out",
        users.deactivate_problem,
        users.deactivate,
        warning=True,
    ),
    "reactivate": Confirmation(
        "Reactivate {name}’s account",
        "{name} will be able to sign in again with their current password.",
        "Reactivate account",
        "{name}’s account is active again",
        users.reactivate_problem,
        users.reactivate,
    ),
    "unlock": Confirmation(
        "Unlock {name}’s account",
        "{name}’s account was locked after 10 wrong passwords. Unlocking lets them try again with a fresh count. "
        "If they have forgotten their password, reset it as well.",
        "Unlock account",
        "{name}’s account is unlocked",
        users.unlock_problem,
        users.unlock,
    ),
    "reset-second-factor": Confirmation(
        "Reset {name}’s second factor",
        "Do this when {name} has lost the phone with their authenticator app and has no recovery codes left. "
        "Their app and recovery codes stop working and they are signed out. At their next sign-in, after "
        "their password, they set up an authenticator app again. Check it is really them asking, for "
        "example by calling them back on a number you already have.",
        "Reset second factor",
        "{name}’s second factor is reset. They will set up an authenticator app at their next sign-in",
        users.reset_second_factor_problem,
        users.reset_second_factor,
        warning=True,
    ),
}


@bp.route("/users/<id:user_id>/second-factor", methods=["GET", "POST"])
@roles(Role.ADMIN)
def reset_second_factor(user_id):
    return _confirm(user_id, "reset-second-factor")


# One route each (not an <any()> converter), so every URL is a plain, buildable path.
@bp.route("/users/<id:user_id>/deactivate", methods=["GET", "POST"])
@roles(Role.ADMIN)
def deactivate_user(user_id):
    return _confirm(user_id, "deactivate")


@bp.route("/users/<id:user_id>/reactivate", methods=["GET", "POST"])
@roles(Role.ADMIN)
def reactivate_user(user_id):
    return _confirm(user_id, "reactivate")


@bp.route("/users/<id:user_id>/unlock", methods=["GET", "POST"])
@roles(Role.ADMIN)
def unlock_user(user_id):
    return _confirm(user_id, "unlock")


def _confirm(user_id, action):
    """The confirm page on GET; the change on POST, unless users.py says it cannot be done."""
    account, step = user_or_404(user_id), CONFIRMATIONS[action]
    problem = step.problem(current_user, account)
    if request.method == "POST" and problem is None:
        step.apply(account)
        flash(step.done.format(name=account.name), "success")
        return redirect(url_for("admin.user", user_id=account.id))
    refused = problem is not None and request.method == "POST"
    page = render_template(
        "admin/confirm.html",
        account=account,
        step=step,
        problem=problem,
        has_errors=refused,
        page_title=step.heading.format(name=account.name),
    )
    return page, 409 if refused else 200
