"""Words for whom an outcome is about, shared by the engine's reasons and the web form."""

from __future__ import annotations

from .plan import Outcome, Plan, age_bounds

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
    """Whom the outcomes that can meet a need are about, in words: "a child (under 18)", "a child of
    statutory school age (5 to 15) or a young person (16 or 17)". An age range inside another one
    is not named again (a pre-school child is a child), and a plan's own ages replace the usual
    ones ("a young person aged 16 to 18", "a family member aged 16 or over")."""
    scopes = plan.need_scopes(problem_id, indicator_id)
    ranges = {scope: _years(scope) for scope in scopes}
    # Kept: each scope no other one covers (of two with the same range, the first).
    widest = [
        scope
        for i, scope in enumerate(scopes)
        if not any(
            _within(ranges[scope], ranges[other]) and (ranges[scope] != ranges[other] or j < i)
            for j, other in enumerate(scopes)
            if j != i
        )
    ]
    return " or ".join(dict.fromkeys(_scope_in_words(*scope) for scope in widest))


def _years(scope) -> tuple:
    bounds = age_bounds(*scope)
    if bounds is None:
        return (0, 150)
    return (max(bounds.low, 0), 150 if bounds.high >= 99 else bounds.high)  # as ages people have: 99 is "or over"


def _within(inner: tuple, outer: tuple) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _scope_in_words(about: str, ages) -> str:
    if not ages:
        return scope_words(about, ages)
    noun = ABOUT_WORDS.get(about, "a family member").split(" (")[0]
    return f"{noun} aged {ages[0]} or over" if ages[1] >= 99 else f"{noun} aged {ages[0]} to {ages[1]}"


def scope_words(about: str, ages) -> str:
    words = ABOUT_WORDS.get(about, "a family member")
    if ages:
        words += f" aged {ages[0]} to {ages[1]}"
    return words
