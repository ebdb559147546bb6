import re

from flask import Response, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import family_access, signed_in
from ..audit import record
from ..audit.details import request_detail
from ..extensions import db
from . import bp, service
from . import snapshot as snapshots


@bp.get("/families/<id:family_id>/closure-summary.pdf")
@family_access("lead_professional", "verifier", "programme_manager", action="closure.download")
def summary(family):
    built, pdf = service.generate(family, current_user)
    db.session.commit()
    disposition = f'attachment; filename="{download_name(family.ref)}"'
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": disposition, "X-Verification-Code": snapshots.grouped(built.code)})


def download_name(ref: str) -> str:
    # References are typed by people; keep the header safe whatever they typed.
    return re.sub(r"[^A-Za-z0-9._-]", "_", ref) + "-closure-summary.pdf"


# -- checking a code (/verify) ----------------------------------------------------------------------
# Open to anyone signed in, but a code only resolves for someone who may check that family
# (service.may_check); anyone else gets exactly the "not found" an unknown code gets.

ENTER = "Enter the verification code"
FORMAT = "Enter the verification code as printed on the summary: 12 letters and numbers, like 7KQ2-M9XD-4HTB"


@bp.get("/verify")
@signed_in
def verify_form():
    typed = request.args.get("code")
    if typed is None:
        return render_template("closure/verify.html", page_title="Check a closure summary", typed="")
    code = snapshots.normalise(typed)
    if code is None:
        message = ENTER if not typed.strip() else FORMAT
        return render_template("closure/verify.html", page_title="Check a closure summary", typed=typed[:40],
                               error=message, has_errors=True)
    return redirect(url_for("closure.verify", code=snapshots.grouped(code)))


@bp.get("/verify/<code>")
@signed_in
def verify(code):
    normalised = snapshots.normalise(code)
    row = service.find(normalised, current_user) if normalised else None
    if row is None:
        _audit_miss(normalised, code)
        return render_template("closure/verify.html", page_title="Check a closure summary",
                               typed=code[:40], not_found=True), 404
    result = service.check(row)
    said = "matches" if result.matches else f"{len(result.changes)} changed"
    record("closure.verify", row.family, detail=f"{request_detail()}: summary {row.id} {said}")
    db.session.commit()
    return render_template("closure/verify.html", page_title="Check a closure summary",
                           typed=snapshots.grouped(row.code), result=result, code=snapshots.grouped(row.code))


def _audit_miss(normalised, typed):
    # A code of a family the user may not check is audited against that family, like any
    # refused family read; the user is told only "not found".
    from ..models import ClosureSummary

    row = db.session.scalar(db.select(ClosureSummary).filter_by(code=normalised)) if normalised else None
    # Ids only: what was typed may be anything, so it is never written to the log.
    if row is not None:
        record("closure.verify-refused", row.family, detail=f"{request_detail()}: summary {row.id}")
    else:
        record("closure.verify-refused", detail=f"{request_detail()}: unknown")
    db.session.commit()
