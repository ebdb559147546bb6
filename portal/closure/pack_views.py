"""The lead professional's closure pack: downloaded at once when small, else built in the background."""

from flask import Response, redirect, url_for
from flask_login import current_user

from .. import audit
from ..access import family_access
from ..roles import Role
from . import bp, pack


@bp.post("/families/<id:family_id>/closure-pack")
@family_access(Role.LEAD_PROFESSIONAL, action="closure.pack")
def closure_pack(family):
    docs = pack.accepted_documents(family)
    if pack.in_background(docs):
        job = pack.start(family, current_user)
        return redirect(url_for("jobs.show", job_id=job.id))
    data, manifest = pack.build_in_memory(family, current_user)
    audit.save(current_user, "closure.pack-built", family, f"closure pack with {len(manifest['documents'])} documents")
    return Response(
        data,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{pack.pack_name(family)}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
