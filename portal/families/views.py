from flask import render_template

from ..access import READERS, roles
from . import bp


@bp.get("/")
@roles(*READERS)
def index():
    return render_template("admin/placeholder.html", page_title="Families")
