"""The family case format (docs/case-format.md), defined once, as msgspec structs.

`docs/case.schema.json` is generated from these (`portal-rules schema`, checked
by tests/rules/test_schema.py), and the cohort decodes each line straight
into them, in C: types, dates, required keys, and no unknown key anywhere.
`case.parse_case` applies the same format to data given as Python values (the
portal, a YAML rule test), naming every fault at once.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

ROLES = ("parent", "carer", "child", "other_adult")
ACTIVITIES = ("education", "training", "employment", "unemployed", "none")
STAGES = ("identification", "engagement")
STATUSES = ("submitted", "accepted", "returned", "superseded")

Role = Literal[ROLES]  # type: ignore[valid-type]
Activity = Literal[ACTIVITIES]  # type: ignore[valid-type]
Stage = Literal[STAGES]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]
Id = Annotated[str, Meta(min_length=1)]  # not blank either: case.check_case (a pattern here costs a regex per id)
Day = Annotated[dt.date, Meta(extra_json_schema={"pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})]

# gc=False: they hold only text, numbers, dates and decoded JSON, never themselves, so the cycle
# collector need not track the millions a cohort decodes. forbid_unknown_fields: a misspelt key is a
# fault, never silently read as absent.
_STRUCT = {"gc": False, "forbid_unknown_fields": True}


class Member(msgspec.Struct, **_STRUCT):
    """A family member."""

    id: Annotated[Id, Meta(description="Unique within the case; evidence and problems name members by it")]
    role: Role
    date_of_birth: Day
    name: str | None = None
    activity: Annotated[Activity | None, Meta(description="Used by the dependent-child rule")] = None

    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id


class Problem(msgspec.Struct, **_STRUCT):
    """An identified problem (2022: a headline and one of its family needs)."""

    problem: Annotated[Id, Meta(description="Problem id (2022: headline id)")]
    indicator: Annotated[Id, Meta(description="Indicator id (2022: family need id)")]
    identified_on: Day
    stage: Stage = "identification"
    member: str | None = None


class Period(msgspec.Struct, **_STRUCT):
    """The period the evidence measures, both days included."""

    start: Day
    end: Day


class Evidence(msgspec.Struct, **_STRUCT):
    """One evidence item for one outcome."""

    outcome: Id
    period: Period
    id: str | None = None
    option: Annotated[str | None, Meta(description="The route taken, for an any_of measure")] = None
    members: Annotated[list[str], Meta(description="Member ids; empty for a family-level outcome")] = []
    source: Annotated[str, Meta(description="One of the outcome's sources, as printed")] = ""
    values: Annotated[dict[str, Any], Meta(description="What the outcome's measure needs (docs/plan-format.md)")] = {}
    statement: str = ""
    status: Annotated[Status, Meta(description="Only accepted evidence decides a claim")] = "accepted"


class Case(msgspec.Struct, **_STRUCT):
    """A family case decided by the rules engine against one outcome plan. See docs/case-format.md."""

    ref: Annotated[Id, Meta(description="The family's reference")]
    members: list[Member]
    plan: Annotated[str | None, Meta(description="Plan id; must match the plan evaluated")] = None
    essentials: Annotated[
        list[str] | dict[str, bool], Meta(description="Ids of the plan's essentials that are evidenced")
    ] = []
    problems: list[Problem] = []
    plan_outcomes: Annotated[list[str], Meta(description="Outcome ids in the family's plan (Suffolk)")] = []
    engaged_on: Day | None = None
    closed_on: Annotated[Day | None, Meta(description="Case closure date, or null while open")] = None
    evidence: list[Evidence] = []


decode_case = msgspec.json.Decoder(Case).decode

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "case.schema.json"


def json_schema() -> dict:
    """The JSON Schema of a case, generated from the structs above."""
    generated = msgspec.json.schema(Case)
    defs = generated["$defs"]
    top = defs.pop("Case")
    top.pop("title", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/family-outcomes-portal/docs/case.schema.json",
        "title": "Family case",
        "$comment": "Generated from portal/rules/format.py: portal-rules schema > docs/case.schema.json",
        **top,
        "$defs": defs,
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
