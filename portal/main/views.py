from flask import redirect, render_template, url_for
from flask_login import current_user

from ..access import public, signed_in
from . import bp

HOME = {"admin": "admin.users"}


@bp.get("/")
@public
def index():
    return render_template("main/index.html")


@bp.get("/home")
@signed_in
def home():
    """Where signing in lands: each role's main list."""
    return redirect(url_for(HOME.get(current_user.role, "families.index")))


@bp.get("/healthz")
@public
def healthz():
    # For load balancers and uptime checks: no database, no templates.
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
