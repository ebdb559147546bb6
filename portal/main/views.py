import logging

import sqlalchemy as sa
from flask import redirect, render_template, url_for
from flask_login import current_user

from ..access import public, signed_in
from ..extensions import db
from ..roles import Role
from . import bp, statutory

TEXT = {"Content-Type": "text/plain; charset=utf-8"}
# Each role lands on its to-do list (portal/todo), which links to the family list.
HOME = {
    Role.ADMIN: "admin.users",
    Role.PARTNER: "todo.index",
    Role.LEAD_PROFESSIONAL: "todo.index",
    Role.PROGRAMME_MANAGER: "todo.index",
    Role.VERIFIER: "todo.index",
}


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


# ---- The statutory and expected pages, linked from the footer (portal/main/statutory.py)


def _statutory(template, title):
    details = statutory.council_details()
    return render_template(
        f"main/{template}.html", page_title=title, council=details, unfinished=statutory.unfinished(details)
    )


@bp.get("/accessibility-statement")
@public
def accessibility_statement():
    return _statutory("accessibility_statement", "Accessibility statement")


@bp.get("/privacy")
@public
def privacy():
    return _statutory("privacy", "Privacy notice")


@bp.get("/cookies")
@public
def cookies():
    return _statutory("cookies", "Cookies")


@bp.get("/help")
@public
def help_page():
    return _statutory("help", "Get help with the portal")
