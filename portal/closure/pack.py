"""The closure pack: one ZIP with the closure summary PDF, every accepted evidence document
behind it, and a manifest (JSON, and the same as readable text).

The manifest lists each document with its evidence item, its sha256 and who uploaded it,
and the summary's verification code; so whoever receives the pack can check that every
file is the one the portal holds (sha256sum) and check the summary at /verify.

Small packs are built inside the request; a pack with more than
CLOSURE_PACK_SYNC_MAX_DOCUMENTS documents or CLOSURE_PACK_SYNC_MAX_BYTES of them is
built as a background job (portal/jobs) and the lead professional is sent to its page.
"""

import datetime as dt
import hashlib
import io
import json
import zipfile

from flask import current_app
from sqlalchemy.orm import selectinload

from ..access import can_see
from ..documents import service as documents
from ..extensions import db
from ..jobs import JobKind, register, start_job
from ..jobs.service import unfinished_like
from ..models import Evidence, Family
from ..roles import Role
from ..verdicts import day
from . import service
from . import snapshot as snapshots
from .views import download_name

KIND = "closure-pack"
MANIFEST_JSON = "manifest.json"
MANIFEST_TEXT = "manifest.txt"
CHECK_IT = "check it on the portal's 'Check a closure summary' page"


def accepted_documents(family) -> list:
    """The documents of the family's accepted evidence (the versions the verdict rests on)."""
    rows = db.session.scalars(
        db.select(Evidence)
        .where(Evidence.family_id == family.id)
        .options(*Evidence.with_status(), selectinload(Evidence.documents))
        .order_by(Evidence.outcome_id, Evidence.id)
    ).all()
    return [d for e in rows if e.status == "accepted" for d in e.documents]


def in_background(docs) -> bool:
    config = current_app.config
    return (
        len(docs) > config["CLOSURE_PACK_SYNC_MAX_DOCUMENTS"]
        or sum(d.size for d in docs) > config["CLOSURE_PACK_SYNC_MAX_BYTES"]
    )


def pack_name(family) -> str:
    return download_name(family.ref).removesuffix("-closure-summary.pdf") + "-closure-pack.zip"


def build(family, user, out, progress=lambda done, total: None) -> dict:
    """Write the pack to `out` (a path or a binary file); returns the manifest.

    Generates and records a closure summary (with its verification code) as the
    summary download does. The caller commits.
    """
    docs = accepted_documents(family)
    total = len(docs) + 1
    progress(0, total)
    built, pdf = service.generate(family, user)
    summary_name = download_name(family.ref)
    manifest = {
        "family": {"id": family.id, "reference": family.ref},
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "built_by": user.name,
        "summary": {
            "file": summary_name,
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "verification_code": snapshots.grouped(built.code),
        },
        "documents": [],
    }
    # The summary's record waits, unflushed, for the caller's commit: on SQLite a flushed
    # INSERT would hold the write lock while the job's progress is written on another connection.
    with db.session.no_autoflush, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(summary_name, pdf)
        progress(1, total)
        for done, doc in enumerate(docs, 2):
            evidence = doc.evidence
            path = f"documents/evidence-{evidence.id}-v{evidence.version}/{doc.id}-{doc.download_name}"
            archive.writestr(path, documents.read(doc))  # checks the stored bytes against their sha256
            manifest["documents"].append(
                {
                    "file": path,
                    "document_id": doc.id,
                    "evidence_id": evidence.id,
                    "evidence_version": evidence.version,
                    "outcome": evidence.outcome_id,
                    "type": doc.kind,
                    "size": doc.size,
                    "sha256": doc.sha256,
                    "uploaded_by": doc.uploaded_by.name,
                    "uploaded_by_agency": doc.uploaded_by.agency.name if doc.uploaded_by.agency else "",
                    "uploaded_at": doc.uploaded_at.isoformat(timespec="seconds"),
                }
            )
            progress(done, total)
        archive.writestr(MANIFEST_JSON, json.dumps(manifest, indent=2, ensure_ascii=False))
        archive.writestr(MANIFEST_TEXT, readable(manifest))
    return manifest


def readable(manifest: dict) -> str:
    summary = manifest["summary"]
    lines = [
        f"Closure pack for family {manifest['family']['reference']}",
        f"Built on {_when(manifest['built_at'])} by {manifest['built_by']}",
        "",
        f"Closure summary: {summary['file']}",
        f"  Verification code: {summary['verification_code']} ({CHECK_IT})",
        f"  sha256: {summary['sha256']}",
        "",
        f"Accepted evidence documents: {len(manifest['documents'])}",
    ]
    for d in manifest["documents"]:
        by = d["uploaded_by"] + (f", {d['uploaded_by_agency']}" if d["uploaded_by_agency"] else "")
        lines += [
            "",
            d["file"],
            f"  Evidence for outcome {d['outcome']}, version {d['evidence_version']} (portal item {d['evidence_id']})",
            f"  Uploaded by {by} on {_when(d['uploaded_at'])}",
            f"  {d['type'].upper()}, {d['size']} bytes, sha256 {d['sha256']}",
        ]
    return "\n".join(lines) + "\n"


def _when(iso: str) -> str:
    """A stored time as people read it: 29 November 2026 at 06:52 UTC (the JSON keeps the ISO form)."""
    at = dt.datetime.fromisoformat(iso).astimezone(dt.UTC)
    return f"{day(at.date())} at {at:%H:%M} UTC"


def build_in_memory(family, user) -> tuple[bytes, dict]:
    buffer = io.BytesIO()
    manifest = build(family, user, buffer)
    return buffer.getvalue(), manifest


# -- as a background job -------------------------------------------------------------------------


def _family(job) -> Family | None:
    return db.session.get(Family, job.params.get("family_id"))


def _run(run):
    family = _family(run.job)
    build(family, run.job.requested_by, run.out_path, run.progress)
    db.session.commit()
    # Ids only: the file's name goes into the download's audit detail.
    return f"closure-pack-family-{family.id}-job-{run.job.id}.zip"


def _may_see(user, job) -> bool:
    # Still the family's lead professional when they look (not after a handover).
    family = _family(job)
    return family is not None and user.role == Role.LEAD_PROFESSIONAL and can_see(user, family)


CLOSURE_PACK = register(
    JobKind(
        name=KIND,
        title="Closure pack (ZIP)",
        run=_run,
        viewer_roles=(),  # only the lead professional who asked
        may_see=_may_see,
        families=lambda job: [job.params.get("family_id")],
        family_audit_action="closure.pack-download",
        unit="files",
        describe=lambda job: "the closure summary and its accepted evidence documents",
    )
)


def start(family, user):
    """Queue the pack's job (or return the same one still being built: a double click makes one job)."""
    params = {"family_id": family.id}
    return unfinished_like(KIND, user, params) or start_job(
        KIND, user, params=params, subject=("family", family.id), audit_detail=f"closure pack family {family.id}"
    )
