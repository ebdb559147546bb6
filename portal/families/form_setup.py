"""Forms whose questions and choices come from the family's plan and rows."""

from ..forms.fields import options
from . import choices
from .choices import capital
from .forms import AttachForm, EssentialsForm, PlanOutcomesForm, ProblemForm


def problem_form(family, plan) -> ProblemForm:
    form = ProblemForm()
    problem, indicator = plan.term("problem"), plan.term("indicator")
    form.indicator.label.text = f"{capital(indicator)} identified"
    form.indicator.description = f"Choose one {indicator}. They are grouped by {problem}."
    form.indicator.message = f"Choose the {indicator} identified"
    form.indicator.set_groups(choices.indicator_groups(plan))
    form.member.choices = options(choices.member_choices(family))
    form.lookup, form.indicator_term = choices.indicator_lookup(plan), indicator
    form.recorded = {(p.problem_id, p.indicator_id, p.member_id) for p in family.current_problems}
    form.engaged_on = family.engaged_on
    form.born = {m.id: (m.name, m.date_of_birth) for m in family.current_members}
    form.plan = plan
    return form


def first_found_at_engagement(family, plan) -> tuple | None:
    """(date, "indicator a of problem 2") of the earliest current need recorded as found at engagement."""
    found = sorted(
        (p.identified_on, p.problem_id, p.indicator_id) for p in family.current_problems if p.stage == "engagement"
    )
    if not found:
        return None
    on, problem_id, indicator_id = found[0]
    return on, f"{plan.term('indicator')} {indicator_id} of {plan.term('problem')} {problem_id}"


def essentials_form(family, plan) -> EssentialsForm:
    form = EssentialsForm()
    form.essentials.choices = options(choices.essential_choices(plan, family))
    return form


def plan_outcomes_form(family, plan) -> PlanOutcomesForm:
    chosen = [row.outcome_id for row in family.plan_outcomes]
    form = PlanOutcomesForm()
    form.chosen = frozenset(chosen)
    if not form.is_submitted():
        # Not as data=...: WTForms would then read "every box unticked" as "no change".
        form.outcomes.data = chosen
    form.outcomes.set_groups(choices.outcome_groups(plan, family))
    return form


def attach_form(family) -> AttachForm:
    form = AttachForm()
    form.agency.choices = options(choices.agency_choices(family))
    return form
