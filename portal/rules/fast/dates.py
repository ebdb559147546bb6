"""The calendar sums the measures use, as the cohort path runs them per evidence item.

Each gives the same answer as its namesake in `portal.rules.calendar` (the tests
compare them day by day); they only skip work that the common case does not need,
such as looking up a month's length when the day is the 28th or earlier.
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange

ONE_DAY = dt.timedelta(days=1)
_date = dt.date


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    d = day.day
    if d > 28:  # only the month's last days can need clamping (31 Aug + 6 = 28/29 Feb)
        d = min(d, monthrange(year, month)[1])
    return _date(year, month, d)


def window_end(start: dt.date, months: int, weeks: int) -> dt.date:
    """calendar.period_end_for: the first end date that covers the length asked."""
    target = add_months(start, months) if months else start + dt.timedelta(weeks=weeks)
    return target - ONE_DAY


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def remembered(fn, most: int = 1024):
    """fn(day), remembered for up to `most` days at a time: the dates of a cohort's evidence
    cluster in a few years, so most are seen again; the memo never grows past `most`."""
    memo: dict = {}

    def get(day):
        value = memo.get(day)
        if value is None:
            if len(memo) >= most:
                memo.clear()
            value = memo[day] = fn(day)
        return value

    return get
