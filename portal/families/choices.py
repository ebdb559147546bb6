"""What the lead professional's forms offer, in the plan's own words.

Choices are built from the family's plan and rows, so a form can only ever
offer what the plan has and the family can take.
"""

from ..extensions import db
from ..models import Agency
from ..rules.plan import load_plans
from ..wording import day


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def plan_choices(plan_ids) -> list[tuple[str, str]]:
    plans = load_plans()
    return [(pid, f"{plans[pid].council}: {plans[pid].title}") for pid in plan_ids if pid in plans]


def plan_open_from() -> dict:
    """Plan id -> the first day a case may start on it (None: any day)."""
    return {plan_id: plan.open_from for plan_id, plan in load_plans().items()}


def indicator_value(problem_id: str, indicator_id: str) -> str:
    return f"{problem_id}/{indicator_id}"


def indicator_groups(plan) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each problem (its heading) with its indicators as (value, label) radios."""
    term, inner = capital(plan.term("problem")), capital(plan.term("indicator"))
    return [
        (
            f"{term} {p.id}: {p.title}",
            [(indicator_value(p.id, i.id), f"{inner} {i.id}: {i.text}") for i in p.indicators],
        )
        for p in plan.problems
    ]


def indicator_lookup(plan) -> dict[str, tuple[str, str]]:
    """Radio value -> (problem id, indicator id); values are looked up, never split."""
    return {indicator_value(p.id, i.id): (p.id, i.id) for p in plan.problems for i in p.indicators}


def member_choices(family) -> list[tuple[str, str]]:
    """Each current member with their role and date of birth: whom a need is about depends on their age."""
    return [("", "The whole family")] + [
        (str(m.id), f"{m.name} ({m.role_label}, born {day(m.date_of_birth)})") for m in family.current_members
    ]


def essential_choices(plan, family) -> list[tuple[str, str]]:
    """Essentials not yet recorded (records are append-only, so recorded ones stay)."""
    done = {e.essential_id for e in family.essentials}
    return [(e["id"], e["text"]) for e in plan.essentials if e["id"] not in done]


def outcome_groups(plan, family) -> list[tuple[str, list[tuple[str, str]]]]:
    """Outcomes a family plan may list: those of identified problems, the ones they suggest,
    and any already chosen."""
    identified = {p.problem_id for p in family.current_problems}
    offered = {o.outcome_id for o in family.plan_outcomes}
    offered |= {ref for pid in identified if pid in plan.problem_by_id for ref in plan.problem_by_id[pid].suggested}
    term = capital(plan.term("problem"))
    groups = []
    for problem in plan.problems:
        items = [(o.id, f"{o.id}: {o.text}") for o in problem.outcomes if problem.id in identified or o.id in offered]
        if items:
            groups.append((f"{term} {problem.id}: {problem.title}", items))
    return groups


def agency_choices(family) -> list[tuple[str, str]]:
    attached = {t.agency_id for t in family.current_team}
    agencies = db.session.scalars(db.select(Agency).order_by(Agency.name)).all()
    return [(str(a.id), f"{a.name} ({a.kind_label})") for a in agencies if a.id not in attached]
