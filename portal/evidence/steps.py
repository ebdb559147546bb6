"""Which step of "submit evidence" to show: choose the outcome, choose the route, or the form.

Each step is a plain GET form, so the journey works without JavaScript; the
query string (?outcome=2.1&option=sdq) carries the choices made so far.
Whether an outcome is open to the family is the rules engine's decision.
Each step's form also sends `step` (its own name), so "Continue" with nothing
chosen is told apart from arriving at the step, and answered with an error.
"""

from dataclasses import dataclass, field

from .. import casefile
from .forms import needs_option, route

CHOOSE_OUTCOME = "Choose the outcome this evidence is for"
CHOOSE_ROUTE = "Choose how this evidence shows the outcome"


@dataclass
class Step:
    name: str  # "outcome", "option" or "form"
    outcome: object = None
    option: str | None = None
    errors: list = field(default_factory=list)  # (input id, message)


def step_for(family, choices, posted=False) -> Step:
    """The step for the choices so far (request.args, or the posted form, which must name an outcome)."""
    sent = posted or choices.get("step") == "outcome"
    if "outcome" not in choices and not sent:
        return Step("outcome")
    outcome_id = choices.get("outcome", "").strip()
    why_not = outcome_refusal(family, outcome_id) if outcome_id else CHOOSE_OUTCOME
    if why_not:
        return Step("outcome", errors=[("outcome", why_not)])
    outcome = casefile.plan_for(family).outcome_by_id[outcome_id]
    return option_step(outcome, choices)


def option_step(outcome, choices) -> Step:
    if not needs_option(outcome):
        return Step("form", outcome)
    option = choices.get("option")
    if option is None:  # arrived at the step, or sent it with nothing chosen
        sent = choices.get("step") == "option"
        return Step("option", outcome, errors=[("option", CHOOSE_ROUTE)] if sent else [])
    if route(outcome, option) is None:
        return Step("option", outcome, errors=[("option", CHOOSE_ROUTE)])
    return Step("form", outcome, option)


def outcome_refusal(family, outcome_id) -> str | None:
    """The engine's reason this outcome cannot take evidence for the family, if any (its first
    check of a submission, asked alone: the rest of the form is checked once, after this step)."""
    return casefile.refusal_of_outcome(family, outcome_id)


@dataclass
class OutcomeGroup:
    heading: str
    open: list  # Outcome
    closed: list  # (Outcome, reason)


def outcome_groups(family) -> list[OutcomeGroup]:
    """The plan's outcomes by problem, split into those open to the family and the rest."""
    plan, reasons = casefile.plan_for(family), casefile.open_outcomes(family)
    term = plan.term("problem").capitalize()
    return [
        OutcomeGroup(
            f"{term} {p.id}: {p.title}",
            [o for o in p.outcomes if reasons.get(o.id) is None],
            [(o, reasons[o.id]) for o in p.outcomes if reasons.get(o.id)],
        )
        for p in plan.problems
    ]
