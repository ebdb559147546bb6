"""The claim's files, built by a background job (portal/jobs) once the claim is submitted.

`build_claim_files` writes the claim CSV and the ZIP (every claimed line's closure
summary, the CSV and the claim report) into the claim's own folder and records them
(ClaimFile, append-only): those are the claim's files for good, downloaded from the
claim's pages. The job's own file is the claim CSV, so the job page offers it too.
"""

import shutil

from ..extensions import db
from ..jobs import JobKind, register, start_job
from ..models import Claim
from ..roles import Role
from . import files

KIND = "claim-files"
CLAIM_ROLES = (Role.PROGRAMME_MANAGER, Role.VERIFIER)


def start(claim, user):
    """Queue the build of the claim's files; the job (its page shows progress)."""
    return start_job(
        KIND, user, params={"claim_id": claim.id}, subject=("claim", claim.id), audit_detail=f"claim {claim.id}"
    )


def _run(run):
    claim_id = run.job.params["claim_id"]
    rows = files.build_claim_files(claim_id, progress=run.progress)
    csv_row = next(row for row in rows if row.kind == "csv")
    shutil.copyfile(files.file_path(csv_row), run.out_path)
    return f"claim-{claim_id}.csv"


def _may_see(user, job) -> bool:
    # Whoever looks must hold a claim role now: a programme manager who started the job and
    # has since become an admin, a partner or a lead professional no longer sees the claim's
    # files (the claim's own pages refuse them too). Checked for the requester as for anyone.
    return user.role in CLAIM_ROLES and db.session.get(Claim, job.params.get("claim_id")) is not None


def _families(job) -> list[int]:
    claim = db.session.get(Claim, job.params.get("claim_id"))
    return [line.family_id for line in files.included(claim)] if claim else []


def latest_job(claim):
    """The newest job building this claim's files, or None."""
    from ..models import Job

    return db.session.scalar(
        db.select(Job).filter_by(kind=KIND, subject_kind="claim", subject_id=claim.id).order_by(Job.id.desc()).limit(1)
    )


CLAIM_FILES = register(
    JobKind(
        name=KIND,
        title="Claim file and closure summaries",
        run=_run,
        viewer_roles=CLAIM_ROLES,  # programme managers and verifiers see every claim's files
        may_see=_may_see,
        families=_families,
        family_audit_action="closure.download",
        unit="steps",
        file_suffix=".csv",
        mimetype="text/csv",
        describe=lambda job: f"claim {job.params.get('claim_id')}",
    )
)
