"""To-do list benchmark: `python bench/todo.py` (issue 13, section 1).

Loads synthetic Suffolk families (bench/generate.py) into a scratch SQLite database, all led
by one lead professional, then measures, interleaved and repeated (fastest kept):
- baseline: the families read in a fixed number of queries and each decided by the engine
  (what any list that decides every family costs: claims/loading.load_chosen + casefile.verdict);
- the lead professional's whole to-do list (portal/todo/lists.sections_for);
- the navigation's count (count_for), which reads evidence only and never asks the engine.
Ends with `todo_list_vs_verdicts: X` and `nav_count_vs_verdicts: Y` (time ratios).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.claims import AS_OF, PLAN, load_rows
from bench.generate import pool
from portal.rules.describe import plan_json
from portal.rules.plan import load_plans


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--families", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    plan = load_plans()[PLAN]
    families = pool(plan, plan_json(plan), args.families)
    with tempfile.TemporaryDirectory() as tmp:
        import sqlalchemy as sa

        from portal import casefile, create_app
        from portal.claims.loading import load_chosen
        from portal.extensions import db
        from portal.models import Family, User
        from portal.todo import lists

        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3"})
        with app.app_context():
            db.create_all()
            load_rows(families)
            lead = db.session.scalar(sa.select(User).filter_by(role="lead_professional"))

            def verdicts_only():
                loaded, evidence = load_chosen(sa.select(Family.id).where(Family.lead_professional_id == lead.id))
                return [casefile.verdict(f, as_of=AS_OF, evidence_rows=evidence.get(f.id, [])) for f in loaded]

            timings = {"verdicts": [], "todo": [], "count": []}
            runs = {
                "verdicts": verdicts_only,
                "todo": lambda: lists.sections_for(lead, AS_OF),
                "count": lambda: lists.count_for(lead),
            }
            for _ in range(args.repeat):
                for name, run in runs.items():  # interleaved, so a busy moment hits all three alike
                    db.session.expire_all()
                    started = time.perf_counter()
                    result = run()
                    timings[name].append(time.perf_counter() - started)
                    if name == "todo":
                        items = sum(len(s.items) for s in result)
    n = len(families)
    best = {name: min(values) for name, values in timings.items()}
    print(f"families: {n:,}, one lead professional; {items} to-do items as of {AS_OF}")
    for name, value in best.items():
        print(f"{name}: {value:.3f} s ({value / n * 1e6:.0f} us a family)")
    print(f"todo_list_vs_verdicts: {best['todo'] / best['verdicts']:.2f}")
    print(f"nav_count_vs_verdicts: {best['count'] / best['verdicts']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
