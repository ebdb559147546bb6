"""Which plans are open for new cases.

Plans are frameworks/*.yaml; PlanSetting holds the admin's choice, and a plan
without a row is open. Closing a plan only stops new families starting on it:
a family keeps the plan its case started under (Family.plan_id never changes).

The family-creation form offers `open_plan_ids()`.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from ..audit import record
from ..extensions import db
from ..models import Family, PlanSetting
from ..rules.plan import Plan, load_plans


@dataclass
class PlanRow:
    plan: Plan
    families: int
    open: bool


def _closed_ids() -> set[str]:
    query = sa.select(PlanSetting.plan_id).filter_by(open_for_new_cases=False)
    return set(db.session.scalars(query))


def open_plan_ids() -> list[str]:
    """Ids of the plans a new family may be started on, in frameworks/ order."""
    closed = _closed_ids()
    return [plan_id for plan_id in load_plans() if plan_id not in closed]


def is_open(plan_id: str) -> bool:
    return plan_id in open_plan_ids()


def plan_rows() -> list[PlanRow]:
    closed = _closed_ids()
    counts = dict(db.session.execute(sa.select(Family.plan_id, sa.func.count()).group_by(Family.plan_id)).all())
    return [PlanRow(plan, counts.get(plan_id, 0), plan_id not in closed) for plan_id, plan in load_plans().items()]


def set_open(plan: Plan, open_for_new_cases: bool) -> None:
    setting = db.session.get(PlanSetting, plan.id) or PlanSetting(plan_id=plan.id)
    setting.open_for_new_cases = open_for_new_cases
    db.session.add(setting)
    action = "plan.open" if open_for_new_cases else "plan.close"
    record(action, detail=f"plan {plan.id}")
    db.session.commit()
