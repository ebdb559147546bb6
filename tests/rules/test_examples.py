"""The worked examples in examples/ are decided as examples/<plan>.md explains, and fit the case schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from portal.rules import evaluate, load_plans

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "case.schema.json").read_text())
SS, CE = "significant_and_sustained", "continuous_employment"

# file -> (as of, eligible, turned around, claim type, earliest claim date), as each plan's .md explains
EXPECTED = {
    "suffolk-2017-turned-around": ("2017-01-10", True, True, SS, None),
    "suffolk-2017-not-yet": ("2016-08-01", True, False, None, None),
    "suffolk-2017-continuous-employment": ("2016-08-10", True, True, CE, None),
    "southwark-2018-turned-around": ("2019-09-02", True, True, SS, None),
    "southwark-2018-missing-essential": ("2019-02-01", True, False, None, None),
    "southwark-2018-continuous-employment": ("2019-07-22", True, True, CE, None),
    "hertfordshire-2022-turned-around": ("2023-11-06", True, True, SS, None),
    "hertfordshire-2022-not-eligible": ("2023-11-06", False, False, None, None),
    "hertfordshire-2022-waiting-for-sustainment": ("2023-11-06", True, False, None, "2024-02-15"),
    "durham-2018-turned-around": ("2019-01-10", True, True, SS, None),
    "durham-2018-mandatory-missing": ("2019-01-10", True, False, None, None),
    "durham-2018-continuous-employment": ("2019-01-10", True, True, CE, None),
    "sunderland-2015-turned-around": ("2016-08-01", True, True, SS, None),
    "sunderland-2015-emerging-problem": ("2016-02-01", True, False, None, "2016-03-31"),
    "sunderland-2015-continuous-employment": ("2016-08-01", True, True, CE, None),
}


def test_every_example_file_has_an_expectation():
    assert {p.stem for p in (ROOT / "examples").glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_is_decided_as_documented(name):
    as_of, eligible, turned, claim, earliest = EXPECTED[name]
    data = json.loads((ROOT / "examples" / f"{name}.json").read_text())
    jsonschema.validate(data, SCHEMA)
    plan = load_plans()[data["plan"]]
    verdict = evaluate(plan, data, dt.date.fromisoformat(as_of))
    assert (verdict.eligible, verdict.turned_around, verdict.claim_type) == (eligible, turned, claim), verdict.missing
    got = verdict.earliest_claim_date.isoformat() if verdict.earliest_claim_date else None
    assert got == earliest
    if not turned:
        assert verdict.missing, "a family that is not turned around is told what is missing"
