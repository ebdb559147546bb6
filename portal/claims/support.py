"""Loading a claim or a line for a view (404 for a wrong id or a line of another claim), and audited reads."""

from flask import flash, redirect, url_for

from ..access import refuse
from ..audit import drop_read, record
from ..audit.details import request_detail
from ..extensions import db
from ..models import Claim, ClaimLine, ClaimWindow
from ..roles import Role

CLAIM_ROLES = (Role.PROGRAMME_MANAGER, Role.VERIFIER)
# A claim, window or line that does not exist (or a line asked for under another claim):
# 404, audited like every other refusal.
REFUSED = "claim.access-refused"


def window_or_404(window_id) -> ClaimWindow:
    return db.session.get(ClaimWindow, window_id) or refuse(REFUSED)


def claim_or_404(claim_id) -> Claim:
    return db.session.get(Claim, claim_id) or refuse(REFUSED)


def line_or_404(claim_id, line_id) -> ClaimLine:
    line = db.session.get(ClaimLine, line_id)
    if line is None or line.claim_id != claim_id:
        refuse(REFUSED, line.family if line is not None else None)  # a changed id is worth knowing about
    return line


def read(action, family=None, detail=""):
    """Audit a read of claim data (with the family when it is one family's)."""
    record(action, family, detail=detail or request_detail())
    db.session.commit()


# A claim action refused by a rule (segregation of duties, a stale form, a claim's state):
# the user is told why on the page they came from, and the audit log records it with the reason.
ACTION_REFUSED = "claim.action-refused"


def refused(message, endpoint, family=None, **values):
    """Refuse a claim action: audited (with the family when it is one family's), nothing else of
    the request saved, then back to `endpoint` with the reason."""
    drop_read()
    db.session.rollback()
    # The reason is on the page, not in the log: it names families, people and the engine's words.
    record("claim.action-refused", family, detail=request_detail())
    db.session.commit()
    flash(message)
    return redirect(url_for(endpoint, **values))
