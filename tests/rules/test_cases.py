"""Runs every YAML rule case in tests/rules/cases/ as a test named by its sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from portal.rules import CaseError, check_submission, evaluate, parse_case
from portal.rules.engine import Decision, check_case_against_plan
from portal.rules.plan import PlanError, frameworks_dir, load_plans, load_tools, parse_plan
from tests.rules.ruletests import UNSET, RuleTestError, read_case, read_file

CASE_DIR = Path(__file__).parent / "cases"


def collect():
    """Every case of every file, as (document, case); a file or case the runner cannot read as written
    becomes a failing test that says why, so nothing is silently passed."""
    for path in sorted(CASE_DIR.glob("*.yaml")):
        try:
            document = read_file(yaml.safe_load(path.read_text(encoding="utf-8")))
        except RuleTestError as error:
            yield pytest.param(None, error, id=f"{path.stem}: (cannot be read)")
            continue
        for i, data in enumerate(document.cases):
            name = data.get("name") if isinstance(data, dict) else None
            try:
                case = read_case(data)
            except RuleTestError as error:
                yield pytest.param(
                    document,
                    RuleTestError(f"{path.name} cases[{i}]: {error}"),
                    id=f"{path.stem}: {name or f'cases[{i}]'}",
                )
                continue
            yield pytest.param(document, case, id=f"{path.stem}: {case.name}")


def family_for(document, case) -> dict:
    family = dict(document.defaults)
    family.update(case.family or {})
    return family


def all_text(verdict) -> str:
    parts = list(verdict.missing) + list(verdict.eligibility) + list(verdict.notes)
    for problem in verdict.problems:
        parts += problem.reasons
        parts += [r for o in problem.outcomes for r in o.reasons]
    if verdict.continuous_employment:
        parts += verdict.continuous_employment.reasons
    return "\n".join(parts)


@pytest.mark.parametrize(("document", "case"), list(collect()))
def test_case(document, case):
    if isinstance(case, RuleTestError):
        pytest.fail(str(case))
    expect = case.expect
    if case.kind == "plan_file":
        return check_plan_error(case, expect)
    plan = load_plans()[document.plan]
    if case.kind == "submission":
        return check_a_submission(plan, document, case, expect)
    return check_verdict(plan, document, case, expect)


def given(value) -> bool:
    return value is not UNSET


def check_plan_error(case, expect):
    tools = load_tools(frameworks_dir() / "tools.yaml")
    with pytest.raises(PlanError) as caught:
        parse_plan(yaml.safe_load(case.plan_file), "frameworks/example.yaml", tools, "example")
    assert expect.plan_error in str(caught.value), str(caught.value)


def check_a_submission(plan, document, case, expect):
    family = parse_case(family_for(document, case))
    result = check_submission(plan, family, case.submission, case.as_of)
    text = "\n".join(f"{field}: {message}" for field, message in result.errors)
    if given(expect.valid):
        assert result.valid is expect.valid, text or "no errors"
    for fragment in expect.errors_include or []:
        assert fragment.casefold() in text.casefold(), text
    if given(expect.preview_met):
        assert result.finding is not None and result.finding.met is expect.preview_met, result.finding


def check_verdict(plan, document, case, expect):
    family = family_for(document, case)
    if given(expect.case_error):
        with pytest.raises(CaseError) as caught:
            evaluate(plan, family, case.as_of)
        assert expect.case_error in str(caught.value), str(caught.value)
        return
    verdict = evaluate(plan, family, case.as_of)
    for key in ("eligible", "turned_around", "claim_type", "earliest_claim_date"):
        if given(getattr(expect, key)):
            assert getattr(verdict, key) == getattr(expect, key), (key, verdict.to_json())
    check_problems(verdict, expect.problems or {})
    check_outcomes(plan, family, case.as_of, expect.outcomes or {})
    text = all_text(verdict)
    for fragment in expect.reasons_include or []:
        assert str(fragment).casefold() in text.casefold(), text
    missing = "\n".join(verdict.missing)
    for fragment in expect.missing_include or []:
        assert str(fragment).casefold() in missing.casefold(), missing


def check_problems(verdict, expected):
    found = {p.id: p.achieved for p in verdict.problems}
    for p in verdict.problems:
        found.update({n.id: n.achieved for n in p.needs or []})
    for key, achieved in expected.items():
        assert isinstance(key, str), f"write problem id {key!r} in quotes"
        assert key in found, f"problem {key} is not among the identified problems {sorted(found)}"
        assert found[key] is achieved, (key, verdict.to_json())


def check_outcomes(plan, family, as_of, expected):
    case = parse_case(family)
    check_case_against_plan(plan, case)
    decision = Decision(plan, case, as_of)
    for key, met in expected.items():
        assert isinstance(key, str), f"write outcome id {key!r} in quotes"
        result = decision.outcome(key)
        assert result.met is met, (key, result.reasons)
