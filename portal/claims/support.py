"""Loading a claim or a line for a view (404 for a wrong id or a line of another claim), and audited reads."""

from flask import abort, flash, redirect, request, url_for

from ..audit import record
from ..extensions import db
from ..models import Claim, ClaimLine, ClaimWindow

CLAIM_ROLES = ("programme_manager", "verifier")


def window_or_404(window_id) -> ClaimWindow:
    return db.session.get(ClaimWindow, window_id) or abort(404)


def claim_or_404(claim_id) -> Claim:
    return db.session.get(Claim, claim_id) or abort(404)


def line_or_404(claim_id, line_id) -> ClaimLine:
    line = db.session.get(ClaimLine, line_id)
    if line is None or line.claim_id != claim_id:
        abort(404)
    return line


def read(action, family=None, detail=""):
    """Audit a read of claim data (with the family when it is one family's)."""
    record(action, family, detail=detail or f"{request.method} {request.path}")
    db.session.commit()


def refused(message, endpoint, **values):
    flash(message)
    return redirect(url_for(endpoint, **values))
