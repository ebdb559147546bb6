"""Date arithmetic the plans speak in: whole months, weeks and ages."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (31 Aug + 6 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    d = day.day
    if d > 28:  # only a month's last days can need clamping
        d = min(d, _calendar.monthrange(year, month)[1])
    return dt.date(year, month, d)


def add_weeks(day: dt.date, weeks: int) -> dt.date:
    return day + dt.timedelta(weeks=weeks)


def covers(start: dt.date, end: dt.date, months: int = 0, weeks: int = 0) -> bool:
    """Whether a period from `start` to `end` (inclusive) spans the length asked."""
    return end >= period_end_for(start, months, weeks)


def period_end_for(start: dt.date, months: int = 0, weeks: int = 0) -> dt.date:
    """The first end date for which `covers` holds (remembered: a cohort's periods start on few days)."""
    key = (start, months, weeks)
    end = _ENDS.get(key)
    if end is None:
        if len(_ENDS) > 4096:
            _ENDS.clear()
        target = add_months(start, months) if months else add_weeks(start, weeks)
        end = _ENDS[key] = target - _ONE_DAY
    return end


_ENDS: dict = {}
_ONE_DAY = dt.timedelta(days=1)


def age_on(born: dt.date, day: dt.date) -> int:
    before_birthday = (day.month, day.day) < (born.month, born.day)
    return day.year - born.year - before_birthday


def length_words(months: int = 0, weeks: int = 0) -> str:
    if months:
        return f"{months} month{'s' if months != 1 else ''}"
    return f"{weeks} week{'s' if weeks != 1 else ''}"
