"""The demo families: the worked examples in examples/*.json, some in other states.

Each scenario names an example and says how the demo's copy differs from it
(evidence not yet reviewed, returned, corrected). Every date of an example is
moved on by whole years (portal.demo.dates), so that today decides it as its
documented as-of date did; the fresh cases are dated back from today instead.
case_for() gives the case exactly as it is loaded, so tests can check that the
database round trip decides the same way the engine does on it.
"""

import copy
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from .dates import as_of, shift_dates, shift_years, years_to

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass(frozen=True)
class Scenario:
    example: str  # examples/<example>.json
    surname: str
    state: str  # what the family shows in the demo
    ref: str = ""  # defaults to the example's reference
    names: dict = field(default_factory=dict)  # member id -> first name, where the example has none
    submitted: tuple = ()  # evidence ids not yet reviewed
    returned: dict = field(default_factory=dict)  # evidence id -> why it was returned
    corrected: dict = field(default_factory=dict)  # evidence id -> (first version's changes, why returned)
    # Fresh cases: move every date so that `anchor` lands `days_ago` before today.
    anchor: str = ""  # "started" (last problem identified or engagement) or "evidence_end"
    days_ago: int = 0
    drop_evidence: bool = False
    drop_closure: bool = False
    essentials: tuple | None = None  # replaces the example's essentials
    team: tuple = ("school", "police")  # agencies attached besides those that gave evidence

    @property
    def name(self) -> str:
        return f"{self.surname} family"


SWK_KAI_FIRST_GO = (
    {
        "period": {"start": "2018-09-03", "end": "2019-04-05"},
        "values": {"attendance": [93.5, 91.0]},
        "statement": "Kai (Year 7): 93.5% in autumn 2018 and 91.0% in spring 2019.",
    },
    "Outcome 2.2 needs the last three terms: add the summer term 2019 and say whether Kai was excluded.",
)

READY = "ready to claim (turned around)"
# Sunderland's attendance bar rose from 85% to 90% on 1 September 2015, and that date
# does not move with the family: the example's terms from January 2015, moved on, fall under 90%.
SUNDERLAND_90 = "attendance misses the 90% bar too: its terms now fall after September 2015, when 85% became 90%"

SCENARIOS = [
    Scenario("suffolk-2017-turned-around", "Walsh", f"Open; {READY}"),
    Scenario(
        "suffolk-2017-not-yet", "Turner", "Evidence under review (5.1 submitted, not reviewed)", submitted=("e3",)
    ),
    Scenario("suffolk-2017-continuous-employment", "Parker", "Ready to claim: continuous employment"),
    Scenario("southwark-2018-turned-around", "Campbell", f"Open; {READY}"),
    Scenario("southwark-2018-missing-essential", "Hussain", "Closed; an essential is missing"),
    Scenario(
        "southwark-2018-continuous-employment",
        "Mensah",
        "Ready to claim; school evidence was returned and corrected",
        corrected={"e2": SWK_KAI_FIRST_GO},
    ),
    Scenario(
        "hertfordshire-2022-turned-around",
        "Murphy",
        f"Closed; {READY}",
        names={"m1": "Claire", "c1": "Ethan", "c2": "Rosie"},
    ),
    Scenario(
        "hertfordshire-2022-not-eligible",
        "Patel",
        "Closed; not eligible (one headline only)",
        names={"m1": "Raj", "m2": "Meena", "c1": "Arjun"},
    ),
    Scenario(
        "hertfordshire-2022-waiting-for-sustainment",
        "Hughes",
        "Closed; waiting for the six months after closure to pass",
        names={"m1": "Donna", "c1": "Callum", "c2": "Freya"},
    ),
    Scenario(
        "durham-2018-turned-around",
        "Dixon",
        f"Closed; {READY}",
        names={"m1": "Stacey", "m2": "Gary", "c1": "Jack", "c2": "Amelia", "c3": "Oscar"},
    ),
    Scenario(
        "durham-2018-mandatory-missing",
        "Robson",
        "Closed; a mandatory outcome is not met",
        names={"m1": "Paul", "y1": "Bradley", "c1": "Ellie"},
    ),
    Scenario(
        "durham-2018-continuous-employment",
        "Armstrong",
        "Ready to claim: continuous employment; one school return awaits correction",
        names={"m1": "Craig", "m2": "Leanne", "c1": "Kieran", "c2": "Lily"},
        returned={"e3": "Name the school and give Lily's attendance for each term, not the average."},
    ),
    Scenario(
        "sunderland-2015-turned-around", "Brown", f"Open; {READY}", names={"m1": "Lisa", "c1": "Reece", "c2": "Chloe"}
    ),
    Scenario(
        "sunderland-2015-emerging-problem",
        "Wilson",
        f"Open; an emerging problem holds the claim back; {SUNDERLAND_90}",
        names={"m1": "Natalie", "m2": "Jamie", "c1": "Harvey"},
    ),
    Scenario(
        "sunderland-2015-continuous-employment",
        "Scott",
        "Ready to claim: continuous employment",
        names={"m1": "Wayne", "m2": "Kelly", "c1": "Connor"},
    ),
    # Fresh cases on the current plan, dated back from the day the demo is loaded (2026 as written).
    Scenario(
        "hertfordshire-2022-waiting-for-sustainment",
        "Cooper",
        "Just identified: no evidence yet",
        ref="HERTS-2026-0101",
        names={"m1": "Jade", "c1": "Mason", "c2": "Poppy"},
        anchor="started",
        days_ago=10,
        drop_evidence=True,
        drop_closure=True,
        essentials=("lead_practitioner",),
        team=("early_help",),
    ),
    Scenario(
        "hertfordshire-2022-turned-around",
        "Ali",
        "Evidence under review: all submitted, none reviewed",
        ref="HERTS-2026-0102",
        names={"m1": "Samira", "c1": "Adam", "c2": "Zara"},
        anchor="evidence_end",
        days_ago=12,
        drop_closure=True,
        submitted=("e1", "e2", "e3", "e4", "e5"),
    ),
    Scenario(
        "hertfordshire-2022-waiting-for-sustainment",
        "Evans",
        "Closed; the six months' sustainment is still running",
        ref="HERTS-2026-0103",
        names={"m1": "Nicola", "c1": "Ryan", "c2": "Isla"},
        anchor="evidence_end",
        days_ago=18,
    ),
]


def read_example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def case_for(scenario: Scenario, today: dt.date) -> dict:
    """The case the demo loads for this scenario (engine format, plus demo-only keys)."""
    example = read_example(scenario.example)
    case = copy.deepcopy(example)
    case["ref"] = scenario.ref or case["ref"]
    _trim(case, scenario)
    for member in case["members"]:
        member.setdefault("name", scenario.names.get(member["id"], member["id"]))
    case["evidence"] = [*_with_statuses(case["evidence"], scenario)]
    # Dates move last, so a corrected item's first version moves with the rest.
    if scenario.anchor:
        target = today - dt.timedelta(days=scenario.days_ago)
        return shift_dates(case, target - _anchor_day(example, scenario.anchor))
    return shift_years(case, years_on(scenario, today))


def years_on(scenario: Scenario, today: dt.date) -> int:
    """Whole years a worked example moves on: its as-of date lands in the year up to today."""
    return years_to(as_of(scenario.example), today)


def _anchor_day(case, anchor) -> dt.date:
    if anchor == "started":
        days = [p["identified_on"] for p in case["problems"]] + [case["engaged_on"] or "0001-01-01"]
        return dt.date.fromisoformat(max(days))
    return max(dt.date.fromisoformat(e["period"]["end"]) for e in case["evidence"])


def _trim(case, scenario):
    if scenario.drop_evidence:
        case["evidence"] = []
    if scenario.drop_closure:
        case["closed_on"] = None
    if scenario.essentials is not None:
        case["essentials"] = list(scenario.essentials)


def _with_statuses(evidence, scenario):
    """Each item with its demo status; a corrected item is preceded by its returned first version."""
    for item in evidence:
        if item["id"] in scenario.corrected:
            changes, reason = scenario.corrected[item["id"]]
            first = {**copy.deepcopy(item), **changes, "id": f"{item['id']}-v1", "status": "superseded"}
            yield {**first, "return_reason": reason}
            item = {**item, "replaces": first["id"]}
        if item["id"] in scenario.submitted:
            item = {**item, "status": "submitted"}
        elif item["id"] in scenario.returned:
            item = {**item, "status": "returned", "return_reason": scenario.returned[item["id"]]}
        yield item
