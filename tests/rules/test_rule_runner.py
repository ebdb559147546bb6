"""The YAML rule-test runner refuses what it cannot run as written: a misspelt key never passes silently."""

from __future__ import annotations

import pytest

from tests.rules import test_cases
from tests.rules.ruletests import RuleTestError, read_case, read_file

GOOD = {"name": "A family with nothing is not eligible", "as_of": "2016-01-01", "expect": {"eligible": False}}


def test_a_well_formed_case_is_read():
    case = read_case(GOOD)
    assert case.kind == "verdict" and case.asserted() == ["eligible"]


@pytest.mark.parametrize(
    ("change", "fault"),
    [
        ({"expcet": {"eligible": False}, "expect": None}, "expcet"),
        ({"expect": {"turned_arond": True}}, "turned_arond"),
        ({"familly": {}}, "familly"),
        ({"expect": {}}, "asserts nothing"),
        ({"expect": {"reasons_include": [], "outcomes": {}}}, "asserts nothing"),
        ({"as_of": None}, "as_of"),
        ({"expect": {"valid": True}}, "expect.valid is not asserted by a verdict case"),
        ({"submission": {"outcome": "1.1"}, "expect": {"turned_around": True}}, "not asserted by a submission case"),
        ({"expect": {"outcomes": {"2.1": "yes"}}}, "Expected `bool`"),
    ],
)
def test_a_case_that_cannot_be_run_as_written_is_refused_saying_why(change, fault):
    data = {**GOOD, **change}
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(RuleTestError) as caught:
        read_case(data)
    assert fault in str(caught.value)


def test_a_file_with_an_unknown_top_level_key_is_refused():
    with pytest.raises(RuleTestError) as caught:
        read_file({"plan": "suffolk-2017", "defualts": {}, "cases": []})
    assert "defualts" in str(caught.value)


def test_a_misspelt_expect_in_a_case_file_becomes_a_failing_test(tmp_path, monkeypatch):
    (tmp_path / "suffolk-2017.yaml").write_text(
        "plan: suffolk-2017\ncases:\n"
        "  - name: A misspelt expect must not pass\n    as_of: 2016-01-01\n    family: {ref: X, members: []}\n"
        "    expcet: {eligible: true}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(test_cases, "CASE_DIR", tmp_path)
    [param] = list(test_cases.collect())
    document, case = param.values
    assert isinstance(case, RuleTestError) and "expcet" in str(case)
    with pytest.raises(pytest.fail.Exception, match="expcet"):
        test_cases.test_case(document, case)
