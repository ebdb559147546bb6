"""A plan as JSON, for `portal-rules show` and for the web forms."""

from __future__ import annotations

from .measures.base import jsonable
from .plan import Outcome, Plan


def outcome_json(outcome: Outcome) -> dict:
    measure = outcome.measure
    out = {
        "id": outcome.id,
        "text": outcome.text,
        "measure": measure.describe(),
        "fields": [f.to_json() for f in measure.fields()],
        "sources": outcome.sources,
        "answers": "all" if outcome.answers is None else sorted(outcome.answers),
        "about": outcome.about,
        "each": outcome.each,
    }
    if hasattr(measure, "fields_for"):
        out["option_fields"] = {
            o["id"]: [f.to_json() for f in measure.fields_for(o["id"])] for o in measure.p["options"]
        }
    for key in ("ages", "mandatory", "also_evidences", "satisfied_by", "frequency", "notes"):
        value = getattr(outcome, key)
        if value:
            out[key] = jsonable(value)
    return out


def plan_json(plan: Plan) -> dict:
    return {
        "id": plan.id,
        "council": plan.council,
        "title": plan.title,
        "programme": plan.programme,
        "version": plan.version,
        "date": plan.date.isoformat(),
        "seed": plan.seed,
        "terms": plan.terms,
        "rule": jsonable(plan.rule),
        "notes": plan.notes,
        "problems": [
            {
                "id": p.id,
                "title": p.title,
                "indicators": [{"id": i.id, "text": i.text} for i in p.indicators],
                "suggested_additional_outcomes": p.suggested,
                "outcomes": [outcome_json(o) for o in p.outcomes],
            }
            for p in plan.problems
        ],
    }
