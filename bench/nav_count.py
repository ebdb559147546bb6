"""The navigation's to-do count of claim verifiers and programme managers: `python bench/nav_count.py`.

Every page a verifier or a programme manager opens counts, for the navigation, the claim work
waiting for them (portal/todo/lists.count_for). It reads every draft claim's lines. This bench
loads synthetic Suffolk families (bench/generate.py) into a scratch SQLite database, opens a
claim window, and makes two draft claims with their audit samples drawn: one of `--small` lines
(50) and one of `--large` lines (500), in copies of the database. For each, interleaved and
repeated (fastest kept), it times the count for a verifier and for the programme manager.

The count should grow with the claim's lines, not with their square: 10 times the lines should
cost at most about 10 times as much (less, for the fixed part). It ends with
`verifier_nav_count_<large>_vs_<small>_lines: X` and `programme_manager_nav_count_<large>_vs_<small>_lines: X`
(time at the large claim divided by time at the small one), after the times themselves.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.claims import AS_OF, PLAN, _app, load_rows, prepare_zip
from bench.generate import pool
from portal.rules.describe import plan_json
from portal.rules.plan import load_plans


def _database(folder: Path, families: list[dict]) -> Path:
    from portal.claims.windows import open_window
    from portal.extensions import db

    path = folder / "families.sqlite3"
    with _app(path).app_context():
        db.create_all()
        pm = load_rows(families)
        open_window(pm, "Bench window", AS_OF, [PLAN], 10, 10, 5, 84)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return path


def _claim_with_sample(families_db: Path, folder: Path, size: int) -> tuple[Path, int, int, int]:
    """A copy of the database with a draft claim of `size` lines, its sample drawn, and a verifier."""
    import sqlalchemy as sa

    from portal.claims import sampling
    from portal.extensions import db
    from portal.models import Claim, User

    path = folder / f"claim-{size}.sqlite3"
    shutil.copy(families_db, path)
    claim_id = prepare_zip(path, size)
    with _app(path).app_context():
        pm = db.session.scalar(sa.select(User).filter_by(role="programme_manager"))
        sample = sampling.draw(db.session.get(Claim, claim_id), pm)
        verifier = User(email="verifier@bench.example", name="Verifier", role="verifier", password_hash="x")
        db.session.add(verifier)
        db.session.commit()
        sampled, ids = len(sample.chosen), (verifier.id, pm.id)
        db.session.remove()
        db.engine.dispose()
    return path, sampled, *ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=50, help="lines of the small claim (the baseline)")
    parser.add_argument("--large", type=int, default=500, help="lines of the large claim")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    plan = load_plans()[PLAN]
    # More families than the large claim's lines: prepare_zip takes the claimable ones first.
    families = pool(plan, plan_json(plan), max(2 * args.large, 600))
    from portal.extensions import db
    from portal.models import User
    from portal.todo import lists

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = _database(folder, families)
        claims = {size: _claim_with_sample(base, folder, size) for size in (args.small, args.large)}
        apps = {size: _app(path) for size, (path, *_rest) in claims.items()}
        best: dict[tuple[str, int], float] = {}
        counts: dict[tuple[str, int], int] = {}
        for _ in range(args.repeat):
            for size, (_path, _sampled, verifier_id, pm_id) in claims.items():  # interleaved
                for who, user_id in (("verifier", verifier_id), ("programme_manager", pm_id)):
                    with apps[size].app_context():
                        user = db.session.get(User, user_id)
                        started = time.perf_counter()
                        counts[who, size] = lists.count_for(user)
                        elapsed = time.perf_counter() - started
                        db.session.remove()
                    best[who, size] = min(best.get((who, size), elapsed), elapsed)
        for size, (_path, sampled, *_ids) in claims.items():
            print(f"claim of {size} lines, {sampled} sampled:")
            for who in ("verifier", "programme_manager"):
                print(f"  {who}: count {counts[who, size]}, {best[who, size] * 1000:.1f} ms")
        for who in ("verifier", "programme_manager"):
            ratio = best[who, args.large] / best[who, args.small]
            print(f"{who}_nav_count_{args.large}_vs_{args.small}_lines: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
