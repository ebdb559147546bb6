"""What every measure kind shares: its evidence fields and the finding it returns.

A measure kind is code (like an OpenFisca formula); its parameters are data from
the plan file. `fields()` tells the web form and the submission check which
values the evidence must carry, so the two can never disagree.
"""

from __future__ import annotations

import abc
import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from .. import spec as s


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str  # number, count, percent, yes_no, choice, date, text, percents, choices
    required: bool = True
    low: float | None = None
    high: float | None = None
    choices: tuple = ()  # (value, label) pairs
    size: int = 0  # for percents: how many values
    hint: str = ""

    def to_json(self) -> dict:
        out = {"name": self.name, "label": self.label, "type": self.type, "required": self.required}
        for key in ("low", "high", "hint"):
            if getattr(self, key) not in (None, ""):
                out[key] = getattr(self, key)
        if self.choices:
            out["choices"] = [{"value": v, "label": lab} for v, lab in self.choices]
        if self.size:
            out["size"] = self.size
        return out


class Finding:
    """What one evidence item shows for its outcome: whether it is met, the date a running window could
    close, and the numbers behind it (`facts`). The sentence a person reads (`reason`) is made from
    those only when someone reads it: a cohort of a million never does.

    `say` is the sentence itself, or a function of the facts that writes it.
    """

    __slots__ = ("_reason", "_say", "earliest", "facts", "met", "option", "set_aside", "supplementary")

    def __init__(
        self,
        met: bool,
        say,
        facts: tuple = (),
        earliest: dt.date | None = None,
        supplementary: bool = False,
        option: str | None = None,
        set_aside: str | None = None,
    ):
        self.met, self._say, self.facts, self.earliest = met, say, facts, earliest
        self.supplementary, self.option, self.set_aside = supplementary, option, set_aside
        self._reason: str | None = None

    @property
    def reason(self) -> str:
        if self._reason is None:
            say = self._say
            self._reason = say if type(say) is str else say(*self.facts)
        return self._reason

    def reasons(self) -> list[str]:
        return [self.reason]

    def reworded(self, words) -> Finding:
        """The same finding, its sentence passed through `words` (names for ids, dates in words)."""
        return Finding(
            self.met, words(self.reason), self.facts, self.earliest, self.supplementary, self.option, self.set_aside
        )

    def __repr__(self) -> str:
        return f"Finding(met={self.met}, earliest={self.earliest}, reason={self.reason!r})"


class Context:
    """What a measure may know besides the evidence values."""

    __slots__ = ("_ages", "_ids", "_people", "as_of", "closed_on", "end", "start")

    def __init__(
        self,
        as_of: dt.date,
        start: dt.date,
        end: dt.date,
        closed_on: dt.date | None = None,
        ages: dict | None = None,
        ids=(),
        people=None,
    ):
        self.as_of, self.start, self.end, self.closed_on = as_of, start, end, closed_on
        self._ages, self._ids, self._people = ages, ids, people

    @property
    def ages(self) -> dict:
        """Member id -> age at the period's end, for the members the evidence names (`ids`, looked up in
        `people`, id -> member), worked out when a measure asks."""
        if self._ages is None:
            end, people = self.end, self._people
            self._ages = {}
            for mid in self._ids:
                b = people[mid].date_of_birth
                self._ages[mid] = end.year - b.year - ((end.month, end.day) < (b.month, b.day))
        return self._ages


class Measure(abc.ABC):
    kind: ClassVar[str] = ""
    PARAMS: ClassVar[dict[str, s.Key]] = {}

    def __init__(self, params: dict[str, Any], tools: dict):
        self.p = params
        self._quick: list | None = None  # worked out when first needed (check_values)
        self._checkers: list | None = None  # likewise (checkers)
        self.tools = tools
        self.also_confirmed = params.get("also_confirmed") or ""
        # Whether its values can contradict each other (a kind with its own `contradictions`).
        self.may_contradict = type(self).contradictions is not Measure.contradictions
        # What an evidence item shows: `decide`, and the plan's extra confirmation when it asks for one.
        self.judge = self.evaluate if self.also_confirmed else self.decide

    @classmethod
    def schema(cls) -> dict[str, s.Key]:
        keys = {"kind": s.Key(s.text), "also_confirmed": s.Key(s.optional_text, False, "")}
        keys.update(cls.PARAMS)
        return keys

    @classmethod  # noqa: B027 - an optional hook: most measures have no cross-field checks
    def check_params(cls, params: dict, path: str, walk: s.Walk) -> None:
        """Cross-field checks a key-by-key walk cannot make."""

    def fields(self) -> list[Field]:
        extra = []
        if self.also_confirmed:
            extra.append(Field("confirmed", f"Confirmed: {self.also_confirmed}", "yes_no"))
        return self.own_fields() + extra

    def own_fields(self) -> list[Field]:
        return []

    def evaluate(self, values: dict, ctx: Context) -> Finding:
        finding = self.decide(values, ctx)
        if finding.met and self.also_confirmed and values.get("confirmed") is not True:
            return Finding(False, not_confirmed, (self.also_confirmed,))
        return finding

    @abc.abstractmethod
    def decide(self, values: dict, ctx: Context) -> Finding:
        """The finding for values already checked by check_values."""

    def check_values(self, values: dict) -> list[tuple[str, str]]:
        """Faults in the values, each (field name, sentence a partner can act on).

        This runs for every evidence item of every family in a cohort, so each value is first put to a
        quick test that only values its field's checker certainly accepts pass (a whole number in range
        for a count...); only when one does not are the checkers asked, and they say what is wrong."""
        quick = self._quick
        if quick is None:
            quick = self._quick = [(f.name, f.required, *quick_test(f, checker)) for f, checker in self.checkers()]
        for name, required, types, low, high, test in quick:
            value = values.get(name)
            if value is None:
                if required:
                    return self.faults(values)
            elif (
                type(value) not in types
                or (test is None and not low <= value <= high)
                or (test is not None and not test(value))
            ):
                return self.faults(values)
        return self.check_more(values)

    def faults(self, values: dict) -> list[tuple[str, str]]:
        """Every field's checker on its value, then the measure's own cross-field checks."""
        faults = []
        for f, checker in self.checkers():
            value = values.get(f.name)
            if value is None or value == "" or value == []:
                if f.required:
                    faults.append((f.name, f"Enter {f.label.lower()}"))
                continue
            message = checker(f, value)
            if message:
                faults.append((f.name, message))
        return faults + self.check_more(values) if faults else self.check_more(values)

    def checkers(self):
        """Each field with its checker, worked out once: this runs for every evidence item."""
        cached = self._checkers
        if cached is None:
            cached = self._checkers = [(f, _CHECKERS.get(f.type, _check_text)) for f in self.fields()]
        return cached

    def check_more(self, values: dict) -> list[tuple[str, str]]:
        return []

    def contradictions(self, values: dict, ctx: Context) -> list[tuple[str, str]]:
        """Values (already checked one by one) that cannot all be true of the period, each (field, why)."""
        return []

    def describe(self) -> dict:
        out = {"kind": self.kind}
        for name, value in self.p.items():
            if value not in (None, "", [], {}):
                out[name] = jsonable(value)
        return out


def not_confirmed(what: str) -> str:
    return f"not confirmed that {what}"


def jsonable(value):
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "numerator") and not isinstance(value, (int, bool)):
        return f"{value.numerator}/{value.denominator}"
    return value


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _range_message(f: Field, value) -> str | None:
    if (f.low is not None and value < f.low) or (f.high is not None and value > f.high):
        return f"{f.label} must be between {fmt(f.low)} and {fmt(f.high)}; {fmt(value)} is out of range"
    return None


def _check_number(f: Field, value):
    if not is_number(value):
        return f"{f.label} must be a number"
    return _range_message(f, value)


def _check_count(f: Field, value):
    if not is_number(value) or not float(value).is_integer():
        return f"{f.label} must be a whole number"
    if value < 0:
        return f"{f.label} cannot be negative"
    return _range_message(f, value)


def _check_percents(f: Field, value):
    if not isinstance(value, list) or not all(is_number(v) for v in value):
        return f"{f.label} must be {f.size} percentages, one per term"
    if len(value) != f.size:
        return f"{f.label} needs {f.size} terms; {len(value)} given"
    for i, v in enumerate(value, 1):
        if not 0 <= v <= 100:
            return f"{f.label}: term {i} is {fmt(v)}%; a percentage must be between 0 and 100"
    return None


def _check_yes_no(f: Field, value):
    return None if isinstance(value, bool) else f"{f.label}: answer yes or no"


def _check_choice(f: Field, value):
    allowed = [v for v, _ in f.choices]
    return None if value in allowed else f"{f.label}: choose one of {', '.join(map(str, allowed))}"


def _check_choices(f: Field, value):
    allowed = {v for v, _ in f.choices}
    if not isinstance(value, list) or not set(value) <= allowed:
        return f"{f.label}: choose from {', '.join(sorted(allowed))}"
    return None


def _check_date(f: Field, value):
    if isinstance(value, dt.date):
        return None
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return f"{f.label} must be a real date"
    return None


def _check_text(f: Field, value):
    return None if isinstance(value, str) and value.strip() else f"Enter {f.label.lower()}"


_CHECKERS = {
    "number": _check_number,
    "count": _check_count,
    "percent": lambda f, v: (
        _check_number(f, v)
        or (None if 0 <= v <= 100 else f"{f.label} must be between 0 and 100; {fmt(v)} is out of range")
    ),
    "percents": _check_percents,
    "yes_no": _check_yes_no,
    "choice": _check_choice,
    "choices": _check_choices,
    "date": _check_date,
}


class _AnyType:
    """Every type: the value goes to its checker."""

    def __contains__(self, kind) -> bool:
        return True


_INF, _BIG, _NUMBER = float("inf"), 2**53, (int, float)


def _bounds(low, high, floor=None, ceiling=None):
    low = floor if low is None else low if floor is None else max(low, floor)
    high = ceiling if high is None else high if ceiling is None else min(high, ceiling)
    return -_INF if low is None else low, _INF if high is None else high


def quick_test(f: Field, checker):
    """(types, low, high, test) for a field: a value whose type is in `types`, that lies between low and
    high (when there is no test) or passes the test, is one the field's checker accepts. Anything else is
    put to the checker itself."""
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
        size = f.size
        return (list,), -_INF, _INF, lambda v: len(v) == size and all(type(x) in _NUMBER and 0 <= x <= 100 for x in v)
    allowed = [v for v, _ in f.choices]
    if kind in ("choice", "choices") and allowed and all(type(v) is str for v in allowed):
        one_of = frozenset(allowed)
        if kind == "choice":
            return (str,), -_INF, _INF, one_of.__contains__
        return (list,), -_INF, _INF, lambda v: bool(v) and all(type(x) is str for x in v) and one_of.issuperset(v)
    if kind == "text":
        return (str,), -_INF, _INF, str.strip
    return _AnyType(), -_INF, _INF, lambda v: checker(f, v) is None


def fmt(value) -> str:
    if value is None:
        return "any"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.1f}" if round(value, 1) == value else f"{value:.2f}"
    return str(value)


def as_date(value) -> dt.date | None:
    if isinstance(value, dt.date) or value is None:
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None
