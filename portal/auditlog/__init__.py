"""The audit log's pages (blueprint "audit"). Recording lives in portal.audit, which every
feature and portal.access use; these pages sit above portal.access like any other feature."""

from flask import Blueprint

bp = Blueprint("audit", __name__)

from . import views  # noqa: F401
