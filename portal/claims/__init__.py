"""Payment-by-results claims (issue 10): windows, claimable families, claims, sample, verification, submission."""

from flask import Blueprint

bp = Blueprint("claims", __name__, url_prefix="/claims")

from . import line_views, views  # noqa: F401  (registers the routes)
