"""Synthetic but realistic family cases for a plan, as JSON Lines.

Families are built from the plan itself: identified problems and indicators drawn
from it, evidence for outcomes that answer them, values drawn from each measure's
own field specs (so they exercise the real measures, pass or fail), statements in
the words practitioners write. A pool of distinct families is built and then
written again and again under fresh references, so that a million lines take
seconds to write rather than minutes; every line is still parsed and decided
from scratch by the engine.
"""

from __future__ import annotations

import datetime as dt
import json
import random

from portal.rules.plan import Plan

WORDS = [
    "attended",
    "school",
    "every",
    "day",
    "this",
    "term",
    "and",
    "the",
    "school",
    "reports",
    "a",
    "settled",
    "routine",
    "at",
    "home;",
    "the",
    "family",
    "support",
    "worker",
    "visited",
    "weekly",
    "and",
    "mum",
    "has",
    "engaged",
    "with",
    "the",
    "parenting",
    "course;",
    "police",
    "records",
    "show",
    "no",
    "call-outs",
    "since",
    "the",
    "safety",
    "plan",
    "was",
    "agreed;",
    "the",
    "lead",
    "professional",
    "reviewed",
    "the",
    "plan",
    "with",
    "the",
    "team",
    "around",
    "the",
    "family",
    "and",
    "all",
    "agencies",
    "agree",
    "progress",
    "is",
    "significant",
    "and",
    "likely",
    "to",
    "be",
    "sustained;",
    "dad",
    "started",
    "work",
    "at",
    "the",
    "depot",
    "and",
    "the",
    "household",
    "budget",
    "is",
    "now",
    "managed",
    "with",
    "the",
    "housing",
    "officer's",
    "help",
]


def statement(rng: random.Random) -> str:
    start = rng.randrange(len(WORDS) - 60)
    return " ".join(WORDS[start : start + rng.randint(35, 60)]).capitalize() + "."


def members(rng: random.Random) -> list[dict]:
    people = [
        {
            "id": "m1",
            "role": "parent",
            "date_of_birth": f"{rng.randint(1975, 1995)}-0{rng.randint(1, 9)}-15",
            "name": "Parent One",
        }
    ]
    if rng.random() < 0.6:
        people.append({"id": "m2", "role": "parent", "date_of_birth": f"{rng.randint(1972, 1995)}-11-02"})
    for n in range(rng.randint(1, 4)):
        people.append(
            {
                "id": f"c{n + 1}",
                "role": "child",
                "activity": "education",
                "date_of_birth": f"{rng.randint(2003, 2014)}-0{rng.randint(1, 9)}-1{n}",
            }
        )
    return people


def value_for(field: dict, rng: random.Random, measure: dict):
    kind = field["type"]
    if kind == "percents":
        return [round(rng.uniform(70, 100), 1) for _ in range(field["size"])]
    if kind == "percent":
        return round(rng.uniform(20, 100), 1)
    if kind == "count":
        return rng.choice((0, 0, 0, 1, 2, 3, 5, 8))
    if kind == "yes_no":
        return rng.random() < 0.85
    if kind in ("choice", "choices"):
        options = [c["value"] for c in field["choices"]]
        return rng.choice(options) if kind == "choice" else rng.sample(options, min(len(options), rng.randint(1, 4)))
    if kind == "number":
        low, high = field.get("low", 0), field.get("high", 40)
        return round(rng.uniform(low, min(high, 60)), 1)
    if kind == "date":
        return "2016-01-10"
    return "Jo Bloggs, family support worker"


def evidence_values(outcome: dict, rng: random.Random) -> tuple[str | None, dict]:
    option, fields = None, outcome["fields"]
    if "option_fields" in outcome:
        option = rng.choice(list(outcome["option_fields"]))
        fields = outcome["option_fields"][option]
    values = {f["name"]: value_for(f, rng, outcome["measure"]) for f in fields if f["name"] != "option"}
    if values.get("tool") is not None:  # keep scores inside the chosen tool's range
        values["initial_score"], values["final_score"] = 14, 20
    return option, values


def family(plan_json: dict, plan: Plan, rng: random.Random, index: int) -> dict:
    people = members(rng)
    chosen = rng.sample(plan_json["problems"], k=min(len(plan_json["problems"]), rng.randint(2, 4)))
    problems, evidence, plan_outcomes = [], [], []
    for p in chosen:
        indicator = rng.choice(p["indicators"])["id"]
        stage = "identification" if rng.random() < 0.7 else "engagement"
        problems.append({"problem": p["id"], "indicator": indicator, "stage": stage, "identified_on": "2015-10-01"})
        answering = [o for o in p["outcomes"] if o["answers"] == "all" or indicator in o["answers"]]
        for outcome in rng.sample(answering, k=min(len(answering), rng.randint(1, 2))):
            plan_outcomes.append(outcome["id"])
            evidence.append(evidence_item(outcome, people, rng, len(evidence)))
    return {
        "ref": f"{plan.id.upper()}-{index:07d}",
        "plan": plan.id,
        "members": people,
        "essentials": [e["id"] for e in plan.essentials if rng.random() < 0.95],
        "problems": problems,
        "plan_outcomes": plan_outcomes,
        "engaged_on": "2015-11-01",
        "closed_on": "2016-09-30" if rng.random() < 0.5 else None,
        "evidence": evidence,
    }


def evidence_item(outcome: dict, people: list[dict], rng: random.Random, n: int) -> dict:
    option, values = evidence_values(outcome, rng)
    subject = subject_for(outcome, people)
    start = dt.date(2015, 9, 1) + dt.timedelta(days=rng.randint(0, 60))
    end = start + dt.timedelta(days=rng.choice((120, 200, 300, 400)))
    return {
        "id": f"e{n + 1}",
        "outcome": outcome["id"],
        "option": option,
        "members": [] if outcome["about"] == "family" else [subject],
        "source": outcome["sources"][0],
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "values": values,
        "statement": statement(rng),
        "status": "accepted" if rng.random() < 0.9 else "submitted",
    }


def subject_for(outcome: dict, people: list[dict]) -> str:
    children = [p["id"] for p in people if p["role"] == "child"]
    if outcome["about"] in ("school_age_child", "child", "pre_school_child", "young_person") and children:
        return children[0]
    return "m1"


def pool(plan: Plan, plan_json: dict, size: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    return [family(plan_json, plan, rng, i) for i in range(size)]


def write_cohort(path, plan: Plan, plan_json: dict, count: int, pool_size: int = 2000) -> int:
    """Writes `count` families; returns the bytes written."""
    families = pool(plan, plan_json, pool_size)
    encoded = [json.dumps(f, separators=(",", ":")) for f in families]
    marker = [f'"ref":"{f["ref"]}"' for f in families]
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for i in range(count):
            k = i % pool_size
            line = encoded[k].replace(marker[k], f'"ref":"{plan.id.upper()}-{i:07d}"', 1) + "\n"
            written += out.write(line)
    return written
