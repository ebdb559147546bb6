"""The claim rules with no database: programme phase, the sources file, the six integrity flags."""

import datetime as dt
import json
from pathlib import Path

import pytest

from portal.models.people import AGENCY_KINDS
from portal.rules import engine
from portal.rules.claims import (
    EvidenceFacts,
    figures,
    integrity_flags,
    phase_of,
    relied_figures,
    shared_figures,
)
from portal.rules.plan import PlanError, load_plans
from portal.rules.sources import load_sources, parse_sources

CLAIM_DATE = dt.date(2017, 6, 30)


def test_each_plan_belongs_to_its_programme_phase():
    phases = {plan_id: phase_of(plan.programme) for plan_id, plan in load_plans().items()}
    assert phases == {
        "durham-2018": "troubled-families-2",
        "southwark-2018": "troubled-families-2",
        "suffolk-2017": "troubled-families-2",
        "sunderland-2015": "troubled-families-2",
        "hertfordshire-2022": "supporting-families-2022",
    }


def test_the_sources_file_lists_every_source_a_plan_names_with_known_agency_kinds():
    sources = load_sources()
    named = {s for plan in load_plans().values() for o in plan.outcome_by_id.values() for s in o.sources}
    assert named - set(sources.sources) == set()
    assert set(sources.kinds) == set(AGENCY_KINDS)


@pytest.mark.parametrize(
    ("document", "fault"),
    [
        ({"kinds": ["police"], "sources": {"Police data": ["school"]}}, "unknown agency kind 'school'"),
        ({"kinds": ["police"], "sources": {"Police data": "police"}}, "expected a list of agency kinds or `any`"),
        ({"sources": {}}, "kinds: expected a list"),
        ([], "expected a mapping"),
    ],
)
def test_a_sources_file_with_a_mistake_is_refused_saying_where(document, fault):
    with pytest.raises(PlanError) as error:
        parse_sources(document, "sources.yaml")
    assert fault in str(error.value)


def southwark_case(**changes):
    """A Southwark family turned around on school attendance and crime (two problems)."""
    case = {
        "ref": "R1",
        "plan": "southwark-2018",
        "engaged_on": "2016-01-10",
        "closed_on": "2016-12-01",
        "essentials": ["key_worker", "whole_family_assessment", "whole_family_plan", "family_agreement"],
        "members": [
            {"id": "m1", "name": "Kerry", "role": "parent", "date_of_birth": "1985-01-01"},
            {"id": "m2", "name": "Sam", "role": "child", "date_of_birth": "2003-03-01", "activity": "education"},
        ],
        "problems": [
            {"problem": "2", "indicator": "A", "stage": "identification", "identified_on": "2016-01-04", "member": "m2"}
        ],
        "evidence": [],
    }
    case.update(changes)
    return case


def flags_for(case, facts=None, minimum_days=84, plan_id="southwark-2018"):
    plan = load_plans()[plan_id]
    verdict = engine.evaluate(plan, case, CLAIM_DATE)
    return [f.code for f in integrity_flags(plan, case, verdict, CLAIM_DATE, minimum_days, facts or {}, load_sources())]


def test_a_case_closed_sooner_than_the_minimum_after_engagement_is_flagged():
    assert "short_intervention" in flags_for(southwark_case(closed_on="2016-02-01"))
    assert "short_intervention" not in flags_for(southwark_case(closed_on="2016-12-01"))


def test_a_problem_recorded_after_closure_is_a_recurrence():
    late = {"problem": "1", "indicator": "A", "stage": "engagement", "identified_on": "2017-01-05", "member": "m1"}
    case = southwark_case()
    case["problems"] = case["problems"] + [late]
    assert "recurrence" in flags_for(case)
    assert "recurrence" not in flags_for(southwark_case())


def evidence(eid="e1", source="Police data", end="2016-11-30", status="accepted", members=("m1",)):
    return {
        "id": eid,
        "outcome": "1.1",
        "members": list(members),
        "source": source,
        "status": status,
        "period": {"start": "2015-06-01", "end": end},
        "values": {},
        "statement": "x",
    }


def test_evidence_that_ended_before_identification_or_ends_after_the_claim_date_is_flagged():
    assert "evidence_dates" in flags_for(southwark_case(evidence=[evidence(end="2015-12-01")]))
    assert "evidence_dates" in flags_for(southwark_case(evidence=[evidence(end="2017-09-01")]))
    assert "evidence_dates" not in flags_for(southwark_case(evidence=[evidence()]))
    assert "evidence_dates" not in flags_for(southwark_case(evidence=[evidence(end="2015-12-01", status="returned")]))


EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[1] / "examples" / "southwark-2018-turned-around.json").read_text()
)
DECIDED_ON = dt.date(2019, 9, 2)  # examples/southwark-2018.md: turned around


def example_case(values=None):
    """The example with every item accepted; `values`: evidence id -> values to use instead."""
    values = values or {}
    return {
        **EXAMPLE,
        "evidence": [
            {**e, "status": "accepted", "values": values.get(e["id"], e["values"])} for e in EXAMPLE["evidence"]
        ],
    }


def example_flags(facts, claim_date=DECIDED_ON, departures=None, values=None):
    """The example's flags as of the claim date (flags are worked out whatever the verdict)."""
    plan = load_plans()["southwark-2018"]
    case = example_case(values)
    verdict = engine.evaluate(plan, case, claim_date)
    assert verdict.turned_around or claim_date != DECIDED_ON
    return integrity_flags(plan, case, verdict, claim_date, 84, facts, load_sources(), departures)


def everyone(agency_kind, by_lead=False):
    return {e["id"]: EvidenceFacts(agency_kind, by_lead) for e in EXAMPLE["evidence"]}


def test_a_problem_resting_only_on_the_lead_professionals_own_statements_is_flagged():
    flagged = example_flags(everyone(None, by_lead=True))
    assert sorted(f.text.split(":")[0] for f in flagged if f.code == "lead_only") == ["1", "2", "6"]
    assert not [f for f in example_flags(everyone(None)) if f.code == "lead_only"]


def test_evidence_from_an_agency_of_another_kind_than_its_source_is_flagged():
    facts = {**everyone(None), "e4": EvidenceFacts("school", False)}  # RIO is a health record
    assert [f.text.split(" ")[1] for f in example_flags(facts) if f.code == "source_mismatch"] == ["e4"]
    facts["e4"] = EvidenceFacts("health", False)
    assert not [f for f in example_flags(facts) if f.code == "source_mismatch"]


def test_a_result_resting_on_a_child_who_has_since_left_school_age_is_flagged():
    later = dt.date(2022, 3, 1)  # Jayden (born February 2004) is 18: no longer a child for 1.1
    flagged = [f.text for f in example_flags(everyone(None), later) if f.code == "left_scope"]
    assert flagged and all("Jayden" in text for text in flagged)
    assert not [f for f in example_flags(everyone(None)) if f.code == "left_scope"]


def test_a_result_resting_on_a_member_who_left_the_household_before_the_claim_date_is_flagged():
    left = {"c2": dt.date(2019, 3, 4)}  # Amara left in March; the claim date is 2 September 2019
    flagged = [f.text for f in example_flags(everyone(None), departures=left) if f.code == "left_scope"]
    assert flagged == [
        (
            "evidence e1 for 1.1 is about Amara, who left the household on 4 March 2019, before the "
            "claim date (2 September 2019)"
        ),
        (
            "evidence e3 for 2.1 is about Amara, who left the household on 4 March 2019, before the "
            "claim date (2 September 2019)"
        ),
    ]


def test_a_member_who_leaves_after_the_claim_date_is_not_flagged():
    after = {"c2": dt.date(2019, 9, 3)}
    assert not [f for f in example_flags(everyone(None), departures=after) if f.code == "left_scope"]
    assert not [f for f in example_flags(everyone(None), departures={}) if f.code == "left_scope"]


def test_a_member_who_left_on_the_claim_date_itself_is_flagged():
    on_the_day = {"m1": DECIDED_ON}  # Chantelle's wellbeing (e4) is relied on for problem 6
    flagged = [f.text for f in example_flags(everyone(None), departures=on_the_day) if f.code == "left_scope"]
    assert flagged == [
        ("evidence e4 for 6.9 is about Chantelle, who left the household on the claim date (2 September 2019)")
    ]


def perfect(values):
    return [f.text for f in example_flags(everyone(None), values=values) if f.code == "perfect_numbers"]


def test_attendance_of_exactly_100_percent_in_every_term_relied_on_is_flagged():
    hundred = [100, 100, 100]
    assert perfect({"e2": {"attendance": hundred}, "e3": {"attendance": [100.0, 100, 100]}})[0] == (
        "every attendance figure the result rests on is 100% (6 terms in all)"
    )
    # One child perfect and the other not: nothing unusual.
    assert perfect({"e2": {"attendance": hundred}}) == []


def test_two_evidence_items_with_exactly_the_same_figures_are_flagged():
    same = {"attendance": [93.5, 91.0, 95.2]}
    assert perfect({"e2": same, "e3": dict(same)}) == [
        ("evidence e2, e3 record exactly the same figures (attendance 93.5, 91, 95.2)")
    ]
    assert perfect({}) == []  # the example as written: every figure differs


def test_too_few_figures_or_only_zeros_are_not_compared():
    assert figures({"incidents": 0}) is None
    assert figures({"initial_score": 37, "final_score": 46}) is None  # two numbers: a common pair
    assert figures({"attendance": [0, 0, 0]}) is None
    assert figures({"confirmed": True, "on": "2019-01-01", "a": [True, False, True]}) is None
    assert figures({"attendance": [90, 91, 92], "fixed_term_exclusions": 0}) == (
        ("attendance", (90, 91, 92)),
        ("fixed_term_exclusions", (0,)),
    )


def test_figures_the_same_as_another_familys_in_the_claim_are_flagged_naming_it():
    plan = load_plans()["southwark-2018"]
    case = example_case()
    mine = relied_figures(case, engine.evaluate(plan, case, DECIDED_ON))
    assert set(mine) == {"e2", "e3"}
    others = {mine["e3"]: [("R1", "e3"), ("SWK-0999", "e17")]}
    flags = shared_figures("R1", mine, others)
    assert [f.text for f in flags] == [
        (
            "evidence e3 records exactly the same figures (attendance 94, 92.5, 95.1) "
            "as evidence e17 of family SWK-0999 in the same claim"
        )
    ]
    assert shared_figures("R1", mine, {mine["e3"]: [("R1", "e3")]}) == []  # its own evidence is not another's
