"""A small declarative validator for plan files.

Why not JSON Schema: a council officer editing YAML needs one sentence naming
the place and the fault ("problems[2].outcomes[4].measure.threshold: expected a
number between 0 and 100, got "ninety""), and plan values need converting
(dates, fractions, dated parameters) in the same walk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .dated import DatedValue


class SpecError(Exception):
    """Raised with every fault found in one walk."""

    def __init__(self, faults: list[str]):
        super().__init__("; ".join(faults))
        self.faults = faults


def shown(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return str(value)


class Walk:
    """Collects faults while converting a document."""

    def __init__(self):
        self.faults: list[str] = []

    def fault(self, path: str, message: str) -> None:
        self.faults.append(f"{path}: {message}" if path else message)

    def finish(self) -> None:
        if self.faults:
            raise SpecError(self.faults)


Spec = Callable[[Any, str, Walk], Any]


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def text(value, path, walk):
    if isinstance(value, str) and value.strip():
        return value
    walk.fault(path, f"expected text, got {shown(value)}")


def optional_text(value, path, walk):
    if value is None or isinstance(value, str):
        return value or ""
    walk.fault(path, f"expected text, got {shown(value)}")
    return ""


def ident(value, path, walk):
    """Ids are printed numbers or letters; YAML may read 1 or 1.1 as a number."""
    if isinstance(value, bool) or value is None:
        walk.fault(path, f"expected an id, got {shown(value)}")
        return None
    if isinstance(value, (int, float)):
        walk.fault(path, f'expected an id in quotes, got {value} (write "{value}")')
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    walk.fault(path, f"expected an id, got {shown(value)}")


def boolean(value, path, walk):
    if isinstance(value, bool):
        return value
    walk.fault(path, f"expected true or false, got {shown(value)}")
    return False


def date(value, path, walk):
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    walk.fault(path, f"expected a date (YYYY-MM-DD), got {shown(value)}")


def number(low=None, high=None, whole=False):
    def check(value, path, walk):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok and whole and not float(value).is_integer():
            ok = False
        if ok and (low is None or value >= low) and (high is None or value <= high):
            return int(value) if whole else value
        walk.fault(path, f"expected {describe_number(low, high, whole)}, got {shown(value)}")

    return check


def describe_number(low, high, whole) -> str:
    noun = "a whole number" if whole else "a number"
    if low is not None and high is not None:
        return f"{noun} between {low} and {high}"
    if low is not None:
        return f"{noun} of at least {low}"
    return noun


def dated(inner: Spec) -> Spec:
    """A number, or {values: {date: number}, reference: text}: both values are kept."""

    def check(value, path, walk):
        if not isinstance(value, dict):
            result = inner(value, path, walk)
            return None if result is None else DatedValue.constant(result)
        allowed(value, {"values", "reference"}, path, walk)
        values = value.get("values")
        if not isinstance(values, dict) or not values:
            walk.fault(join(path, "values"), f"expected dates mapped to values, got {shown(values)}")
            return None
        pairs = []
        for key, item in values.items():
            when = date(key, join(path, f"values.{key}"), walk)
            amount = inner(item, join(path, f"values.{key}"), walk)
            if when is not None and amount is not None:
                pairs.append((when, amount))
        return DatedValue(pairs, reference=value.get("reference", ""))

    return check


def fraction(value, path, walk):
    """A reduction written as "1/3", "60%" or 0.6, kept exact."""
    try:
        if isinstance(value, str) and value.strip().endswith("%"):
            result = Fraction(value.strip()[:-1]) / 100
        elif isinstance(value, str) and "/" in value:
            result = Fraction(value.strip())
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            result = Fraction(str(value))
        else:
            raise ValueError
    except (ValueError, ZeroDivisionError):
        walk.fault(path, f'expected a fraction such as "1/3" or "60%", got {shown(value)}')
        return None
    if 0 < result <= 1:
        return result
    walk.fault(path, f"expected a reduction above 0% and at most 100%, got {shown(value)}")


def one_of(*choices: str) -> Spec:
    def check(value, path, walk):
        if value in choices:
            return value
        walk.fault(path, f"expected one of {', '.join(choices)}, got {shown(value)}")

    return check


def list_of(inner: Spec, minimum: int = 0) -> Spec:
    def check(value, path, walk):
        if not isinstance(value, list):
            walk.fault(path, f"expected a list, got {shown(value)}")
            return []
        if len(value) < minimum:
            walk.fault(path, f"expected at least {minimum} item(s), got {len(value)}")
        return [inner(item, join(path, i), walk) for i, item in enumerate(value)]

    return check


def allowed(value: dict, keys, path: str, walk: Walk) -> None:
    for key in value:
        if key not in keys:
            walk.fault(join(path, str(key)), "unknown key (check the spelling against docs/plan-format.md)")


@dataclass(frozen=True)
class Key:
    spec: Spec
    required: bool = True
    default: Any = None


def mapping(keys: dict[str, Key]) -> Spec:
    def check(value, path, walk):
        if not isinstance(value, dict):
            walk.fault(path, f"expected a mapping, got {shown(value)}")
            return {}
        allowed(value, keys, path, walk)
        out = {}
        for name, key in keys.items():
            if name in value and (value[name] is not None or key.required):
                out[name] = key.spec(value[name], join(path, name), walk)
            elif key.required:
                walk.fault(join(path, name), "is required")
            else:
                out[name] = key.default
        return out

    return check
