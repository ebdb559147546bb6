"""Generating closure summaries and checking their codes: the feature's reads and writes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask import current_app

from .. import audit
from ..access import can_see
from ..audit.details import request_detail
from ..extensions import db
from ..models import ClosureSummary, Family
from ..roles import Role
from . import signing
from . import snapshot as snapshots
from .pdf import html_to_pdf
from .summary import Built, build

# Who may check a code: the family's lead professional, verifiers and programme managers.
CHECKERS = (Role.LEAD_PROFESSIONAL, Role.VERIFIER, Role.PROGRAMME_MANAGER)


def download_name(ref: str) -> str:
    # References are typed by people; keep the header safe whatever they typed.
    return re.sub(r"[^A-Za-z0-9._-]", "_", ref) + "-closure-summary.pdf"


def record(built: Built, user, at: dt.datetime | None = None) -> ClosureSummary:
    """The download record (append-only); the caller's commit saves it with the audit event."""
    row = ClosureSummary(
        code=built.code,
        family_id=built.family_id,
        snapshot=built.snapshot,
        plan_hash=built.plan_hash,
        as_of=built.as_of,
        generated_by_id=user.id if user is not None else None,
    )
    if at is not None:
        row.generated_at = at
    db.session.add(row)
    return row


def generate(family, user, as_of: dt.date | None = None) -> tuple[Built, bytes]:
    """Build (as of today, or `as_of`: a claim's date), render, sign (where configured) and record one summary."""
    built = build(family, as_of=as_of)
    pdf = signing.sign(html_to_pdf(built.html), current_app.config)
    record(built, user)
    return built, pdf


def download(family, user) -> tuple[Built, bytes]:
    """A summary `user` downloads now: generated, recorded and saved."""
    built, pdf = generate(family, user)
    db.session.commit()
    return built, pdf


def refused_check(code: str | None, user) -> None:
    """Audit a code that did not resolve for `user`. A code of a family they may not check is
    audited against that family, like any refused family read; they are told only "not found".
    Ids only: what was typed may be anything, so it is never written to the log."""
    row = db.session.scalar(db.select(ClosureSummary).filter_by(code=code)) if code else None
    if row is not None:
        audit.save(user, "closure.verify-refused", row.family, detail=f"{request_detail()}: summary {row.id}")
    else:
        audit.save(user, "closure.verify-refused", detail=f"{request_detail()}: unknown")


@dataclass
class Check:
    """What /verify says about one code."""

    summary: ClosureSummary  # the first time this code was generated
    downloads: list[ClosureSummary]
    changes: list[str]
    superseded_by: ClosureSummary | None
    latest: ClosureSummary | None

    @property
    def matches(self) -> bool:
        return not self.changes


def find(code: str, user) -> ClosureSummary | None:
    """The summary with this code if the user may check it; None for unknown and hidden alike."""
    row = db.session.scalar(db.select(ClosureSummary).filter_by(code=code).order_by(ClosureSummary.id))
    if row is None or not may_check(user, row.family):
        return None
    return row


def may_check(user, family: Family) -> bool:
    return user.role in CHECKERS and can_see(user, family)


def check(row: ClosureSummary) -> Check:
    family = row.family
    same = db.session.scalars(db.select(ClosureSummary).filter_by(code=row.code).order_by(ClosureSummary.id)).all()
    fresh = snapshots.take(family, dt.date.fromisoformat(row.snapshot["as_of"]))
    later = db.select(ClosureSummary).filter(
        ClosureSummary.family_id == family.id, ClosureSummary.id > same[-1].id, ClosureSummary.code != row.code
    )
    superseded_by = db.session.scalar(later.order_by(ClosureSummary.id))
    latest = db.session.scalar(later.order_by(ClosureSummary.id.desc()))
    return Check(row, same, snapshots.changes(row.snapshot, fresh), superseded_by, latest)
