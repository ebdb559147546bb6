"""The part of a family case line the fast path reads, as msgspec types.

`msgspec` decodes a line straight into these, in C: it skips every field not named
here (statements, sources, names) without building it, reads dates, and refuses a
value of the wrong type. A refusal proves nothing about the line (the engine
accepts, say, a member id written as a number, or a date such as 20170630), so the
caller then hands the line to the engine, which decides it or names its fault.

Every type here is at least as strict as the engine's parser (`case.parse_case`)
for the same field, never looser: whatever decodes here, the engine would accept
as the same value. What the engine checks beyond types (blank ids, members named
twice, indicators of the problem...) the reader still checks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import msgspec

from ..case import ACTIVITIES, ROLES, STAGES, STATUSES

Role = Literal[ROLES]  # type: ignore[valid-type]  - the engine's own tuples, so the two cannot drift
Activity = Literal[ACTIVITIES]  # type: ignore[valid-type]
Stage = Literal[STAGES]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]


# gc=False: these hold only text, dates and decoded JSON, never themselves, so the cycle collector
# need not track a few million of them.
class Member(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    id: str
    role: Role
    date_of_birth: dt.date
    activity: Activity | None = None
    name: Any = None


class Problem(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    problem: str
    indicator: str
    identified_on: dt.date
    stage: Stage | None = None
    member: str | None = None


class Period(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    start: dt.date
    end: dt.date


class Evidence(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    outcome: str
    period: Period
    id: str | None = None
    option: Any = None
    members: list[str] | None = None
    values: Any = None
    status: Status | None = None
    source: str | None = None
    statement: Any = None


class Line(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    ref: str
    plan: Any = None
    members: list[Member] | None = None
    essentials: Any = None
    problems: list[Problem] | None = None
    plan_outcomes: Any = None
    engaged_on: dt.date | None = None
    closed_on: dt.date | None = None
    evidence: list[Evidence] | None = None


decode_line = msgspec.json.Decoder(Line).decode
