"""Admin: agencies, users and which plans are open for new cases.

The views are thin; the rules (who may be changed how, what is audited) live in
agencies.py, users.py and plans.py.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import agency_views, handover_views, plan_views, user_views  # noqa: F401
