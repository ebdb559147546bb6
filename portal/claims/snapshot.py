"""What a claim line keeps: the case as decided, the verdict as of the claim date, the evidence, the flags, a hash.

decide() is the one place a family is decided for a claim, for the claimable
list, for a new line and for re-deciding a line; so they cannot disagree.
"""

import hashlib
import json
from dataclasses import dataclass

from .. import casefile
from ..rules import engine
from ..rules.claims import EvidenceFacts, Flag, integrity_flags, relied_figures, shared_figures
from ..rules.sources import load_sources


@dataclass
class Decided:
    family: object
    case: dict  # accepted evidence only
    verdict: object
    flags: list[Flag]
    evidence: list[dict]  # the accepted items and versions
    figures: dict  # evidence id -> its figures, for the evidence the result rests on (rules.claims.figures)


def decide(family, evidence_rows, plan, window, sources=None) -> Decided:
    """The family as of the window's claim date, with the window's stored plan."""
    case = casefile.case_data(family, evidence_rows)
    case["evidence"] = [e for e in case["evidence"] if e["status"] == "accepted"]
    verdict = engine.evaluate(plan, case, window.claim_date)
    accepted = [e for e in evidence_rows if e.status == "accepted"]
    facts = {
        f"e{e.id}": EvidenceFacts(e.agency.kind if e.agency else None, e.submitted_by_id == family.lead_professional_id)
        for e in accepted
    }
    departures = {f"m{member_id}": row.left_on for member_id, row in family.left_household.items()}
    flags = integrity_flags(
        plan,
        case,
        verdict,
        window.claim_date,
        window.minimum_intervention_days,
        facts,
        sources or load_sources(),
        departures,
    )
    items = [
        {
            "id": f"e{e.id}",
            "version": e.version,
            "outcome": e.outcome_id,
            "source": e.source,
            "agency": e.agency.name if e.agency else None,
            "agency_kind": e.agency.kind if e.agency else None,
            "by_lead_professional": e.submitted_by_id == family.lead_professional_id,
            "period": [e.period_start.isoformat(), e.period_end.isoformat()],
            "submitted_at": e.submitted_at.isoformat(),
        }
        for e in accepted
    ]
    return Decided(family, case, verdict, flags, items, relied_figures(case, verdict))


def figures_index(entries) -> dict:
    """figures -> [(family reference, evidence id)] from (reference, {evidence id: figures}) pairs."""
    index: dict = {}
    for ref, figures in entries:
        for eid, key in figures.items():
            index.setdefault(key, []).append((ref, eid))
    return index


def flag_shared_figures(decided: list[Decided], index: dict) -> None:
    """Add the "same figures as another family in the claim" flags to each decided family."""
    for d in decided:
        d.flags.extend(shared_figures(d.family.ref, d.figures, index))


def snapshot_hash(window_plan, claim_date, case: dict, verdict: dict, evidence: list) -> str:
    """sha256 over the plan file's and tools' hashes, the claim date, the case, the verdict and the evidence."""
    body = {
        "plan_sha256": window_plan.plan_sha256,
        "tools_sha256": window_plan.tools_sha256,
        "claim_date": claim_date.isoformat(),
        "case": case,
        "verdict": verdict,
        "evidence": evidence,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
