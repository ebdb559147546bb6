"""A family case (docs/case-format.md), read into the case format's structs (format.py).

The format is defined once, by the structs: `parse_case` converts data given as
Python values (the portal, a YAML rule test) with msgspec, as the cohort decodes
JSON lines with it, so both read a case alike. What a type cannot say (member ids
used twice, a reference to no member, a period that ends before it starts) is
checked here, for both. A fault names its place: `evidence[0].period.ned: unknown key`.
"""

from __future__ import annotations

import re

import msgspec
import msgspec.inspect

from .format import ACTIVITIES, ROLES, STAGES, STATUSES, Case, Evidence, Member, Period, Problem

__all__ = [
    "ACTIVITIES",
    "ROLES",
    "STAGES",
    "STATUSES",
    "Case",
    "CaseError",
    "Evidence",
    "Member",
    "Period",
    "Problem",
    "check_case",
    "faults_of",
    "parse_case",
]


class CaseError(Exception):
    def __init__(self, faults: list[str]):
        self.faults = faults
        super().__init__("; ".join(faults))


def parse_case(data) -> Case:
    """The case, checked; raises CaseError naming every fault found."""
    if isinstance(data, Case):
        return data
    if type(data) is not dict:
        raise CaseError(["the case must be a JSON object"])
    try:
        case = msgspec.convert(data, Case)
    except msgspec.ValidationError as error:
        raise CaseError(faults_of(error, data)) from None
    check_case(case)
    return case


def faults_of(error: msgspec.ValidationError, data) -> list[str]:
    """msgspec names the first fault only; every unknown key is named too, found by walking the data
    along the structs' own fields."""
    first = fault_of(error)
    unknown = [f"{path}: {UNKNOWN}" for path in unknown_keys(data, _CASE_INFO, "")]
    return unknown + ([first] if first not in unknown else [])


UNKNOWN = "unknown key (the case format is docs/case-format.md)"
_CASE_INFO = msgspec.inspect.type_info(Case)


def unknown_keys(data, info, path: str) -> list[str]:
    """The paths of every key in `data` that the type `info` (msgspec.inspect) does not have."""
    mi = msgspec.inspect
    if isinstance(info, mi.Metadata):
        return unknown_keys(data, info.type, path)
    if isinstance(info, mi.UnionType):
        return [p for t in info.types for p in unknown_keys(data, t, path)]
    if isinstance(info, mi.ListType) and type(data) is list:
        return [p for i, item in enumerate(data) for p in unknown_keys(item, info.item_type, f"{path}[{i}]")]
    if isinstance(info, mi.StructType) and type(data) is dict:
        fields = {f.encode_name: f.type for f in info.fields}
        out = []
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            out += unknown_keys(value, fields[key], where) if key in fields else [where]
        return out
    return []


_AT = re.compile(r"^(.*?)(?: - at `\$(.*)`)?$", re.DOTALL)
_FIELD = re.compile(r"^Object (missing required|contains unknown) field `(.*)`$")
_EXPECTED = re.compile(r"^Expected `(.*)`, got `(.*)`$")


def fault_of(error: msgspec.ValidationError) -> str:
    """msgspec's message as this engine's faults read: the place, then what is wrong there."""
    message, path = _AT.match(str(error)).groups()
    path = (path or "").lstrip(".")
    field = _FIELD.match(message)
    if field:
        path = f"{path}.{field[2]}" if path else field[2]
        message = "is required" if field[1] == "missing required" else UNKNOWN
    elif path == "" and message.startswith("Expected `object`"):
        return "the case must be a JSON object"
    elif _EXPECTED.match(message):
        want, got = _EXPECTED.match(message).groups()
        message = f"expected {_WORDS.get(want, want)}, got {_WORDS.get(got, got)}"
    elif message.startswith("Invalid enum value"):
        choices = _CHOICES.get(path.rsplit(".", 1)[-1])
        message = f"expected one of {', '.join(choices)}, got {message.split(' ', 3)[3]}" if choices else message
    elif "date" in message:
        message = "expected a date (YYYY-MM-DD)"
    elif "matching regex" in message:
        message = "expected text, not blank"
    else:
        message = message[0].lower() + message[1:]
    return f"{path}: {message}" if path else message


_CHOICES = {"role": ROLES, "activity": ACTIVITIES, "stage": STAGES, "status": STATUSES}
_WORDS = {
    "str": "text",
    "int": "a number",
    "float": "a number",
    "bool": "true or false",
    "null": "nothing",
    "array": "a list",
    "object": "an object",
    "date": "a date (YYYY-MM-DD)",
}


def check_case(case: Case) -> None:
    """What the types cannot say; raises CaseError naming every fault."""
    faults = []
    if not case.ref.strip():
        faults.append("ref: expected text, not blank")
    seen = set()
    for i, m in enumerate(case.members):
        if not m.id.strip():
            faults.append(f"members[{i}].id: expected text, not blank")
        if m.id in seen:
            faults.append(f"members[{i}].id: member id {m.id!r} is used twice")
        seen.add(m.id)
    for i, p in enumerate(case.problems):
        if p.member is not None and p.member not in seen:
            faults.append(f"problems[{i}].member: no family member with id {p.member!r}")
    for i, ev in enumerate(case.evidence):
        if ev.id is None:
            ev.id = f"evidence[{i}]"
        elif not ev.id.strip():
            faults.append(f"evidence[{i}].id: expected text")
        if ev.period.end < ev.period.start:
            faults.append(f"evidence[{i}].period: ends {ev.period.end} before it starts {ev.period.start}")
        for member in ev.members:
            if member not in seen:
                faults.append(f"evidence[{i}].members: no family member with id {member!r}")
    if faults:
        raise CaseError(faults)
