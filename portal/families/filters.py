"""Template filters for the family pages (registered app-wide by the blueprint)."""

import datetime as dt

from ..verdicts import day, sentence


def day_month_year(value) -> str:
    """GOV.UK date style: 5 January 2024 (one rule: portal.verdicts.day)."""
    return day(value) if value else ""


def plan_version(value) -> str:
    """A plan's version as stored: its own label ("2.1"), or the date it took effect, the GOV.UK way."""
    try:
        return f"of {day(dt.date.fromisoformat(str(value)))}"
    except ValueError:
        return str(value)


def with_article(word) -> str:
    """'an indicator', 'a family need': plans name things differently."""
    return f"{'an' if str(word)[:1].lower() in 'aeiou' else 'a'} {word}"


FILTERS = {
    "day_month_year": day_month_year,
    "sentence": sentence,
    "with_article": with_article,
    "plan_version": plan_version,
}
