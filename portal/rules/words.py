"""Words for whom an outcome is about, shared by the engine's reasons and the web form."""

from __future__ import annotations

from .plan import Outcome, Plan

ABOUT_WORDS = {
    "adult": "an adult (18 or over)",
    "child": "a child (under 18)",
    "school_age_child": "a child of statutory school age (5 to 15)",
    "young_person": "a young person (16 or 17)",
    "pre_school_child": "a pre-school child (0 to 4)",
    "any": "a family member",
}


def about_words(outcome: Outcome, option=None) -> str:
    """Whom evidence for this outcome (by this route) must be about, in words."""
    return scope_words(*outcome.scope(option))


def need_about_words(plan: Plan, problem_id: str, indicator_id: str) -> str:
    """Whom the outcomes that can meet a need are about, in words ("a child (under 18) or ...")."""
    return " or ".join(dict.fromkeys(scope_words(*scope) for scope in plan.need_scopes(problem_id, indicator_id)))


def scope_words(about: str, ages) -> str:
    words = ABOUT_WORDS.get(about, "a family member")
    if ages:
        words += f" aged {ages[0]} to {ages[1]}"
    return words
