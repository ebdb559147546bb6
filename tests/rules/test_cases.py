"""Runs every YAML rule case in tests/rules/cases/ as a test named by its sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from portal.rules import CaseError, check_submission, evaluate, parse_case
from portal.rules.engine import Decision, check_case_against_plan
from portal.rules.plan import PlanError, frameworks_dir, load_plans, load_tools, parse_plan

CASE_DIR = Path(__file__).parent / "cases"


def collect():
    for path in sorted(CASE_DIR.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in document.get("cases") or []:
            yield pytest.param(document, case, id=f"{path.stem}: {case['name']}")


def family_for(document, case) -> dict:
    family = dict(document.get("defaults") or {})
    family.update(case.get("family") or {})
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
    expect = case.get("expect") or {}
    if "plan_file" in case:
        return check_plan_error(case, expect)
    plan = load_plans()[document["plan"]]
    if "submission" in case:
        return check_a_submission(plan, document, case, expect)
    return check_verdict(plan, document, case, expect)


def check_plan_error(case, expect):
    tools = load_tools(frameworks_dir() / "tools.yaml")
    with pytest.raises(PlanError) as caught:
        parse_plan(yaml.safe_load(case["plan_file"]), "frameworks/example.yaml", tools, "example")
    assert expect["plan_error"] in str(caught.value), str(caught.value)


def check_a_submission(plan, document, case, expect):
    family = parse_case(family_for(document, case))
    result = check_submission(plan, family, case["submission"], case["as_of"])
    text = "\n".join(f"{field}: {message}" for field, message in result.errors)
    if "valid" in expect:
        assert result.valid is expect["valid"], text or "no errors"
    for fragment in expect.get("errors_include") or []:
        assert fragment.casefold() in text.casefold(), text
    if "preview_met" in expect:
        assert result.finding is not None and result.finding.met is expect["preview_met"], result.finding


def check_verdict(plan, document, case, expect):
    family = family_for(document, case)
    if "case_error" in expect:
        with pytest.raises(CaseError) as caught:
            evaluate(plan, family, case["as_of"])
        assert expect["case_error"] in str(caught.value), str(caught.value)
        return
    verdict = evaluate(plan, family, case["as_of"])
    for key in ("eligible", "turned_around", "claim_type"):
        if key in expect:
            assert getattr(verdict, key) == expect[key], (key, verdict.to_json())
    if "earliest_claim_date" in expect:
        assert verdict.earliest_claim_date == expect["earliest_claim_date"], verdict.to_json()
    check_problems(verdict, expect.get("problems") or {})
    check_outcomes(plan, family, case["as_of"], expect.get("outcomes") or {})
    text = all_text(verdict)
    for fragment in expect.get("reasons_include") or []:
        assert str(fragment).casefold() in text.casefold(), text
    missing = "\n".join(verdict.missing)
    for fragment in expect.get("missing_include") or []:
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
