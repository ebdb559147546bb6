from flask import Blueprint

bp = Blueprint("main", __name__)

from . import views  # noqa: F401  (registers the routes on bp)
