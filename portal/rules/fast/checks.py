"""`Measure.check_values` as a yes/no question, answered quickly for values that are plainly fine.

For each field a small test recognises values that the engine's checker certainly
passes (a whole number in range for a count, a known id for a choice...). When
every field passes its test, the answer is the measure's `check_more`, as in the
engine. When any value is not plainly fine, the measure's own `check_values` gives
the answer, so a fault (or an error) is exactly the engine's.
"""

from __future__ import annotations

from ..measures.base import Measure, is_number

_NUMBER = (int, float)
_BIG = 2**53  # past this, whole numbers go to the engine's own checker
_INF = float("inf")


class _AnyType:
    """For fields with no quick test: every value goes on to the engine's own checker."""

    def __contains__(self, kind) -> bool:
        return True


def _bounds(low, high, floor=None, ceiling=None):
    low = floor if low is None else low if floor is None else max(low, floor)
    high = ceiling if high is None else high if ceiling is None else min(high, ceiling)
    return -_INF if low is None else low, _INF if high is None else high


def _percents_test(size):
    def test(v):
        if len(v) != size:
            return False
        for x in v:
            if type(x) not in _NUMBER or not 0 <= x <= 100:
                return False
        return True

    return test


def _allowed(choices):
    """The choice values as a set, if all are text (so that `in` means what the engine's list `in` means)."""
    values = [value for value, _ in choices]
    return frozenset(values) if all(type(value) is str for value in values) else None


def field_test(f, checker):
    """(types, low, high, test) for a field: a value whose type is in `types`, that lies between
    low and high and, if there is a test, passes it, is one the engine's checker passes."""
    kind = f.type
    if kind == "number":
        return (_NUMBER, *_bounds(f.low, f.high), None)
    if kind == "percent":
        return (_NUMBER, *_bounds(f.low, f.high, 0, 100), None)
    if kind == "count":
        return ((int,), *_bounds(f.low, f.high, 0, _BIG), None)
    if kind == "yes_no":
        return (bool,), -_INF, _INF, None
    if kind == "percents" and f.size:
        return (list,), -_INF, _INF, _percents_test(f.size)
    allowed = _allowed(f.choices) if kind in ("choice", "choices") else None
    if kind == "choice" and allowed is not None:
        return (str,), -_INF, _INF, allowed.__contains__
    if kind == "choices" and allowed is not None:  # [] is "not given", which the engine's checker decides
        return (list,), -_INF, _INF, lambda v: bool(v) and allowed.issuperset(v)
    if kind == "text":
        return (str,), -_INF, _INF, str.strip  # text that is not blank
    return _AnyType(), -_INF, _INF, lambda v: checker(f, v) is None  # dates, and anything new


def compile_check(measure):
    """faulty(values) -> bool, the same as bool(measure.check_values(values))."""
    engine = measure.check_values

    def exact(values):
        return bool(engine(values))

    if type(measure).check_values is not Measure.check_values:
        return exact  # a measure with its own way of checking (any_of): keep it
    fields = [(f.name, f.required, *field_test(f, checker)) for f, checker in measure.checkers()]
    more = None
    if type(measure).check_more is not Measure.check_more:
        quick = QUICK_MORE.get(measure.kind)
        more = quick(measure) if quick else measure.check_more

    def faulty(values):
        for name, required, types, low, high, test in fields:
            value = values.get(name)
            if value is None:
                if required:
                    return exact(values)
            elif type(value) not in types or (test is None and not low <= value <= high) or \
                    (test is not None and not test(value)):
                return exact(values)  # not plainly fine: the engine's checker says what it is
        return bool(more(values)) if more else False

    return faulty


# check_more, as a yes/no question, for the kinds that have one; asked only once every
# field has passed its test above (as the engine's check_more is, in effect, on such values).

def _score_change_more(measure):
    """ScoreChange.check_more: each score within the chosen tool's own range."""
    ranges = {t: (measure.tools[t]["min"], measure.tools[t]["max"]) for t in measure.p["tools"] if t in measure.tools}

    def more(values) -> bool:
        bounds = ranges.get(values.get("tool"))
        if bounds is None:
            return False
        low, high = bounds
        first, last = values.get("initial_score"), values.get("final_score")
        return (is_number(first) and not low <= first <= high) or (is_number(last) and not low <= last <= high)

    return more


def _activity_more(measure):
    """Activity.check_more: an activity measured in hours needs the hours."""
    first = {}
    for act in measure.p["activities"]:
        first.setdefault(act["id"], act)  # Activity.activity finds the first with the id
    needs_hours = frozenset(i for i, act in first.items() if act.get("min_hours"))
    return lambda values: values.get("activity") in needs_hours and values.get("hours") is None


QUICK_MORE = {"score_change": _score_change_more, "activity": _activity_more}
