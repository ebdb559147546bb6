"""A ZIP of closure summaries, built as a background job (portal/jobs).

Offered to lead professionals for all their families (the family list); any
feature can ask for one for families its user may see, with start().
"""

import zipfile

import sqlalchemy as sa

from ..access import can_see
from ..extensions import db
from ..jobs import JobKind, register, start_job
from ..jobs.service import unfinished_like
from ..models import Family
from . import service
from .service import download_name

KIND = "closure-summaries-zip"


class NotVisible(Exception):
    """A family asked for is not one the user may see."""


def build_zip(family_ids, out_path, user, progress):
    """Write one closure summary PDF per family into the ZIP at out_path.

    The one place the ZIP is made, so the batch renderer
    (portal.closure.pdf.render_summaries(family_ids, out_zip_path, progress=...))
    can replace this body. progress(done, total) after each family.
    """
    families = _families(family_ids)
    names = set()
    with zipfile.ZipFile(out_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        progress(0, len(families))
        for done, family in enumerate(families, 1):
            name = download_name(family.ref)
            if name in names:  # two references that differ only in characters made safe
                name = f"{family.id}-{name}"
            names.add(name)
            _built, pdf = service.generate(family, user)  # recorded, with its verification code
            archive.writestr(name, pdf)
            db.session.commit()
            progress(done, len(families))


def _families(family_ids) -> list[Family]:
    return db.session.scalars(sa.select(Family).where(Family.id.in_(family_ids)).order_by(Family.ref)).all()


def _run(run):
    job = run.job
    build_zip(job.params["family_ids"], run.out_path, job.requested_by, run.progress)
    return f"closure-summaries-{job.created_at:%Y-%m-%d}-job-{job.id}.zip"


def _may_see(user, job) -> bool:
    # Whoever looks must still see every family in the file (a family handed over since
    # it was built is no longer the old lead professional's to download).
    ids = job.params.get("family_ids", [])
    families = _families(ids)
    return len(families) == len(set(ids)) and all(can_see(user, f) for f in families)


CLOSURE_SUMMARIES_ZIP = register(
    JobKind(
        name=KIND,
        title="Closure summaries (ZIP)",
        run=_run,
        viewer_roles=(),  # only the lead professional who asked
        may_see=_may_see,
        families=lambda job: job.params.get("family_ids", []),
        family_audit_action="closure.download",
        unit="families",
        describe=lambda job: _count(len(job.params.get("family_ids", []))),
    )
)


def _count(n):
    return f"{n} {'family' if n == 1 else 'families'}"


def start(user, family_ids):
    """Ask for a ZIP of these families' closure summaries; refuses any the user may not see.

    A second request for the same families while the first is still being built
    returns the first (a double click makes one job, not two).
    """
    ids = sorted(set(family_ids))
    families = _families(ids)
    if len(families) != len(ids) or not all(can_see(user, f) for f in families):
        raise NotVisible
    params = {"family_ids": ids}
    return unfinished_like(KIND, user, params) or start_job(
        KIND, user, params=params, subject=("families", None), audit_detail=f"families {', '.join(str(i) for i in ids)}"
    )  # ids only (portal/audit/details.py)
