import re

from flask import Response
from flask_login import current_user

from ..access import family_access
from . import bp
from .pdf import html_to_pdf
from .summary import summary_html


@bp.get("/families/<id:family_id>/closure-summary.pdf")
@family_access("lead_professional", "verifier", "programme_manager", action="closure.download")
def summary(family):
    pdf = html_to_pdf(summary_html(family, current_user))
    disposition = f'attachment; filename="{download_name(family.ref)}"'
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": disposition})


def download_name(ref: str) -> str:
    # References are typed by people; keep the header safe whatever they typed.
    return re.sub(r"[^A-Za-z0-9._-]", "_", ref) + "-closure-summary.pdf"
