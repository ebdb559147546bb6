from flask import Response, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit
from ..access import family_access, signed_in
from ..audit.details import request_detail
from ..roles import Role
from . import bp, service
from . import snapshot as snapshots
from .service import download_name


@bp.get("/families/<id:family_id>/closure-summary.pdf")
@family_access(Role.LEAD_PROFESSIONAL, Role.VERIFIER, Role.PROGRAMME_MANAGER, action="closure.download")
def summary(family):
    built, pdf = service.download(family, current_user)
    disposition = f'attachment; filename="{download_name(family.ref)}"'
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": disposition, "X-Verification-Code": snapshots.grouped(built.code)},
    )


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
        return render_template(
            "closure/verify.html",
            page_title="Check a closure summary",
            typed=typed[:40],
            error=message,
            has_errors=True,
        )
    return redirect(url_for("closure.verify", code=snapshots.grouped(code)))


@bp.get("/verify/<code>")
@signed_in
def verify(code):
    normalised = snapshots.normalise(code)
    row = service.find(normalised, current_user) if normalised else None
    if row is None:
        service.refused_check(normalised, current_user)
        return render_template(
            "closure/verify.html", page_title="Check a closure summary", typed=code[:40], not_found=True
        ), 404
    result = service.check(row)
    said = "matches" if result.matches else f"{len(result.changes)} changed"
    audit.save(current_user, "closure.verify", row.family, detail=f"{request_detail()}: summary {row.id} {said}")
    return render_template(
        "closure/verify.html",
        page_title="Check a closure summary",
        typed=snapshots.grouped(row.code),
        result=result,
        code=snapshots.grouped(row.code),
    )
