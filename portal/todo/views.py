"""The to-do page: thin; the lists are portal/todo/lists.py."""

from flask import render_template
from flask_login import current_user

from .. import audit
from ..access import roles
from ..audit.details import request_detail
from . import bp, lists


@bp.get("/to-do")
@roles(*lists.HOME_ROLES)
def index():
    sections = lists.sections_for(current_user)
    # One read of many families' rows: recorded once, by its route, as the review queue is.
    audit.save(current_user, "todo.read", detail=request_detail())
    return render_template("todo/index.html", sections=sections, page_title="What needs you")
