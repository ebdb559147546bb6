"""The benchmark's heavy family: 6 problems, 30 accepted evidence items (Hertfordshire 2022).

Built as a case dict (docs/case-format.md) from the plan itself, with values drawn
from each outcome's own field specs (bench/generate.py), then loaded into the
database the way `flask demo` loads the worked examples.
"""

from __future__ import annotations

import random

from bench.generate import evidence_values, statement
from portal.rules.describe import plan_json
from portal.rules.plan import load_plans

PLAN = "hertfordshire-2022"
PROBLEMS, ITEMS = 6, 30


def heavy_case(ref: str, seed: int = 11) -> dict:
    rng = random.Random(seed)
    described = plan_json(load_plans()[PLAN])
    members = [
        {"id": "m1", "name": "Alex Morgan", "role": "parent", "date_of_birth": "1988-04-15"},
        {"id": "m2", "name": "Robin Morgan", "role": "parent", "date_of_birth": "1986-11-02"},
        {"id": "m3", "name": "Casey Morgan", "role": "child", "date_of_birth": "2013-06-10", "activity": "education"},
        {"id": "m4", "name": "Jamie Morgan", "role": "child", "date_of_birth": "2016-02-20", "activity": "education"},
    ]
    problems, evidence = [], []
    chosen = described["problems"][:PROBLEMS]
    for p in chosen:
        indicator = p["indicators"][0]["id"]
        problems.append(
            {"problem": p["id"], "indicator": indicator, "stage": "identification", "identified_on": "2024-01-15"}
        )
    per_problem = ITEMS // len(chosen)
    for p in chosen:
        outcomes = p["outcomes"]
        for k in range(per_problem):
            outcome = outcomes[k % len(outcomes)]
            option, values = evidence_values(outcome, rng)
            subject = (
                "m3" if outcome["about"] in ("school_age_child", "child", "pre_school_child", "young_person") else "m1"
            )
            evidence.append(
                {
                    "id": f"e{len(evidence) + 1}",
                    "outcome": outcome["id"],
                    "option": option,
                    "members": [] if outcome["about"] == "family" else [subject],
                    "source": outcome["sources"][0],
                    "period": {"start": "2024-02-01", "end": "2024-08-30"},
                    "values": values,
                    "statement": statement(rng),
                    "status": "accepted",
                }
            )
    return {
        "ref": ref,
        "plan": PLAN,
        "members": members,
        "essentials": [],
        "problems": problems,
        "plan_outcomes": [],
        "engaged_on": "2024-01-20",
        "closed_on": "2024-09-30",
        "evidence": evidence,
    }


def load_heavy_families(count: int, prefix: str = "HEAVY") -> list[int]:
    """Adds `count` heavy families (and the demo's people if missing); returns their ids."""
    from portal.demo.build import load_family
    from portal.demo.people import add_people
    from portal.extensions import db

    people = add_people()
    ids = []
    for n in range(count):
        family = load_family(heavy_case(f"{prefix}-{n:05d}"), "Morgan family", people)
        ids.append(family.id)
    db.session.commit()
    return ids
