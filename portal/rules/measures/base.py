"""What every measure kind shares: its evidence fields and the finding it returns.

A measure kind is code (like an OpenFisca formula); its parameters are data from
the plan file. `fields()` tells the web form and the submission check which
values the evidence must carry, so the two can never disagree.
"""

from __future__ import annotations

import abc
import datetime as dt
from dataclasses import dataclass, field
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


@dataclass
class Finding:
    """What one evidence item shows for its outcome."""

    met: bool
    reason: str
    earliest: dt.date | None = None  # when a running window could make it met
    supplementary: bool = False
    option: str | None = None
    set_aside: str | None = None  # why the evidence cannot be used at all (it then never meets)


@dataclass
class Context:
    """What a measure may know besides the evidence values."""

    as_of: dt.date
    start: dt.date
    end: dt.date
    closed_on: dt.date | None = None
    ages: dict = field(default_factory=dict)  # member id -> age at period end


class Measure(abc.ABC):
    kind = ""
    PARAMS: ClassVar[dict[str, s.Key]] = {}

    def __init__(self, params: dict[str, Any], tools: dict):
        self.p = params
        self.tools = tools
        self.also_confirmed = params.get("also_confirmed") or ""

    @classmethod
    def schema(cls) -> dict[str, s.Key]:
        keys = {"kind": s.Key(s.text), "also_confirmed": s.Key(s.optional_text, False, "")}
        keys.update(cls.PARAMS)
        return keys

    @classmethod
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
            return Finding(False, f"not confirmed that {self.also_confirmed}")
        return finding

    @abc.abstractmethod
    def decide(self, values: dict, ctx: Context) -> Finding:
        """The finding for values already checked by check_values."""

    def check_values(self, values: dict) -> list[tuple[str, str]]:
        """Faults in the values, each (field name, sentence a partner can act on)."""
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
        cached = self.__dict__.get("_checkers")
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
    "percent": lambda f, v: _check_number(f, v) or (
        None if 0 <= v <= 100 else f"{f.label} must be between 0 and 100; {fmt(v)} is out of range"
    ),
    "percents": _check_percents,
    "yes_no": _check_yes_no,
    "choice": _check_choice,
    "choices": _check_choices,
    "date": _check_date,
}


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
