"""The cohort decides every line as `portal-rules evaluate` decides the same case.

There is one engine. The cohort decodes each line with msgspec into the case
format's structs and asks the engine for its compact row (`Decision.row`);
`evaluate` converts a case given as Python values and builds the verdict a person
reads. Both must give the same row, or refuse a case with the same fault: for
synthetic cohorts from bench/generate.py for each plan at three as-of dates, the
worked examples, every rule case, and mangled copies (odd values, dates at age
limits, second items for an outcome, windows still running, malformed lines).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from pathlib import Path

import msgspec
import pytest
import yaml

from bench.generate import pool
from portal.rules import cohort
from portal.rules.case import CaseError
from portal.rules.describe import plan_json
from portal.rules.plan import frameworks_dir, load_plan_file, load_plans

ROOT = Path(__file__).resolve().parents[2]
PLANS = sorted(load_plans())
AS_OF = [dt.date(2016, 3, 31), dt.date(2017, 6, 30), dt.date(2019, 9, 1)]


def as_json(family) -> dict:
    """What a line of a cohort file holds: YAML dates become ISO text."""
    return msgspec.json.decode(msgspec.json.encode(family))


def evaluated(plan, data, as_of):
    """The row of the verdict `evaluate` gives a person, or the faults it names."""
    try:
        return cohort.row(cohort.decide_data(plan, data, as_of))
    except CaseError as error:
        return "; ".join(error.faults)


def decided(plan, line: bytes, as_of):
    """The cohort's row for a line, or the faults it names."""
    try:
        return cohort.decide_line(plan, line, as_of).row()
    except CaseError as error:
        return "; ".join(error.faults)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return "not valid JSON"


def assert_same(plan, families, as_of, least_decided=0.0):
    rows = 0
    for data in families:
        got = decided(plan, msgspec.json.encode(data), as_of)
        assert got == evaluated(plan, data, as_of), data.get("ref") if type(data) is dict else data
        rows += type(got) is list
    assert rows >= least_decided * len(families), f"only {rows} of {len(families)} families were decided"


def synthetic(plan_id: str, size: int, seed: int) -> list[dict]:
    plan = load_plans()[plan_id]
    return pool(plan, plan_json(plan), size, seed=seed)


@pytest.mark.parametrize("plan_id", PLANS)
@pytest.mark.parametrize("as_of", AS_OF, ids=str)
def test_synthetic_families_get_the_same_row_both_ways(plan_id, as_of):
    assert_same(load_plans()[plan_id], synthetic(plan_id, 300, seed=11), as_of, least_decided=1.0)


@pytest.mark.parametrize("plan_id", PLANS)
def test_no_claim_date_falls_before_the_as_of_date(plan_id):
    plan, seen = load_plans()[plan_id], 0
    for as_of in AS_OF + [dt.date(2023, 10, 1)]:
        dates = [decided(plan, msgspec.json.encode(f), as_of)[5] for f in synthetic(plan_id, 300, seed=7)]
        assert all(d >= as_of.isoformat() for d in dates if d), plan_id
        seen += sum(1 for d in dates if d)
    assert seen, "some family has a window still running, so the test is not vacuous"


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.json")), ids=lambda p: p.stem)
@pytest.mark.parametrize("as_of", AS_OF + [dt.date(2024, 6, 1)], ids=str)
def test_worked_examples_get_the_same_row_both_ways(path, as_of):
    data = json.loads(path.read_text())
    assert_same(load_plans()[data["plan"]], [data], as_of, least_decided=1.0)


def rule_cases():
    for path in sorted((ROOT / "tests" / "rules" / "cases").glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in document.get("cases") or []:
            if "plan_file" in case or "submission" in case:
                continue
            family = dict(document.get("defaults") or {})
            family.update(case.get("family") or {})
            yield pytest.param(document["plan"], as_json(family), case["as_of"], id=f"{path.stem}: {case['name']}")


@pytest.mark.parametrize(("plan_id", "family", "as_of"), list(rule_cases()))
def test_rule_cases_get_the_same_row_both_ways(plan_id, family, as_of):
    assert_same(load_plans()[plan_id], [family], as_of)


# -- mangled families: odd but valid, and malformed ------------------------------

ODD = [
    None,
    "",
    " ",
    0,
    1,
    -1,
    2.5,
    200,
    10**6,
    2**70,
    True,
    False,
    "x",
    "2016-02-30",
    "20160115",
    [],
    [1],
    ["x"],
    {},
    {"a": 1},
]


def mangle(family: dict, rng: random.Random) -> dict:
    family = copy.deepcopy(family)
    for _ in range(rng.randint(1, 3)):
        rng.choice(MANGLERS)(family, rng)
    return family


def _some(rng, items):
    """One of the objects in a list that earlier mangling may have replaced with anything."""
    objects = [i for i in items if type(i) is dict] if type(items) is list else []
    return rng.choice(objects) if objects else None


def _top(family, rng):
    family[rng.choice(list(family) + ["plan", "closed_on", "engaged_on"])] = rng.choice(ODD)


# Around the plans' age limits (5, 16, 18 when the evidence ends in 2016) and month ends.
DAYS = [
    "1997-12-31",
    "1998-06-15",
    "1999-07-01",
    "2000-02-29",
    "2010-09-01",
    "2011-08-31",
    "2012-01-01",
    "2015-08-31",
    "2016-02-29",
    "2016-09-30",
    "2017-01-31",
    "2018-03-31",
    "2016-1-5",
    None,
]


def _date(family, rng):
    day = rng.choice(DAYS)
    target = rng.choice(["closed_on", "engaged_on", "member", "problem", "start", "end"])
    member, problem, item = (_some(rng, family.get(key)) for key in ("members", "problems", "evidence"))
    if target in ("closed_on", "engaged_on"):
        family[target] = day
    elif target == "member" and member:
        member["date_of_birth"] = day
    elif target == "problem" and problem:
        problem["identified_on"] = day
    elif item and type(item.get("period")) is dict:
        item["period"][target] = day


def _member(family, rng):
    member = _some(rng, family.get("members"))
    if member:
        member[rng.choice(["id", "role", "activity", "date_of_birth", "name"])] = rng.choice(
            ODD + ["child", "parent", "carer", "employment", "unemployed", "c1", "m1"]
        )


def _problem(family, rng):
    problem = _some(rng, family.get("problems"))
    if problem:
        problem[rng.choice(["problem", "indicator", "stage", "member"])] = rng.choice(
            ODD + ["engagement", "identification", "1", "2", "A", "B", "c1", "m1", "nobody"]
        )


def _evidence(family, rng):
    item = _some(rng, family.get("evidence"))
    if item:
        key = rng.choice(["id", "outcome", "option", "members", "status", "period", "values"])
        item[key] = rng.choice(ODD + ["submitted", "returned", "accepted", ["m1"], ["c1", "m1"], ["nobody"]])


def _value(family, rng):
    item = _some(rng, family.get("evidence"))
    if item and type(item.get("values")) is dict and item["values"]:
        item["values"][rng.choice(list(item["values"]))] = rng.choice(ODD + [50, 95.5, 14, 30, [90, 91, 92]])


def _copy_evidence(family, rng):
    """A second item for the same outcome, over another period, naming other members."""
    item, members = _some(rng, family.get("evidence")), _some(rng, family.get("members"))
    if item and members:
        twin = copy.deepcopy(item)
        twin["id"] = f"{item.get('id')}b"
        twin["members"] = [m.get("id") for m in family["members"] if type(m) is dict][: rng.randint(0, 3)]
        start = dt.date(2015, 6, 1) + dt.timedelta(days=rng.randint(0, 400))
        twin["period"] = {
            "start": start.isoformat(),
            "end": (start + dt.timedelta(days=rng.randint(20, 500))).isoformat(),
        }
        family["evidence"].append(twin)


def _short_period(family, rng):
    """A window still running: the outcome is not met yet, but could be from a date."""
    item = _some(rng, family.get("evidence"))
    if item and type(item.get("period")) is dict and type(item["period"].get("start")) is str:
        try:
            start = dt.date.fromisoformat(item["period"]["start"])
        except ValueError:
            return
        item["period"]["end"] = (start + dt.timedelta(days=rng.randint(1, 200))).isoformat()


def _lists(family, rng):
    key = rng.choice(["essentials", "plan_outcomes", "members", "problems", "evidence"])
    family[key] = rng.choice([None, [], {}, "x", [1], {"lead_professional": True}, family.get(key)])


MANGLERS = [
    _top,
    _date,
    _date,
    _member,
    _problem,
    _evidence,
    _value,
    _value,
    _copy_evidence,
    _copy_evidence,
    _short_period,
    _short_period,
    _lists,
]


@pytest.mark.parametrize("plan_id", PLANS)
def test_mangled_families_get_the_same_row_or_the_same_fault_both_ways(plan_id):
    plan, rng = load_plans()[plan_id], random.Random(plan_id)
    families = [mangle(f, rng) for f in synthetic(plan_id, 400, seed=5)]
    for as_of in AS_OF:
        assert_same(plan, families, as_of, least_decided=0.3)


@pytest.mark.parametrize("plan_id", PLANS)
def test_the_cohort_file_has_each_lines_row_or_fault(plan_id, tmp_path):
    """Through run_cohort: a row for each family, and each malformed line named with its fault."""
    plan, rng = load_plans()[plan_id], random.Random(plan_id + "file")
    families = [mangle(f, rng) if rng.random() < 0.5 else f for f in synthetic(plan_id, 300, seed=3)]
    lines = [msgspec.json.encode(f) for f in families]
    lines[5:5] = [b"", b"   ", b"{not json", b"[]", b"7", *byte_oddities(lines[0])]
    cases = tmp_path / "cases.jsonl"
    cases.write_bytes(b"\n".join(lines) + b"\n")
    messages = Messages()
    summary = cohort.run_cohort(plan, cases, tmp_path / "out.csv", dt.date(2017, 6, 30), errors=messages)
    rows = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    expected = [decided(plan, line, dt.date(2017, 6, 30)) for line in lines if line.strip()]
    good = [r for r in expected if type(r) is list]
    assert summary.families == len(good) == len(rows) - 1
    assert summary.malformed == len(lines) - 2 - len(good)  # two blank lines are no family, and no fault
    assert "line 8: skipped: not valid JSON" in messages.text
    assert "line 9: skipped: the case must be a JSON object" in messages.text
    for fault in (r for r in expected if type(r) is str):
        assert fault in messages.text


def byte_oddities(line: bytes) -> list[bytes]:
    """A family's line spoilt where a decoder that skips what it does not need might not look."""
    open_ = line[:-1]
    return [
        open_ + b',"statement":"caf\xe9"}',  # Latin-1, not UTF-8: not valid JSON text
        open_ + b',"statement":"\xed\xa0\x80"}',  # a lone surrogate, encoded
        open_ + b',"statement":"caf\xc3\xa9 \\u2019"}',  # good UTF-8 and an escape: a family as any other
        open_ + b',"ref":"AGAIN"}',  # a key twice: the last one counts, as for every decoder here
        open_ + b',"note":NaN}',
        open_ + b',"closed_on":"20170101"}',  # a date the engine reads and msgspec does not
        open_ + b',"engaged_on":123}',
        open_ + b"} trailing",
    ]


class Messages:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text


def test_a_plan_whose_satisfied_by_loops_still_decides_every_family():
    plan = load_plan_file(frameworks_dir() / "suffolk-2017.yaml")  # its own copy: the loaded plans are shared
    first, second = plan.outcome_by_id["4.1(a)"], plan.outcome_by_id["4.1(b)"]
    first.satisfied_by = [second.id]
    plan.__post_init__()
    assert plan.loops
    assert_same(plan, synthetic("suffolk-2017", 100, seed=2), AS_OF[1], least_decided=1.0)
