"""The bridge between the database and the rules engine.

The engine decides on a family case in the documented JSON format
(docs/case-format.md); this module builds that case from a Family's rows, so
the portal and `portal-rules evaluate` decide in exactly the same way.
"""

import datetime as dt

from .rules import engine
from .rules import plan as plans
from .rules.case import parse_case
from .rules.submission import check_submission, outcomes_open_to


def plan_for(family):
    # load_plans() keeps parsed plans until a file changes; load_plan() would
    # parse the YAML again on every call, several times per page.
    return plans.load_plans().get(family.plan_id) or plans.load_plan(family.plan_id)


def case_data(family, evidence_rows=None) -> dict:
    """The family as a case dict; evidence_rows defaults to every version of every submission."""
    from .models import Evidence

    if evidence_rows is None:
        evidence_rows = (Evidence.query.filter_by(family_id=family.id).order_by(Evidence.id)
                         .options(*Evidence.with_status()).all())
    members = family.current_members
    current = {m.id for m in members}
    return {
        "ref": family.ref,
        "plan": family.plan_id,
        "members": [_member(m) for m in members],
        "essentials": sorted({e.essential_id for e in family.essentials}),
        "problems": [_problem(p) for p in family.current_problems],
        "plan_outcomes": [o.outcome_id for o in family.plan_outcomes],
        "engaged_on": _iso(family.engaged_on),
        "closed_on": _iso(family.closed_on),
        "evidence": [_evidence(e, current) for e in evidence_rows],
    }


def _member(m) -> dict:
    # The name lets the engine's messages say who it means ("Sam (m12) is not ...").
    out = {"id": m.key, "name": m.name, "role": m.role, "date_of_birth": m.date_of_birth.isoformat()}
    if m.activity:
        out["activity"] = m.activity
    return out


def _problem(p) -> dict:
    out = {"problem": p.problem_id, "indicator": p.indicator_id, "stage": p.stage,
           "identified_on": p.identified_on.isoformat()}
    if p.member_id is not None and p.member is not None and p.member.withdrawn_at is None:
        out["member"] = p.member.key
    return out


def _evidence(e, current_member_ids) -> dict:
    # A member withdrawn as recorded in error no longer counts for any evidence.
    members = [f"m{i}" for i in e.member_ids if i in current_member_ids]
    out = {"id": f"e{e.id}", "outcome": e.outcome_id, "members": members,
           "source": e.source, "period": {"start": e.period_start.isoformat(), "end": e.period_end.isoformat()},
           "values": e.values or {}, "statement": e.statement, "status": e.status}
    if e.option:
        out["option"] = e.option
    return out


def _iso(day):
    return day.isoformat() if day else None


def today() -> dt.date:
    return dt.date.today()


def verdict(family, as_of=None, evidence_rows=None, plan=None):
    """What the rules engine decides for the family today (or as_of; with `plan`, a claim window's stored plan)."""
    return engine.evaluate(plan or plan_for(family), case_data(family, evidence_rows), as_of or today())


def check(family, submission: dict, as_of=None, evidence_rows=None):
    """Check one evidence submission (the HTMX form and the plain POST both call this;
    a list of many, already loaded, passes the family's evidence_rows)."""
    case = parse_case(case_data(family, evidence_rows))
    return check_submission(plan_for(family), case, submission, as_of or today())


def open_outcomes(family, evidence_rows=None) -> dict:
    """outcome id -> None if evidence may be submitted for it, else the reason why not."""
    case = parse_case(case_data(family, evidence_rows))
    return outcomes_open_to(plan_for(family), case)
