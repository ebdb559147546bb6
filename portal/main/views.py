import logging

import sqlalchemy as sa
from flask import redirect, render_template, url_for
from flask_login import current_user

from ..access import public, signed_in
from ..extensions import db
from ..roles import Role
from . import bp

TEXT = {"Content-Type": "text/plain; charset=utf-8"}
HOME = {Role.ADMIN: "admin.users"}


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
    """For load balancers and uptime checks: the database answers (no templates, no session)."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        logging.getLogger(__name__).exception("health check: the database does not answer")
        db.session.rollback()
        return "database unavailable", 503, TEXT
    return "ok", 200, TEXT
