"""Signing in and out, passwords and server-side sessions."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import reset_views, session_views, two_factor_views, views  # noqa: F401  (registers the routes on bp)
