"""The one reader of the GOV.UK date input (day, month and year boxes), for every date field.

Day and month are 1 or 2 ASCII digits, the year exactly 4: anything longer
used to reach `datetime.date()`, which raises OverflowError (not ValueError)
for a number past a C long, a 500. Messages follow the Design System's date
input pattern and name the field: "Date of birth must include a month",
"Date of birth year must include 4 numbers", "Date of birth must be a real date".
"""

import datetime as dt
import re

PARTS = ("day", "month", "year")
_DAY_OR_MONTH = re.compile(r"[0-9]{1,2}")
_YEAR = re.compile(r"[0-9]{4}")


class DateProblem(ValueError):
    """What is wrong with a date as typed, worded for the person who typed it."""


def read_date(day: str, month: str, year: str, subject: str) -> dt.date | None:
    """The date typed in the three boxes; None if all are blank; DateProblem if not a real date.

    `subject` is what messages call the date ("Date of birth").
    """
    parts = [str(p or "").strip() for p in (day, month, year)]
    if not any(parts):
        return None
    missing = [name for name, value in zip(PARTS, parts, strict=True) if not value]
    if missing:
        raise DateProblem(f"{subject} must include a {' and a '.join(missing)}")
    day, month, year = parts
    if not (_DAY_OR_MONTH.fullmatch(day) and _DAY_OR_MONTH.fullmatch(month)):
        raise DateProblem(f"{subject} must be a real date")
    if not _YEAR.fullmatch(year):
        raise DateProblem(f"{subject} year must include 4 numbers")
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:  # 31 February, month 13, day 0, year 0000
        raise DateProblem(f"{subject} must be a real date") from None
