"""What the closure summary says, gathered from the family's records, and its verification code.

`build()` takes the snapshot (portal.closure.snapshot) and the verdict presentation
(portal.verdicts, shared with the family page) and renders
templates/closure/summary.html. Everything printed comes from the records the
snapshot holds, the plan file and the date decided on, never from the clock or the
user downloading it, so the same records give the same bytes (docs/closure-summary.md).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass

from flask import current_app, render_template

from .. import casefile, verdicts
from ..evidence.display import value_rows
from ..models import Evidence
from ..rules.calendar import age_on
from . import snapshot as snapshots


@dataclass
class Built:
    """One summary, ready to render: its HTML, and what its code was made from."""

    family_id: int
    ref: str
    code: str
    snapshot: dict
    html: str

    @property
    def plan_hash(self) -> str:
        return self.snapshot["plan"]["sha256"]

    @property
    def as_of(self) -> dt.date:
        return dt.date.fromisoformat(self.snapshot["as_of"])


def build(family, as_of: dt.date | None = None) -> Built:
    as_of = as_of or casefile.today()
    rows = Evidence.query.filter_by(family_id=family.id).order_by(Evidence.id).options(*Evidence.with_status()).all()
    snap = snapshots.take(family, as_of, rows)
    code = snapshots.code_for(snap)
    html = render_template("closure/summary.html", **summary_context(family, as_of, rows, snap, code))
    return Built(family.id, family.ref, code, snap, html)


def summary_html(family, as_of: dt.date | None = None) -> str:
    return build(family, as_of).html


def verify_url(code: str) -> str:
    return f"{current_app.config['SERVICE_URL'].rstrip('/')}/verify/{snapshots.grouped(code)}"


def summary_context(family, as_of, rows, snap, code) -> dict:
    plan = casefile.plan_for(family)
    verdict = casefile.verdict(family, as_of=as_of, evidence_rows=rows)
    words = verdicts.words_for(family, rows)
    ages_on = family.closed_on or as_of
    made = snapshots.latest_record_time(snap).replace(microsecond=0)
    view = verdicts.present(plan, verdict, words)
    shown = outcomes_shown(view)
    return {
        "family": family,
        "plan": plan,
        "view": view,
        "draft": family.closed_on is None,
        "day": verdicts.day,
        "members": [(m, age_on(m.date_of_birth, ages_on)) for m in family.current_members],
        "ages_on": ages_on,
        "essentials": essential_rows(plan, family),
        "evidence": [relied_on(family, plan, e, shown) for e in rows if e.status == "accepted"],
        "code": snapshots.grouped(code),
        "verify_url": verify_url(code),
        "qr": qr_data_uri(verify_url(code)),
        "made": made.isoformat().replace("+00:00", "Z"),
    }


def essential_rows(plan, family) -> list[tuple]:
    """(essential text, date in place or None) for each of the plan's essentials."""
    in_place = {}
    for record in family.essentials:
        in_place.setdefault(record.essential_id, record.in_place_on)
    return [(e["text"], in_place.get(e["id"])) for e in plan.rule.get("essentials") or []]


def outcomes_shown(view) -> dict[str, str]:
    """Outcome id -> the heading it is printed under, with its words, in the verdict part."""
    shown = {}
    for problem in view.problems:
        if problem.needs is None:
            shown.update((o.id, problem.heading.split(":")[0]) for o in problem.outcomes)
        for need in problem.needs or []:
            shown.update((o.id, need.heading.split(":")[0]) for o in need.outcomes)
    if view.continuous_employment:
        shown.setdefault(view.continuous_employment.id, "Continuous employment")
    return shown


def relied_on(family, plan, e, shown: dict) -> dict:
    """One accepted evidence item, every detail a verifier checks, in words.

    An outcome's words are printed once, in the verdict part; an evidence item names
    where (they are long, and 30 items repeating them cost a sixth of the render time).
    """
    # As the family page names them: a member withdrawn as recorded in error is marked, since
    # the evidence no longer counts for them (the members list above shows only current members).
    names = {
        m.id: m.name
        + (" (withdrawn as recorded in error: this evidence no longer counts for them)" if m.withdrawn_at else "")
        for m in family.members
    }
    outcome = plan.outcome_by_id.get(e.outcome_id)
    review = e.latest_review
    if e.outcome_id in shown:
        said = f"{e.outcome_id} (its words are under {shown[e.outcome_id]}, above)"
    else:
        said = f"{e.outcome_id}: {outcome.text}" if outcome else e.outcome_id
    return {
        "heading": f"{e.source} (outcome {e.outcome_id})",
        "outcome": said,
        "about": ", ".join(names.get(i, "a withdrawn member") for i in e.member_ids) or "The whole family",
        "source": e.source,
        "agency": e.agency.name if e.agency else "Not recorded",
        "submitted": f"{e.submitted_by.name} on {verdicts.day(e.submitted_at.date())}",
        "period": f"{verdicts.day(e.period_start)} to {verdicts.day(e.period_end)}",
        "values": value_rows(family, e, plan),
        "statement": e.statement,
        "version": f"Version {e.version}, correcting version {e.version - 1}" if e.version > 1 else "Version 1",
        "accepted": f"{review.reviewed_by.name} on {verdicts.day(review.reviewed_at.date())}",
    }


def qr_data_uri(url: str) -> str:
    """A QR code of the check page's address, as a PNG data URI (embedded in the PDF once)."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=4, border=0)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
