from flask import render_template

from ..access import public
from . import bp


@bp.get("/")
@public
def index():
    return render_template("main/index.html")


@bp.get("/healthz")
@public
def healthz():
    # For load balancers and uptime checks: no database, no templates.
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
