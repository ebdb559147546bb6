"""Claims benchmark: `python bench/claims.py` (the claimable-list figure; the ZIP figures come with the job queue).

Writes 5,000 synthetic Suffolk families (bench/generate.py) as JSON Lines, loads the
same families into a scratch SQLite database as portal rows, opens a claim window,
then measures, interleaved and repeated (fastest kept): the claimable list (every
family read in a fixed number of queries, decided as of the claim date with the
window's stored plan, flags computed) and `portal-rules cohort` over the file.
Ends with `claimable_list_per_family_vs_cohort: X` (time per family, list / cohort).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import pool
from portal.rules.describe import plan_json
from portal.rules.plan import load_plans

PLAN, AS_OF = "suffolk-2017", dt.date(2017, 6, 30)


def load_rows(families: list[dict]):
    from portal.extensions import db
    from portal.models import (
        Agency,
        CaseClosure,
        EssentialRecord,
        Evidence,
        Family,
        FamilyPlanOutcome,
        IdentifiedProblem,
        Member,
        Review,
        User,
    )

    agency = Agency(name="Bench school", kind="school")
    lead = User(email="lead@bench.example", name="Lead", role="lead_professional", password_hash="x")
    pm = User(email="pm@bench.example", name="PM", role="programme_manager", password_hash="x")
    db.session.add_all([agency, lead, pm])
    db.session.flush()
    day = dt.date.fromisoformat
    for case in families:
        family = Family(ref=case["ref"], name="Bench family", plan_id=PLAN, lead_professional_id=lead.id,
                        engaged_on=day(case["engaged_on"]))
        db.session.add(family)
        db.session.flush()
        ids = {}
        for m in case["members"]:
            member = Member(family_id=family.id, name=m.get("name", m["id"]), role=m["role"],
                            date_of_birth=day(m["date_of_birth"]), activity=m.get("activity", ""),
                            recorded_by_id=lead.id)
            db.session.add(member)
            db.session.flush()
            ids[m["id"]] = member.id
        for p in case["problems"]:
            db.session.add(IdentifiedProblem(family_id=family.id, problem_id=p["problem"], indicator_id=p["indicator"],
                                             stage=p["stage"], identified_on=day(p["identified_on"]),
                                             recorded_by_id=lead.id))
        for e in case["essentials"]:
            db.session.add(EssentialRecord(family_id=family.id, essential_id=e, in_place_on=day("2015-11-01"),
                                           recorded_by_id=lead.id))
        for o in dict.fromkeys(case["plan_outcomes"]):
            db.session.add(FamilyPlanOutcome(family_id=family.id, outcome_id=o, recorded_by_id=lead.id))
        if case["closed_on"]:
            db.session.add(CaseClosure(family_id=family.id, closed_on=day(case["closed_on"]), recorded_by_id=lead.id))
        for e in case["evidence"]:
            ev = Evidence(family_id=family.id, outcome_id=e["outcome"], option=e["option"],
                          member_ids=[ids[m] for m in e["members"]], source=e["source"],
                          period_start=day(e["period"]["start"]), period_end=day(e["period"]["end"]),
                          values=e["values"], statement=e["statement"], submitted_by_id=lead.id, agency_id=agency.id)
            db.session.add(ev)
            if e["status"] == "accepted":
                ev.reviews.append(Review(decision="accepted", reviewed_by_id=lead.id))
    db.session.commit()
    return pm


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--families", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    plan = load_plans()[PLAN]
    families = pool(plan, plan_json(plan), args.families)
    with tempfile.TemporaryDirectory() as tmp:
        import json

        cases = Path(tmp) / "cases.jsonl"
        cases.write_text("".join(json.dumps(f, separators=(",", ":")) + "\n" for f in families), encoding="utf-8")
        from portal import create_app
        from portal.extensions import db

        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3"})
        with app.app_context():
            db.create_all()
            pm = load_rows(families)
            from portal.claims import claimable
            from portal.claims.windows import open_window

            window = open_window(pm, "Bench window", AS_OF, [PLAN], 10, 10, 5, 84)
            lists, cohorts = [], []
            for _ in range(args.repeat):
                db.session.expire_all()
                started = time.perf_counter()
                rows = claimable.decided_rows(window)
                lists.append(time.perf_counter() - started)
                started = time.perf_counter()
                subprocess.run([sys.executable, "-m", "portal.rules.cli", "cohort", PLAN, str(cases), "--as-of",
                                AS_OF.isoformat(), "-o", str(Path(tmp) / "out.csv")], check=True,
                               capture_output=True)
                cohorts.append(time.perf_counter() - started)
            claimable_count = sum(r.status == "claimable" for r in rows)
    n = len(families)
    best_list, best_cohort = min(lists), min(cohorts)
    print(f"families: {n:,} ({claimable_count:,} claimable as of {AS_OF})")
    print(f"claimable list: {best_list:.2f} s ({best_list / n * 1e6:.0f} us a family)")
    print(f"portal-rules cohort: {best_cohort:.2f} s ({best_cohort / n * 1e6:.0f} us a family, process start included)")
    print(f"claimable_list_per_family_vs_cohort: {best_list / best_cohort:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
