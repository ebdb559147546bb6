"""Your account: any signed-in user's own details and password."""

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")

from . import views  # noqa: F401
