"""The to-do page: thin; the lists are portal/todo/lists.py."""

from flask import render_template
from flask_login import current_user

from ..access import roles
from ..audit import record
from ..audit.details import request_detail
from ..extensions import db
from . import bp, lists


@bp.get("/to-do")
@roles(*lists.HOME_ROLES)
def index():
    sections = lists.sections_for(current_user)
    # One read of many families' rows: recorded once, by its route, as the review queue is.
    record("todo.read", detail=request_detail())
    db.session.commit()
    return render_template("todo/index.html", sections=sections, page_title="What needs you")
