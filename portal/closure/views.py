import time

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit
from ..access import family_access, signed_in
from ..audit.details import request_detail
from ..ratelimit import limiter, signed_in_user_key, verify_limit
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
@limiter.limit(verify_limit, key_func=signed_in_user_key)
def verify(code):
    started = time.monotonic()
    normalised = snapshots.normalise(code)
    row = service.find(normalised, current_user) if normalised else None
    if row is None:
        service.refused_check(normalised, current_user)
        _no_sooner_than(started + current_app.config["VERIFY_REFUSAL_SECONDS"])
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


def _no_sooner_than(moment: float) -> None:
    """A refusal answers no sooner than `moment`: an unknown code and one the user may not check take
    the same time, though deciding the second loads the family and its team (docs/security.md)."""
    wait = moment - time.monotonic()
    if wait > 0:
        time.sleep(wait)
