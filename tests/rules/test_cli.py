"""portal-rules from the command line: listings, verdicts, and bad input (exit 2, no traceback)."""

from __future__ import annotations

import csv
import json

import pytest

from portal.rules.cli import main

PLANS = {"suffolk-2017": 15, "southwark-2018": 47, "hertfordshire-2022": 34, "durham-2018": 20, "sunderland-2015": 27}


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def test_plans_lists_all_five(capsys):
    status, out, _ = run(capsys, "plans")
    assert status == 0
    for plan_id in PLANS:
        assert plan_id in out


@pytest.mark.parametrize(("plan_id", "outcomes"), PLANS.items())
def test_show_json_has_every_outcome(capsys, plan_id, outcomes):
    status, out, _ = run(capsys, "show", plan_id, "--json")
    data = json.loads(out)
    assert status == 0
    found = [o["id"] for p in data["problems"] for o in p["outcomes"]]
    assert len(found) == outcomes == len(set(found))
    assert all(p["id"] and p["indicators"] and all(i["id"] for i in p["indicators"]) for p in data["problems"])


def test_hertfordshire_has_ten_headlines_and_34_needs(capsys):
    _, out, _ = run(capsys, "show", "hertfordshire-2022", "--json")
    data = json.loads(out)
    assert len(data["problems"]) == 10
    assert sum(len(p["indicators"]) for p in data["problems"]) == 34


def test_an_unknown_plan_is_refused_naming_the_plans(capsys):
    status, _, err = run(capsys, "show", "kent-2019")
    assert status == 2
    assert "kent-2019" in err and "suffolk-2017" in err


def test_a_broken_plan_file_names_the_file_and_line(capsys, tmp_path):
    broken = tmp_path / "broken-2020.yaml"
    broken.write_text("id: broken-2020\ncouncil: [unclosed\n", encoding="utf-8")
    (tmp_path / "tools.yaml").write_text("tools: {}\n", encoding="utf-8")
    status, _, err = run(capsys, "check", str(broken))
    assert status == 2
    assert "broken-2020.yaml" in err and "line 3" in err


def test_evaluate_refuses_a_file_that_is_not_json(capsys, tmp_path):
    case = tmp_path / "case.json"
    case.write_text('{"ref": "X1", "members": [}', encoding="utf-8")
    status, _, err = run(capsys, "evaluate", "suffolk-2017", str(case), "--as-of", "2017-01-01")
    assert status == 2
    assert "not valid JSON" in err and "line 1" in err


def test_evaluate_names_a_problem_the_plan_does_not_have(capsys, tmp_path):
    case = tmp_path / "case.json"
    case.write_text(
        json.dumps(
            {
                "ref": "X1",
                "members": [],
                "problems": [
                    {"problem": "9", "indicator": "a", "stage": "identification", "identified_on": "2016-01-01"}
                ],
            }
        )
    )
    status, _, err = run(capsys, "evaluate", "suffolk-2017", str(case), "--as-of", "2017-01-01")
    assert status == 2
    assert "problems[0].problem" in err and "9" in err


def test_evaluate_refuses_a_bad_as_of_date(capsys, tmp_path):
    case = tmp_path / "case.json"
    case.write_text("{}")
    with pytest.raises(SystemExit) as stop:
        main(["evaluate", "suffolk-2017", str(case), "--as-of", "31/12/2017"])
    assert stop.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def family(ref: str, attendance: list[float]) -> dict:
    return {
        "ref": ref,
        "members": [
            {"id": "m1", "role": "parent", "date_of_birth": "1980-01-01"},
            {"id": "c1", "role": "child", "date_of_birth": "2006-03-01"},
        ],
        "problems": [
            {"problem": "2", "indicator": "a", "stage": "identification", "identified_on": "2015-02-01"},
            {"problem": "3", "indicator": "a", "stage": "identification", "identified_on": "2015-02-01"},
        ],
        "evidence": [
            {
                "id": "e1",
                "outcome": "2.1",
                "members": ["c1"],
                "source": "Capita One",
                "period": {"start": "2015-09-07", "end": "2016-07-20"},
                "values": {"attendance": attendance},
                "statement": "From Capita One.",
            }
        ],
    }


def test_cohort_skips_a_malformed_line_and_counts_it(capsys, tmp_path):
    cases = tmp_path / "cases.jsonl"
    lines = [
        json.dumps(family("F1", [95, 95, 95])),
        "{not json",
        json.dumps({"members": []}),
        json.dumps(family("F2", [80, 80, 80])),
    ]
    cases.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.csv"
    status, _, err = run(capsys, "cohort", "sunderland-2015", str(cases), "--as-of", "2017-01-01", "-o", str(out))
    rows = list(csv.DictReader(out.open()))
    assert status == 0
    assert [r["ref"] for r in rows] == ["F1", "F2"]
    assert "line 2: skipped" in err and "line 3: skipped: ref: is required" in err
    assert "2 malformed line(s) skipped" in err
    assert rows[0]["turned_around"] == "yes" and rows[1]["turned_around"] == "no"
    assert rows[1]["problems_not_achieved"] == "2;3"


def test_evaluate_refuses_a_misspelt_key_with_status_2_and_its_path(capsys, tmp_path):
    """A misspelt closure date must not silently make a closed case open (issue 12)."""
    data = family("F1", [95, 95, 95])
    data["closed_no"] = "2016-03-31"
    data["evidence"][0]["period"]["ned"] = data["evidence"][0]["period"].pop("end")
    case = tmp_path / "case.json"
    case.write_text(json.dumps(data))
    status, out, err = run(capsys, "evaluate", "sunderland-2015", str(case), "--as-of", "2017-01-01")
    assert status == 2 and not out
    assert f"{case}: closed_no: unknown key" in err
    assert f"{case}: evidence[0].period.ned: unknown key" in err


def test_cohort_skips_a_line_with_an_unknown_key_naming_it(capsys, tmp_path):
    misspelt = family("F2", [95, 95, 95])
    misspelt["members"][0]["date_of_brith"] = "1980-01-01"
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(family("F1", [95, 95, 95])) + "\n" + json.dumps(misspelt) + "\n")
    out = tmp_path / "out.csv"
    status, _, err = run(capsys, "cohort", "sunderland-2015", str(cases), "--as-of", "2017-01-01", "-o", str(out))
    assert status == 0
    assert [r["ref"] for r in csv.DictReader(out.open())] == ["F1"]
    assert "line 2: skipped: members[0].date_of_brith: unknown key" in err


def test_evidence_from_a_source_the_outcome_does_not_name_is_refused_by_evaluate_and_cohort(capsys, tmp_path):
    """The engine refuses it on every path, not only the web form (issue 12)."""
    stranger = family("F1", [95, 95, 95])
    stranger["evidence"][0]["source"] = "A neighbour"
    case = tmp_path / "case.json"
    case.write_text(json.dumps(stranger))
    status, out, _ = run(capsys, "evaluate", "sunderland-2015", str(case), "--as-of", "2017-01-01")
    verdict = json.loads(out)
    assert status == 0 and verdict["turned_around"] is False
    assert any("Evidence e1 for 2.1 is set aside" in m and "A neighbour" in m for m in verdict["missing"])
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(family("F0", [95, 95, 95])) + "\n" + json.dumps(stranger) + "\n")
    out_csv = tmp_path / "out.csv"
    status, _, err = run(capsys, "cohort", "sunderland-2015", str(cases), "--as-of", "2017-01-01", "-o", str(out_csv))
    rows = list(csv.DictReader(out_csv.open()))
    assert status == 0 and "0 malformed" in err
    assert [(r["ref"], r["turned_around"]) for r in rows] == [("F0", "yes"), ("F1", "no")]
