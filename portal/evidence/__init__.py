"""Evidence: partners submit and correct it, with live checks against the plan."""

from flask import Blueprint

bp = Blueprint("evidence", __name__, url_prefix="/families/<id:family_id>/evidence")

from . import (  # noqa: F401  (registers the routes; queue keeps the review queue in step with changes)
    queue,
    views,
)
