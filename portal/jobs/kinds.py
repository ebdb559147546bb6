"""Job kinds: what a job builds and who may see it, written once per kind.

A feature registers its kind at import (see portal/closure/summaries_zip.py):

    register(JobKind(
        name="claim-file", title="Claim file and closure summaries",
        run=build_claim_file,                 # (JobRun) -> download file name
        viewer_roles=(Role.PROGRAMME_MANAGER,),  # who sees everyone's jobs of this kind
        may_see=may_see_claim,                # (user, job) -> bool, checked for every viewer
        families=claim_family_ids,            # (job) -> family ids the file holds (audited)
    ))
"""

from collections.abc import Callable
from dataclasses import dataclass, field

_KINDS: dict[str, "JobKind"] = {}


def _no_families(job) -> list[int]:
    return []


@dataclass(frozen=True)
class JobKind:
    name: str
    # Shown as the job page's heading, e.g. "Closure summaries of your families".
    title: str
    # Builds the file at run.out_path, reporting run.progress(done, total) as it
    # goes, and returns the name the file is downloaded as.
    run: Callable
    # Besides the user who asked for a job, users of these roles see it too.
    viewer_roles: tuple[str, ...] = ()
    # A further condition every viewer, the requester included, must still meet
    # when they look (e.g. still sees every family in the file); None: none.
    may_see: Callable | None = None
    # The families whose data the file holds: each download is audited against each.
    families: Callable = _no_families
    # The audit action recorded against each of those families on download.
    family_audit_action: str = "job.download"
    # What the progress counts, e.g. "families" ("12 of 40 families").
    unit: str = "items"
    file_suffix: str = ".zip"
    mimetype: str = "application/zip"
    # Attempts in all, counting the first: a job whose worker stopped is queued
    # again until this many attempts were made, then failed with a message.
    max_attempts: int = 3
    # Short words for what the job covers, shown on its page, e.g. "12 families".
    describe: Callable = field(default=lambda job: "")


def register(kind: JobKind) -> JobKind:
    existing = _KINDS.get(kind.name)
    if existing is not None and existing is not kind:
        raise ValueError(f"a job kind named {kind.name!r} is already registered")
    _KINDS[kind.name] = kind
    return kind


def get(name: str) -> JobKind | None:
    return _KINDS.get(name)


def may_view(user, job) -> bool:
    """The one rule for every job route: the requester, or a role the kind names, and the kind's condition."""
    kind = get(job.kind)
    if kind is None or not user.is_authenticated or not user.active:
        return False
    if job.requested_by_id != user.id and user.role not in kind.viewer_roles:
        return False
    return kind.may_see is None or bool(kind.may_see(user, job))
