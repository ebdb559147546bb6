"""The cohort fast path (portal/rules/fast/) gives exactly the engine's answers.

Each family is decided twice: by the compiled fast path and by `engine` (parse_case,
check_case_against_plan, Decision.verdict), and the CSV rows must be equal. The
families are synthetic cohorts from bench/generate.py, the worked examples, every
rule case in tests/rules/cases/, and mangled copies of all of those (so that lines
the fast path must hand to the engine, and malformed lines, are covered too).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import random
from pathlib import Path
from types import SimpleNamespace

import msgspec
import pytest
import yaml

from bench.generate import pool
from portal.rules import calendar as cal
from portal.rules import cohort
from portal.rules.case import parse_case
from portal.rules.describe import plan_json
from portal.rules.engine import Decision, check_case_against_plan, member_fits
from portal.rules.fast import compile_plan
from portal.rules.fast.checks import compile_check
from portal.rules.fast.dates import add_months, window_end
from portal.rules.fast.evidence import members_test
from portal.rules.fast.outcomes import CompiledOutcome, merge
from portal.rules.measures import Finding
from portal.rules.plan import load_plans
from portal.rules.verdict import OutcomeResult, ProblemResult

ROOT = Path(__file__).resolve().parents[2]
PLANS = sorted(load_plans())
AS_OF = [dt.date(2016, 3, 31), dt.date(2017, 6, 30), dt.date(2019, 9, 1)]


def as_json(family) -> dict:
    """What a line of a cohort file holds: YAML dates become ISO text."""
    return msgspec.json.decode(msgspec.json.encode(family))


def engine_row(plan, data, as_of):
    """The engine's row, or the text of the error it raises."""
    try:
        return cohort.row(cohort.decide_data(plan, data, as_of))
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__}: {error}"


def fast_row(compiled, data):
    """The fast path's row, or None where it leaves the family to the engine."""
    try:
        return compiled.row(compiled.reader.read(msgspec.json.encode(data)))
    except Exception:  # noqa: BLE001 - the cohort hands such a line to the engine
        return None


def assert_same_rows(plan, families, as_of, least_fast=0.0):
    compiled = compile_plan(plan, as_of)
    decided = 0
    for data in families:
        fast = fast_row(compiled, data)
        if fast is not None:
            decided += 1
            assert fast == engine_row(plan, data, as_of), data.get("ref")
    assert decided >= least_fast * len(families), f"the fast path decided only {decided} of {len(families)}"


def synthetic(plan_id: str, size: int, seed: int) -> list[dict]:
    plan = load_plans()[plan_id]
    return pool(plan, plan_json(plan), size, seed=seed)


@pytest.mark.parametrize("plan_id", PLANS)
@pytest.mark.parametrize("as_of", AS_OF, ids=str)
def test_synthetic_families_get_the_engines_rows(plan_id, as_of):
    families = synthetic(plan_id, 300, seed=11)
    assert_same_rows(load_plans()[plan_id], families, as_of, least_fast=0.99)


def example_files():
    return sorted((ROOT / "examples").glob("*.json"))


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.stem)
@pytest.mark.parametrize("as_of", AS_OF + [dt.date(2024, 6, 1)], ids=str)
def test_worked_examples_get_the_engines_rows(path, as_of):
    data = json.loads(path.read_text())
    assert_same_rows(load_plans()[data["plan"]], [data], as_of, least_fast=1.0)


def rule_cases():
    for path in sorted((ROOT / "tests" / "rules" / "cases").glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in document.get("cases") or []:
            if "plan_file" in case or "submission" in case:
                continue
            family = dict(document.get("defaults") or {})
            family.update(case.get("family") or {})
            yield pytest.param(document["plan"], as_json(family), case["as_of"], id=f"{path.stem}: {case['name']}")


def assert_same_outcomes(plan, compiled, data, as_of):
    """Every outcome of the plan, not only the row: met, earliest date and route, as the engine has them."""
    try:
        answers = compiled.reader.read(msgspec.json.encode(data)).answers
    except Exception:  # noqa: BLE001
        return  # left to the engine, as the cohort would
    case = parse_case(data)
    check_case_against_plan(plan, case)
    for oid in plan.outcome_by_id:
        expected = Decision(plan, case, as_of).outcome(oid)
        met, earliest, via = answers[oid]
        assert (met, earliest, set(via)) == (expected.met, expected.earliest, expected.via), (data.get("ref"), oid)


@pytest.mark.parametrize(("plan_id", "family", "as_of"), list(rule_cases()))
def test_rule_cases_get_the_engines_rows_and_outcomes(plan_id, family, as_of):
    plan = load_plans()[plan_id]
    assert_same_rows(plan, [family], as_of)
    assert_same_outcomes(plan, compile_plan(plan, as_of), family, as_of)


# -- mangled families: odd but valid, and malformed ------------------------------

ODD = [None, "", " ", 0, 1, -1, 2.5, 200, 10**6, 2**70, True, False, "x", "2016-02-30", "20160115", [], [1], ["x"], {}, {"a": 1}]


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
DAYS = ["1997-12-31", "1998-06-15", "1999-07-01", "2000-02-29", "2010-09-01", "2011-08-31", "2012-01-01",
        "2015-08-31", "2016-02-29", "2016-09-30", "2017-01-31", "2018-03-31", "2016-1-5", None]


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
            ODD + ["child", "parent", "carer", "employment", "unemployed", "c1", "m1"])


def _problem(family, rng):
    problem = _some(rng, family.get("problems"))
    if problem:
        problem[rng.choice(["problem", "indicator", "stage", "member"])] = rng.choice(
            ODD + ["engagement", "identification", "1", "2", "A", "B", "c1", "m1", "nobody"])


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
        twin["period"] = {"start": start.isoformat(), "end": (start + dt.timedelta(days=rng.randint(20, 500))).isoformat()}
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


MANGLERS = [_top, _date, _date, _member, _problem, _evidence, _value, _value, _copy_evidence, _copy_evidence,
            _short_period, _short_period, _lists]


@pytest.mark.parametrize("plan_id", PLANS)
def test_mangled_families_get_the_engines_rows_and_outcomes(plan_id):
    plan, rng = load_plans()[plan_id], random.Random(plan_id)
    families = [mangle(f, rng) for f in synthetic(plan_id, 400, seed=5)]
    for as_of in AS_OF:
        assert_same_rows(plan, families, as_of, least_fast=0.3)
    compiled = compile_plan(plan, AS_OF[1])
    for family in families[:150]:
        assert_same_outcomes(plan, compiled, family, AS_OF[1])


@pytest.mark.parametrize("plan_id", PLANS)
def test_the_cohort_file_is_the_same_as_the_engines_line_by_line(plan_id, tmp_path, monkeypatch):
    """Through run_cohort: rows, counts, and each malformed line's message, with the engine alone as reference."""
    plan, rng = load_plans()[plan_id], random.Random(plan_id + "file")
    lines = [msgspec.json.encode(mangle(f, rng) if rng.random() < 0.5 else f)
             for f in synthetic(plan_id, 300, seed=3)]
    lines[5:5] = [b"", b"   ", b"{not json", b"[]", b"7", *byte_oddities(lines[0])]
    cases = tmp_path / "cases.jsonl"
    cases.write_bytes(b"\n".join(lines) + b"\n")
    fast, fast_by_engine = run(plan, cases, tmp_path / "fast.csv")
    monkeypatch.setattr(cohort, "compile_plan", lambda plan, as_of: None)
    engine, all_by_engine = run(plan, cases, tmp_path / "engine.csv")
    assert fast == engine
    assert fast[1].malformed >= 3
    assert all_by_engine == fast[1].families and fast_by_engine < fast[1].families / 2


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
        open_ + b'} trailing',
    ]


def run(plan, cases, out):
    """(CSV text, summary, messages), and how many families the general engine decided."""
    messages = Messages()
    summary = cohort.run_cohort(plan, cases, out, dt.date(2017, 6, 30), errors=messages)
    by_engine, summary.seconds, summary.by_engine = summary.by_engine, 0.0, 0
    return (out.read_text(encoding="utf-8"), summary, messages.text), by_engine


class Messages:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text


def test_a_plan_whose_satisfied_by_loops_is_left_to_the_engine():
    plan = copy.deepcopy(load_plans()["suffolk-2017"])
    first, second = list(plan.outcome_by_id.values())[:2]
    first.satisfied_by, second.satisfied_by = [second.id], [first.id]
    assert compile_plan(plan, dt.date(2017, 6, 30)) is None


# -- the pieces ------------------------------------------------------------------------

def test_month_and_window_sums_match_the_calendar():
    day = dt.date(2014, 1, 1)
    while day < dt.date(2017, 1, 1):
        for months in (-6, -1, 1, 3, 6, 12, 13, 24):
            assert add_months(day, months) == cal.add_months(day, months)
            if months > 0:
                assert window_end(day, months, 0) == cal.period_end_for(day, months)
        assert window_end(day, 0, 26) == cal.period_end_for(day, weeks=26)
        day += dt.timedelta(days=1)


VALUES = ODD + [0.0, 3.0, 99.9, 100, 100.5, -0.5, 2**60, "2016-01-10", [50, 60, 70], [50, 60], [50, "x", 70],
                [101, 90, 90], ["lead_professional"], "sdq", "jsa", "a", "b", "c"]


@pytest.mark.parametrize("plan_id", PLANS)
def test_the_quick_value_checks_agree_with_the_measures(plan_id):
    rng = random.Random(plan_id)
    measures = [o.measure for o in load_plans()[plan_id].outcome_by_id.values()]
    measures += [opt["measure"] for m in measures if m.kind == "any_of" for opt in m.p["options"]]
    for measure in measures:
        faulty = compile_check(measure)
        fields = [f for f in measure.fields()]
        for _ in range(60):
            values = {f.name: good_value(f, rng) for f in fields}
            if rng.random() < 0.7 and fields:
                values[rng.choice(fields).name] = rng.choice(VALUES)
            if rng.random() < 0.2 and fields:
                del values[rng.choice(fields).name]
            try:
                expected = bool(measure.check_values(values))
            except Exception:  # noqa: BLE001 - then the quick check must fail too
                with pytest.raises(Exception):  # noqa: B017
                    faulty(values)
                continue
            assert faulty(values) is expected, (measure.kind, values)


def good_value(f, rng):
    if f.choices:
        chosen = rng.choice(f.choices)[0]
        return [chosen] if f.type == "choices" else chosen
    return {"percents": [95.0] * f.size, "percent": 90, "count": 1, "yes_no": True, "number": 14,
            "date": "2016-01-10"}.get(f.type, "Jo Bloggs")


@pytest.mark.parametrize("plan_id", PLANS)
def test_the_claim_date_is_the_engines(plan_id):
    """CompiledPlan._claim_date against Decision._claim_date, over problems still open with and without dates."""
    plan, rng = load_plans()[plan_id], random.Random(plan_id)
    compiled = compile_plan(plan, AS_OF[1])
    decision = Decision(plan, parse_case({"ref": "R", "members": []}), AS_OF[1])

    def some_day():
        return rng.choice([None, dt.date(2016, 1, 31), dt.date(2016, 6, 30), dt.date(2017, 2, 28)])

    for _ in range(400):
        problems = [ProblemResult(str(i), "", rng.random() < 0.4, {}, [], [], earliest=some_day())
                    for i in range(rng.randint(0, 3))]
        ready = some_day()
        ce = rng.choice([None, OutcomeResult("ce", rng.random() < 0.3, [], earliest=some_day())])
        expected = decision._claim_date(problems, ready, ce)
        open_dates = [p.earliest for p in problems if not p.achieved]
        fast_ce = None if ce is None else (ce.met, ce.earliest, ())
        assert compiled._claim_date(bool(problems), open_dates, ready, fast_ce) == expected


ABOUTS = ["family", "any", "adult", "child", "school_age_child", "young_person", "pre_school_child"]


def test_who_an_outcome_is_about_is_the_engines():
    """members_test and the `each` people against engine.member_fits, around every age limit."""
    births = [dt.date(1997, 1, 1) + dt.timedelta(days=d) for d in range(0, 365 * 20, 97)]
    births += [dt.date(y, m, d) for y in (1998, 2000, 2011, 2012) for m, d in ((2, 29), (6, 30), (7, 1), (9, 1))
               if (m, d) != (2, 29) or y % 4 == 0]
    days = [dt.date(2016, 6, 30), dt.date(2016, 7, 1), dt.date(2016, 2, 29), dt.date(2017, 9, 1)]
    for about in ABOUTS:
        for ages in (None, (5, 15), (16, 18), (0, 4), (18, 120), (3, 2)):
            outcome = SimpleNamespace(about=about, ages=ages, each=True, satisfied_by=[], id="x", route_scope={},
                                      scope=lambda option, about=about, ages=ages: (about, ages), source_keys=set(),
                                      measure=load_plans()["suffolk-2017"].outcome_by_id["1.1"].measure)
            _, fits = members_test(outcome)
            people = CompiledOutcome(outcome, days[0]).people
            born = {f"p{i}": b for i, b in enumerate(births)}
            found = [(None, [], days[2], days[0], None)]
            expected_people = [m for m, b in born.items() if member_fits(SimpleNamespace(born=b), about, ages,
                                                                                         days[2], days[0])]
            assert people(found, born) == expected_people, (about, ages)
            for b in births:
                for start, end in zip(days, days[1:] + days[:1]):
                    expected = member_fits(SimpleNamespace(born=b), about, ages, start, end)
                    got = fits is None or fits(["p"], {"p": b}, start, end)
                    assert got == expected, (about, ages, b, start, end)


def test_merged_answers_are_the_engines_judge_any():
    """Folding items' answers with `merge` gives engine._judge_any's met, earliest and routes."""
    rng = random.Random(3)
    plan = load_plans()["durham-2018"]
    outcome = next(iter(plan.outcome_by_id.values()))
    decision = Decision(plan, parse_case({"ref": "R", "members": []}), AS_OF[1])
    for _ in range(500):
        findings = [Finding(rng.random() < 0.4, "", rng.choice([None, dt.date(2016, 3, 1), dt.date(2016, 9, 1)]),
                            rng.random() < 0.2, rng.choice([None, "a", "b"])) for _ in range(rng.randint(1, 4))]
        expected = decision._judge_any(outcome, [(SimpleNamespace(id=f"e{i}"), f) for i, f in enumerate(findings)])
        answers = [(True, None, (f.option,)) if f.met and not f.supplementary else (False, f.earliest, ())
                   for f in findings]
        met, earliest, via = functools.reduce(merge, answers)
        assert (met, earliest, set(via)) == (expected.met, expected.earliest, expected.via), findings


@pytest.mark.parametrize("plan_id", PLANS)
def test_a_dependent_child_is_the_engines(plan_id):
    plan, rng = load_plans()[plan_id], random.Random(plan_id)
    compiled = compile_plan(plan, AS_OF[1])
    for _ in range(300):
        members = [{"id": f"m{i}", "role": rng.choice(["parent", "child", "carer", "other_adult"]),
                    "date_of_birth": rng.choice(["1996-10-01", "1996-10-02", "1997-10-01", "1999-10-01",
                                                 "1999-10-02", "2000-10-01", "2010-01-01"]),
                    "activity": rng.choice([None, "education", "training", "employment", "unemployed", "none"])}
                   for i in range(rng.randint(0, 3))]
        family = {"ref": "R", "members": members,
                  "problems": [{"problem": p.id, "indicator": p.indicators[0].id, "identified_on": "2015-10-01"}
                               for p in plan.problems[: rng.randint(0, 2)]]}
        case = parse_case(family)
        expected = Decision(plan, case, AS_OF[1])._has_dependent_child()
        assert compiled.has_dependent_child(compiled.reader.read(msgspec.json.encode(family))) is expected, family
