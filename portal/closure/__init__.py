"""The closure summary: a PDF of a family's case and the rules engine's verdict."""

from flask import Blueprint

bp = Blueprint("closure", __name__)

from . import views, zip_views  # noqa: F401
