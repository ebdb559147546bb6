from flask import abort, flash, redirect, render_template, url_for

from ..access import roles
from ..roles import Role
from ..rules.plan import load_plans
from . import bp, plans


@bp.get("/plans", endpoint="plans")
@roles(Role.ADMIN)
def plans_list():
    return render_template("admin/plans.html", rows=plans.plan_rows(), page_title="Plans")


# CSRFProtect checks the token on every POST, so these forms need no WTForms class.
@bp.post("/plans/<plan_id>/open")
@roles(Role.ADMIN)
def open_plan(plan_id):
    return _set_open(plan_id, True)


@bp.post("/plans/<plan_id>/close")
@roles(Role.ADMIN)
def close_plan(plan_id):
    return _set_open(plan_id, False)


def _set_open(plan_id, open_for_new_cases):
    plan = load_plans().get(plan_id) or abort(404)
    plans.set_open(plan, open_for_new_cases)
    state = "open for new cases" if open_for_new_cases else "closed to new cases"
    flash(f"{plan.council}: {plan.title} is now {state}", "success")
    return redirect(url_for("admin.plans"))
