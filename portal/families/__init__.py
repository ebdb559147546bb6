"""Family cases: the list, the family page, and the lead professional's work on a case."""

from flask import Blueprint

bp = Blueprint("families", __name__, url_prefix="/families")

from . import views  # noqa: E402,F401
