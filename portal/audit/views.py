from flask import render_template

from ..access import roles
from . import bp


@bp.get("/audit/families")
@roles("admin", "verifier")
def families():
    return render_template("admin/placeholder.html", page_title="Families and audit")
