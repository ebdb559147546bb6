"""The closure summary: a PDF of a family's case and the rules engine's verdict."""

from flask import Blueprint

bp = Blueprint("closure", __name__)


@bp.app_template_global()
def grouped(code: str) -> str:
    from .snapshot import grouped as _grouped

    return _grouped(code)


from . import pack_views, views, zip_views  # noqa: F401
