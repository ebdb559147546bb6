"""A family case, read from JSON-like data (docs/case-format.md).

Parsing runs once per family in a cohort of a million, so the happy path is
kept short and a fault's place ("evidence[2].period.end") is only worked out
when there is a fault.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import format as fmt
from .format import ACTIVITIES, ROLES, STAGES, STATUSES

_fromiso = dt.date.fromisoformat

# The keys each part of a case may have (the case format, portal/rules/format.py); any other key is a
# fault, named by its path, so that a misspelt key ("closed_no") is never silently read as absent.
CASE_KEYS, MEMBER_KEYS, PROBLEM_KEYS, EVIDENCE_KEYS, PERIOD_KEYS = (
    frozenset(part.__struct_fields__) for part in (fmt.Case, fmt.Member, fmt.Problem, fmt.Evidence, fmt.Period))


class CaseError(Exception):
    def __init__(self, faults: list[str]):
        self.faults = faults
        super().__init__("; ".join(faults))


@dataclass(slots=True)
class Member:
    id: str
    role: str
    born: dt.date
    activity: str | None = None
    name: str = ""

    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id


@dataclass(slots=True)
class Identified:
    problem: str
    indicator: str
    stage: str
    on: dt.date
    member: str | None = None


@dataclass(slots=True)
class Evidence:
    id: str
    outcome: str
    members: list[str]
    source: str
    start: dt.date
    end: dt.date
    values: dict
    statement: str = ""
    status: str = "accepted"
    option: str | None = None


@dataclass
class Case:
    ref: str
    members: dict[str, Member]
    essentials: set[str]
    problems: list[Identified]
    evidence: list[Evidence]
    plan: str | None = None
    plan_outcomes: list[str] = field(default_factory=list)
    engaged_on: dt.date | None = None
    closed_on: dt.date | None = None


class Faults(list):
    def add(self, where, message) -> None:
        self.append(f"{where}: {message}")


def text(data: dict, key: str, where, faults: Faults, required=True):
    value = data.get(key)
    if type(value) is str and value.strip():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is None and not required:
        return None
    faults.add(where(key), "is required" if value is None else "expected text")
    return None


def date(data: dict, key: str, where, faults: Faults, required=True):
    value = data.get(key)
    if type(value) is str:
        try:
            return _fromiso(value)
        except ValueError:
            pass
    elif isinstance(value, dt.date):
        return value
    elif value is None:
        if required:
            faults.add(where(key), "is required")
        return None
    faults.add(where(key), f"expected a date (YYYY-MM-DD), got {value!r}")
    return None


def choice(data: dict, key: str, where, faults: Faults, choices, default):
    value = data.get(key)
    if value is None:
        return default
    if value in choices:
        return value
    faults.add(where(key), f"expected one of {', '.join(choices)}, got {value!r}")
    return default


def objects(data: dict, key: str, faults: Faults) -> list:
    value = data.get(key)
    if value is None:
        return []
    if type(value) is list and all(type(v) is dict for v in value):
        return value
    faults.add(key, "expected a list of objects")
    return []


def unknown_keys(data: dict, allowed: frozenset, prefix: str, faults: Faults) -> None:
    if not allowed.issuperset(data):
        for key in data:
            if key not in allowed:
                where = f"{prefix}.{key}" if prefix else str(key)
                faults.add(where, f"unknown key (the keys are: {', '.join(sorted(allowed))})")


def at(prefix: str):
    return lambda key: f"{prefix}.{key}" if prefix else key


def parse_case(data) -> Case:
    if type(data) is not dict:
        raise CaseError(["the case must be a JSON object"])
    faults = Faults()
    top = at("")
    unknown_keys(data, CASE_KEYS, "", faults)
    members = _members(data, faults)
    case = Case(
        ref=text(data, "ref", top, faults),
        plan=data.get("plan"),
        members=members,
        essentials=_essentials(data, faults),
        problems=[_identified(p, i, faults) for i, p in enumerate(objects(data, "problems", faults))],
        evidence=[_evidence(e, i, faults) for i, e in enumerate(objects(data, "evidence", faults))],
        plan_outcomes=[str(o) for o in data.get("plan_outcomes") or ()],
        engaged_on=date(data, "engaged_on", top, faults, required=False),
        closed_on=date(data, "closed_on", top, faults, required=False),
    )
    _check_references(case, faults)
    if faults:
        raise CaseError(faults)
    return case


def _members(data, faults):
    members = {}
    for i, m in enumerate(objects(data, "members", faults)):
        where = at(f"members[{i}]")
        unknown_keys(m, MEMBER_KEYS, f"members[{i}]", faults)
        member = Member(
            text(m, "id", where, faults), choice(m, "role", where, faults, ROLES, "child"),
            date(m, "date_of_birth", where, faults), choice(m, "activity", where, faults, ACTIVITIES, None),
            m.get("name") or "",
        )
        if m.get("role") is None:
            faults.add(where("role"), f"is required: one of {', '.join(ROLES)}")
        if member.id in members:
            faults.add(where("id"), f"member id {member.id!r} is used twice")
        members[member.id] = member
    return members


def _essentials(data, faults):
    value = data.get("essentials") or ()
    if type(value) is dict:  # {"lead_professional": true, ...} reads naturally too
        return {k for k, v in value.items() if v is True}
    if type(value) in (list, tuple):
        return {str(v) for v in value}
    faults.add("essentials", "expected a list of essential ids")
    return set()


def _identified(p, i, faults):
    where = at(f"problems[{i}]")
    unknown_keys(p, PROBLEM_KEYS, f"problems[{i}]", faults)
    return Identified(
        text(p, "problem", where, faults), text(p, "indicator", where, faults),
        choice(p, "stage", where, faults, STAGES, "identification"), date(p, "identified_on", where, faults),
        p.get("member"),
    )


def _evidence(e, i, faults):
    where = at(f"evidence[{i}]")
    unknown_keys(e, EVIDENCE_KEYS, f"evidence[{i}]", faults)
    period = e.get("period")
    if type(period) is not dict:
        faults.add(where("period"), "is required, with start and end dates")
        period = {}
    unknown_keys(period, PERIOD_KEYS, f"evidence[{i}].period", faults)
    source = e.get("source")
    if source is not None and type(source) is not str:
        faults.add(where("source"), "expected text")
    on = at(f"evidence[{i}].period")
    members = e.get("members") or []
    if type(members) is not list:
        faults.add(where("members"), "expected a list of member ids")
        members = []
    values = e.get("values")
    evidence = Evidence(
        text(e, "id", where, faults, required=False) or f"evidence[{i}]", text(e, "outcome", where, faults),
        [m if type(m) is str else str(m) for m in members], source if type(source) is str else "",
        date(period, "start", on, faults), date(period, "end", on, faults),
        values if type(values) is dict else {}, e.get("statement") or "",
        choice(e, "status", where, faults, STATUSES, "accepted"), e.get("option"),
    )
    if evidence.start and evidence.end and evidence.end < evidence.start:
        faults.add(where("period"), f"ends {evidence.end} before it starts {evidence.start}")
    return evidence


def _check_references(case, faults):
    for i, ev in enumerate(case.evidence):
        for member in ev.members:
            if member not in case.members:
                faults.add(f"evidence[{i}].members", f"no family member with id {member!r}")
    for i, p in enumerate(case.problems):
        if p.member and p.member not in case.members:
            faults.add(f"problems[{i}].member", f"no family member with id {p.member!r}")
