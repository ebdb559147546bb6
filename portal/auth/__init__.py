"""Signing in and out, passwords and server-side sessions."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import views  # noqa: F401  (registers the routes on bp)
