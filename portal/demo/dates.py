"""Moving a demo case's dates: worked examples by whole years, fresh cases by days.

The portal decides every family as of today, but each worked example is written
to be decided on one day (its as-of date, in examples/<plan>.md). Whole years keep
school terms, birthdays and six-month windows where they fall in the year.
"""

import datetime as dt
import re

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# examples/<example>.json -> the date examples/<plan>.md decides it on
# (tests/rules/test_examples.py holds the same dates with each expected verdict).
AS_OF = {
    "suffolk-2017-turned-around": "2017-01-10",
    "suffolk-2017-not-yet": "2016-08-01",
    "suffolk-2017-continuous-employment": "2016-08-10",
    "southwark-2018-turned-around": "2019-09-02",
    "southwark-2018-missing-essential": "2019-02-01",
    "southwark-2018-continuous-employment": "2019-07-22",
    "hertfordshire-2022-turned-around": "2023-11-06",
    "hertfordshire-2022-not-eligible": "2023-11-06",
    "hertfordshire-2022-waiting-for-sustainment": "2023-11-06",
    "durham-2018-turned-around": "2019-01-10",
    "durham-2018-mandatory-missing": "2019-01-10",
    "durham-2018-continuous-employment": "2019-01-10",
    "sunderland-2015-turned-around": "2016-08-01",
    "sunderland-2015-emerging-problem": "2016-02-01",
    "sunderland-2015-continuous-employment": "2016-08-01",
}


def as_of(example: str) -> dt.date:
    return dt.date.fromisoformat(AS_OF[example])


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def years_to(day: dt.date, today: dt.date) -> int:
    """The most whole years that move `day` on without passing `today`.

    The moved day lands within the year before today: whole years cannot always
    bring it closer, and never moving it past today keeps evidence out of the future.
    """
    years = today.year - day.year
    return years if add_years(day, years) <= today else years - 1


def shift_years(value, years: int):
    """A copy of a case with every ISO date in it (wherever it is) moved on by `years`."""
    if isinstance(value, dict):
        return {key: shift_years(item, years) for key, item in value.items()}
    if isinstance(value, list):
        return [shift_years(item, years) for item in value]
    if isinstance(value, str) and ISO_DAY.match(value):
        return add_years(dt.date.fromisoformat(value), years).isoformat()
    return value


def shift_dates(value, days: dt.timedelta):
    """A copy of a case with every ISO date in it moved by `days`."""
    if isinstance(value, dict):
        return {key: shift_dates(item, days) for key, item in value.items()}
    if isinstance(value, list):
        return [shift_dates(item, days) for item in value]
    if isinstance(value, str) and ISO_DAY.match(value):
        return (dt.date.fromisoformat(value) + days).isoformat()
    return value
