"""A family case, read from JSON-like data (docs/case-format.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ROLES = ("parent", "carer", "child", "other_adult")
ACTIVITIES = ("education", "training", "employment", "unemployed", "none")
STAGES = ("identification", "engagement")
STATUSES = ("submitted", "accepted", "returned", "superseded")


class CaseError(Exception):
    def __init__(self, faults: list[str]):
        self.faults = faults
        super().__init__("; ".join(faults))


@dataclass
class Member:
    id: str
    role: str
    born: dt.date
    activity: str | None = None
    name: str = ""

    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id


@dataclass
class Identified:
    problem: str
    indicator: str
    stage: str
    on: dt.date
    member: str | None = None


@dataclass
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


class _Reader:
    """Reads fields, collecting a fault per bad one instead of stopping at the first."""

    def __init__(self):
        self.faults: list[str] = []

    def fault(self, path, message):
        self.faults.append(f"{path}: {message}")

    def text(self, data, key, path, required=True):
        value = data.get(key)
        if value is None and not required:
            return None
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return str(value)
        self.fault(f"{path}.{key}" if path else key, "is required" if value is None else "expected text")
        return None

    def date(self, data, key, path, required=True):
        value = data.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.fault(where, "is required")
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fault(where, f"expected a date (YYYY-MM-DD), got {value!r}")
            return None

    def choice(self, data, key, path, choices, default=None):
        value = data.get(key, default)
        if value in choices or (value is None and default is None and key not in data):
            return value
        self.fault(f"{path}.{key}", f"expected one of {', '.join(choices)}, got {value!r}")
        return None

    def items(self, data, key):
        value = data.get(key, [])
        if value is None:
            return []
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return value
        self.fault(key, "expected a list of objects")
        return []


def parse_case(data) -> Case:
    if not isinstance(data, dict):
        raise CaseError(["the case must be a JSON object"])
    r = _Reader()
    case = Case(
        ref=r.text(data, "ref", ""),
        plan=data.get("plan"),
        members=_members(r, data),
        essentials=_essentials(r, data),
        problems=[_identified(r, p, f"problems[{i}]") for i, p in enumerate(r.items(data, "problems"))],
        evidence=[_evidence(r, e, f"evidence[{i}]") for i, e in enumerate(r.items(data, "evidence"))],
        plan_outcomes=[str(o) for o in data.get("plan_outcomes") or []],
        engaged_on=r.date(data, "engaged_on", "", required=False),
        closed_on=r.date(data, "closed_on", "", required=False),
    )
    _check_references(r, case)
    if r.faults:
        raise CaseError(r.faults)
    return case


def _members(r, data):
    members = {}
    for i, m in enumerate(r.items(data, "members")):
        path = f"members[{i}]"
        member = Member(
            id=r.text(m, "id", path), role=r.choice(m, "role", path, ROLES, default="child"),
            born=r.date(m, "date_of_birth", path), activity=r.choice(m, "activity", path, ACTIVITIES),
            name=m.get("name") or "",
        )
        if member.id in members:
            r.fault(f"{path}.id", f"member id {member.id!r} is used twice")
        members[member.id] = member
    return members


def _essentials(r, data):
    value = data.get("essentials") or []
    if isinstance(value, dict):  # {"lead_professional": true, ...} reads naturally too
        return {k for k, v in value.items() if v is True}
    if isinstance(value, list):
        return {str(v) for v in value}
    r.fault("essentials", "expected a list of essential ids")
    return set()


def _identified(r, p, path):
    return Identified(
        problem=r.text(p, "problem", path), indicator=r.text(p, "indicator", path),
        stage=r.choice(p, "stage", path, STAGES, default="identification"),
        on=r.date(p, "identified_on", path), member=p.get("member"),
    )


def _evidence(r, e, path):
    period = e.get("period") if isinstance(e.get("period"), dict) else {}
    if "period" not in e or not isinstance(e.get("period"), dict):
        r.fault(f"{path}.period", "is required, with start and end dates")
    members = e.get("members") or []
    if not isinstance(members, list):
        r.fault(f"{path}.members", "expected a list of member ids")
        members = []
    evidence = Evidence(
        id=r.text(e, "id", path, required=False) or path, outcome=r.text(e, "outcome", path),
        members=[str(m) for m in members], source=e.get("source") or "",
        start=r.date(period, "start", f"{path}.period"), end=r.date(period, "end", f"{path}.period"),
        values=e.get("values") if isinstance(e.get("values"), dict) else {},
        statement=e.get("statement") or "", option=e.get("option"),
        status=r.choice(e, "status", path, STATUSES, default="accepted"),
    )
    if evidence.start and evidence.end and evidence.end < evidence.start:
        r.fault(f"{path}.period", f"ends {evidence.end} before it starts {evidence.start}")
    return evidence


def _check_references(r, case):
    for i, ev in enumerate(case.evidence):
        for member in ev.members:
            if member not in case.members:
                r.fault(f"evidence[{i}].members", f"no family member with id {member!r}")
    for i, p in enumerate(case.problems):
        if p.member and p.member not in case.members:
            r.fault(f"problems[{i}].member", f"no family member with id {p.member!r}")
