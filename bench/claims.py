"""Claims benchmark: `python bench/claims.py` (the claimable list against the cohort; the claim ZIP).

Writes 5,000 synthetic Suffolk families (bench/generate.py) as JSON Lines, loads the
same families into a scratch SQLite database as portal rows, opens a claim window,
then measures, interleaved and repeated (fastest kept): the claimable list (every
family read in a fixed number of queries, decided as of the claim date with the
window's stored plan, flags computed) and `portal-rules cohort` over the file.
Then the claim ZIP (files.build_claim_files: CSV, claim report, every line's closure
summary PDF rendered on every core): claims of 100 and of 500 of those families are
made in copies of the database, each built in a fresh process, interleaved and
repeated (fastest kept), and the building process's peak resident memory read.
Ends with `claimable_list_per_family_vs_cohort: X` (time per family, list / cohort),
`claim_zip_500_seconds: X` and `claim_zip_peak_mb_500_vs_100: X`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
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
        family = Family(
            ref=case["ref"],
            name="Bench family",
            plan_id=PLAN,
            lead_professional_id=lead.id,
            engaged_on=day(case["engaged_on"]),
        )
        db.session.add(family)
        db.session.flush()
        ids = {}
        for m in case["members"]:
            member = Member(
                family_id=family.id,
                name=m.get("name", m["id"]),
                role=m["role"],
                date_of_birth=day(m["date_of_birth"]),
                activity=m.get("activity", ""),
                recorded_by_id=lead.id,
            )
            db.session.add(member)
            db.session.flush()
            ids[m["id"]] = member.id
        for p in case["problems"]:
            db.session.add(
                IdentifiedProblem(
                    family_id=family.id,
                    problem_id=p["problem"],
                    indicator_id=p["indicator"],
                    stage=p["stage"],
                    identified_on=day(p["identified_on"]),
                    recorded_by_id=lead.id,
                )
            )
        for e in case["essentials"]:
            db.session.add(
                EssentialRecord(
                    family_id=family.id, essential_id=e, in_place_on=day("2015-11-01"), recorded_by_id=lead.id
                )
            )
        for o in dict.fromkeys(case["plan_outcomes"]):
            db.session.add(FamilyPlanOutcome(family_id=family.id, outcome_id=o, recorded_by_id=lead.id))
        if case["closed_on"]:
            db.session.add(CaseClosure(family_id=family.id, closed_on=day(case["closed_on"]), recorded_by_id=lead.id))
        for e in case["evidence"]:
            ev = Evidence(
                family_id=family.id,
                outcome_id=e["outcome"],
                option=e["option"],
                member_ids=[ids[m] for m in e["members"]],
                source=e["source"],
                period_start=day(e["period"]["start"]),
                period_end=day(e["period"]["end"]),
                values=e["values"],
                statement=e["statement"],
                submitted_by_id=lead.id,
                agency_id=agency.id,
            )
            db.session.add(ev)
            if e["status"] == "accepted":
                ev.reviews.append(Review(decision="accepted", reviewed_by_id=lead.id))
    db.session.commit()
    return pm


def _app(database: Path, files: Path | None = None):
    from portal import create_app

    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"}
    if files is not None:
        settings["CLAIM_FILES_FOLDER"] = str(files)
    return create_app("testing", settings)


def prepare_zip(database: Path, size: int) -> int:
    """A claim of `size` claimable families in this database (lines made directly: the bench's families
    repeat members' names and dates of birth, which the double-claim rule would refuse). Its id."""
    from portal.claims import building, claimable
    from portal.claims.snapshot import snapshot_hash
    from portal.extensions import db
    from portal.models import ClaimLine, ClaimWindow, User

    with _app(database).app_context():
        window = db.session.scalar(db.select(ClaimWindow))
        pm = db.session.scalar(db.select(User).filter_by(role="programme_manager"))
        # The claimable families first; then others (a closure summary is made for any family),
        # when the synthetic families have fewer claimable than the claim's size.
        rows = sorted(claimable.decided_rows(window), key=lambda r: (r.status != "claimable", r.family.id))[:size]
        if len(rows) < size:
            raise SystemExit(f"only {len(rows)} families; ask for more with --families")
        claim = building.create_claim(window, pm)
        plans = {wp.plan_id: wp for wp in window.plans}
        for row in rows:
            family, decided = row.family, row.decided
            verdict = decided.verdict.to_json()
            db.session.add(
                ClaimLine(
                    claim_id=claim.id,
                    family_id=family.id,
                    family_ref=family.ref,
                    plan_id=family.plan_id,
                    claim_type=decided.verdict.claim_type or "significant_and_sustained",
                    lead_professional_id=family.lead_professional_id,
                    engaged_on=family.engaged_on,
                    closed_on=family.closed_on,
                    case_snapshot=decided.case,
                    verdict=verdict,
                    evidence=decided.evidence,
                    flags=[f.to_json() for f in decided.flags],
                    added_by_id=pm.id,
                    snapshot_hash=snapshot_hash(
                        plans[family.plan_id], window.claim_date, decided.case, verdict, decided.evidence
                    ),
                )
            )
        db.session.commit()
        return claim.id


def build_zip(database: Path, claim_id: int, files: Path) -> dict:
    """Build the claim's files once, in this (fresh) process; seconds and peak memory."""
    from portal.claims import files as claim_files
    from portal.extensions import db
    from portal.models import Claim

    app = _app(database, files)
    with app.app_context():
        started = time.perf_counter()
        claim_files.build_claim_files(claim_id)
        seconds = time.perf_counter() - started
        count = len(claim_files.included(db.session.get(Claim, claim_id)))
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": seconds,
        "lines": count,
        "cpu_own": own.ru_utime + own.ru_stime,
        "cpu_workers": workers.ru_utime + workers.ru_stime,
        "peak_mb": peak_mb(),
    }


def peak_mb() -> float:
    """This process's peak resident memory since it started (VmHWM).

    Not ru_maxrss: Linux keeps that across exec, so a child started by this benchmark
    would report the benchmark's own memory at the fork (bench/README.md, cohort).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 1024**2)


def _child(*args) -> str:
    done = subprocess.run([sys.executable, __file__, *map(str, args)], capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(map(str, args))} failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


def zip_figures(database: Path, tmp: Path, sizes, repeat: int) -> dict:
    claims = {}
    for size in sizes:
        copy = tmp / f"zip-{size}.sqlite3"
        shutil.copyfile(database, copy)
        claims[size] = (copy, int(_child("--prepare-zip", copy, size)))
    runs = {size: [] for size in sizes}
    for _ in range(repeat):
        for size in sizes:
            copy, claim_id = claims[size]
            runs[size].append(json.loads(_child("--build-zip", copy, claim_id, tmp / f"files-{size}")))
    return runs


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--prepare-zip":
        print(prepare_zip(Path(sys.argv[2]), int(sys.argv[3])))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--build-zip":
        print(json.dumps(build_zip(Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--families", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--zip-sizes", default="100,500", help="claim sizes for the ZIP (the last one is the figure)")
    parser.add_argument("--zip-repeat", type=int, default=2)
    args = parser.parse_args()
    sizes = [int(n) for n in args.zip_sizes.split(",")]
    plan = load_plans()[PLAN]
    families = pool(plan, plan_json(plan), args.families)
    with tempfile.TemporaryDirectory() as tmp:
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
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "portal.rules.cli",
                        "cohort",
                        PLAN,
                        str(cases),
                        "--as-of",
                        AS_OF.isoformat(),
                        "-o",
                        str(Path(tmp) / "out.csv"),
                    ],
                    check=True,
                    capture_output=True,
                )
                cohorts.append(time.perf_counter() - started)
            claimable_count = sum(r.status == "claimable" for r in rows)
            db.session.remove()
        n = len(families)
        best_list, best_cohort = min(lists), min(cohorts)
        print(f"families: {n:,} ({claimable_count:,} claimable as of {AS_OF})")
        print(f"claimable list: {best_list:.2f} s ({best_list / n * 1e6:.0f} us a family)")
        print(
            f"portal-rules cohort: {best_cohort:.2f} s ({best_cohort / n * 1e6:.0f} us a family, "
            "process start included)",
            flush=True,
        )
        runs = zip_figures(Path(tmp) / "bench.sqlite3", Path(tmp), sizes, args.zip_repeat)
    for measured in runs.values():
        best = min(r["seconds"] for r in measured)
        each = ", ".join(f"{r['seconds']:.1f}" for r in measured)
        print(
            f"claim ZIP of {measured[0]['lines']} lines: fastest {best:.1f} s of {each} ({os.cpu_count()} cores); "
            f"building process peak {max(r['peak_mb'] for r in measured):.0f} MB; CPU in the "
            f"building process {min(r['cpu_own'] for r in measured):.1f} s (start-up included), in the "
            f"PDF workers {min(r['cpu_workers'] for r in measured):.1f} s"
        )
    small, large = runs[sizes[0]], runs[sizes[-1]]
    print(f"claimable_list_per_family_vs_cohort: {best_list / best_cohort:.2f}")
    print(f"claim_zip_{sizes[-1]}_seconds: {min(r['seconds'] for r in large):.1f}")
    print(
        f"claim_zip_peak_mb_{sizes[-1]}_vs_{sizes[0]}: "
        f"{max(r['peak_mb'] for r in large) / max(r['peak_mb'] for r in small):.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
