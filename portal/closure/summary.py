"""What the closure summary says, gathered from the case and the rules engine's verdict.

The PDF is rendered from templates/closure/summary.html; summary_html() is kept
separate from the PDF step so the content can be checked without WeasyPrint.
"""

import datetime as dt

from flask import render_template

from .. import casefile
from ..models import Evidence
from ..models.families import STAGES
from ..rules.calendar import age_on

CLAIM_TYPES = {
    "significant_and_sustained": "Significant and sustained progress",
    "continuous_employment": "Continuous employment",
}


def summary_html(family, user, now=None) -> str:
    return render_template("closure/summary.html", **summary_context(family, user, now))


def summary_context(family, user, now=None) -> dict:
    now = now or dt.datetime.now(dt.UTC)
    plan, verdict = casefile.plan_for(family), casefile.verdict(family)
    ages_on = family.closed_on or now.date()
    return {
        "family": family, "plan": plan, "verdict": verdict, "draft": family.closed_on is None,
        "members": [(m, age_on(m.date_of_birth, ages_on)) for m in family.current_members],
        "ages_on": ages_on, "stages": STAGES, "member_names": member_names(family),
        "essentials": essential_rows(plan, family, verdict),
        "evidence": accepted_evidence(family),
        "claim_type": CLAIM_TYPES.get(verdict.claim_type, "No claim"),
        "generated_at": now, "generated_by": user,
    }


def member_names(family) -> dict:
    """Member id -> name, withdrawn members included (old evidence may name them)."""
    return {m.id: m.name for m in family.members}


def essential_rows(plan, family, verdict) -> list[tuple]:
    """(essential text, date in place or None) for each of the plan's essentials."""
    in_place = {}
    for record in family.essentials:
        in_place.setdefault(record.essential_id, record.in_place_on)
    return [(e["text"], in_place.get(e["id"])) for e in plan.rule.get("essentials") or []]


def accepted_evidence(family) -> list[Evidence]:
    """The evidence the verdict could rely on: only accepted evidence decides a claim."""
    rows = (Evidence.query.filter_by(family_id=family.id).order_by(Evidence.outcome_id, Evidence.id)
            .options(*Evidence.with_status()))
    return [e for e in rows if e.status == "accepted"]
