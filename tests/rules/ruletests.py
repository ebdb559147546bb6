"""The YAML rule-test format (docs/rule-tests.md), as msgspec structs: strict, so a misspelt key or a case
that asserts nothing is refused, never passed silently."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

_STRICT = {"forbid_unknown_fields": True}


class Expect(msgspec.Struct, **_STRICT):
    """What a case asserts; every key optional, but at least one must be given."""

    # a verdict
    eligible: bool | UnsetType = UNSET
    turned_around: bool | UnsetType = UNSET
    claim_type: str | None | UnsetType = UNSET
    earliest_claim_date: dt.date | None | UnsetType = UNSET
    outcomes: dict[str, bool] | UnsetType = UNSET
    problems: dict[str, bool] | UnsetType = UNSET
    reasons_include: list[str] | UnsetType = UNSET
    missing_include: list[str] | UnsetType = UNSET
    case_error: str | UnsetType = UNSET
    # a submission
    valid: bool | UnsetType = UNSET
    errors_include: list[str] | UnsetType = UNSET
    preview_met: bool | UnsetType = UNSET
    # a plan file
    plan_error: str | UnsetType = UNSET


VERDICT_KEYS = frozenset(
    (
        "eligible",
        "turned_around",
        "claim_type",
        "earliest_claim_date",
        "outcomes",
        "problems",
        "reasons_include",
        "missing_include",
        "case_error",
    )
)
ALLOWED = {
    "verdict": VERDICT_KEYS,
    "submission": frozenset(("valid", "errors_include", "preview_met")),
    "plan_file": frozenset(("plan_error",)),
}


class RuleCase(msgspec.Struct, **_STRICT):
    name: str
    expect: Expect
    as_of: dt.date | UnsetType = UNSET
    family: dict[str, Any] | UnsetType = UNSET
    submission: dict[str, Any] | UnsetType = UNSET
    plan_file: str | UnsetType = UNSET

    @property
    def kind(self) -> str:
        return (
            "plan_file" if self.plan_file is not UNSET else "submission" if self.submission is not UNSET else "verdict"
        )

    def asserted(self) -> list[str]:
        """The keys of `expect` that assert something (an empty list or mapping asserts nothing)."""
        return [
            k
            for k in self.expect.__struct_fields__
            if (v := getattr(self.expect, k)) is not UNSET and v != [] and v != {}
        ]


class RuleFile(msgspec.Struct, **_STRICT):
    plan: str
    cases: list[dict[str, Any]]
    defaults: dict[str, Any] = {}


class RuleTestError(Exception):
    """A rule-test file or case that cannot be run as written."""


def read_file(document) -> RuleFile:
    try:
        return msgspec.convert(document, RuleFile)
    except msgspec.ValidationError as error:
        raise RuleTestError(f"the file: {error}") from None


def read_case(data) -> RuleCase:
    """One case, checked: known keys only, what its kind needs, and at least one assertion."""
    try:
        case = msgspec.convert(data, RuleCase)
    except msgspec.ValidationError as error:
        raise RuleTestError(str(error)) from None
    if case.submission is not UNSET and case.plan_file is not UNSET:
        raise RuleTestError("give a submission or a plan_file, not both")
    if case.kind != "plan_file" and case.as_of is UNSET:
        raise RuleTestError("as_of is required")
    asserted = case.asserted()
    if not asserted:
        raise RuleTestError("the case asserts nothing: give at least one key under `expect`")
    wrong = sorted(set(asserted) - ALLOWED[case.kind])
    if wrong:
        raise RuleTestError(
            f"expect.{wrong[0]} is not asserted by a {case.kind.replace('_', ' ')} case "
            f"(it asserts: {', '.join(sorted(ALLOWED[case.kind]))})"
        )
    return case
