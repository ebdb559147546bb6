"""Cohort benchmark: `python bench/cohort.py` (see bench/README.md).

For every plan it writes synthetic families as JSON Lines, then measures, in the
same run and each in a fresh process: `portal-rules cohort` over the file, and a
bare pass that only json.loads each line. It prints families per second, the
ratio of the two times, and each process's peak memory (ru_maxrss) at 100,000 and
at 1,000,000 families. Beside the wall-clock ratio (the goal's) it prints the ratio
of CPU time (user + system), which moves less when other work shares the machine.
Each pair of measurements is repeated (`--repeat`, interleaved: bare, cohort, bare,
cohort...) and the fastest of each kept, the usual way to read a timing on a shared
machine: other work only ever adds time. Peak memory is the highest seen.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import write_cohort
from portal.rules.describe import plan_json
from portal.rules.plan import load_plans

BARE = "import json,sys\nfor line in open(sys.argv[1],'rb'):\n    json.loads(line)\n"
AS_OF = "2017-06-30"

# Runs one command pinned to one core and prints its wall time, CPU time and peak memory. The
# benchmark starts each measured command through this small process, not directly: a process's
# peak memory (ru_maxrss) counts whatever the process that forked it had resident at the fork, and
# this script holds tens of MiB of generated families, more after writing a million of them.
LAUNCH = """
import json, os, subprocess, sys, time
os.sched_setaffinity(0, {0})
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = child.stderr.read().decode()
_, status, usage = os.wait4(child.pid, 0)
print(json.dumps({"seconds": time.perf_counter() - started, "cpu": usage.ru_utime + usage.ru_stime,
                  "mb": usage.ru_maxrss / 1024, "status": status, "err": err}))
"""


def measure(argv: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident memory (MiB) of one child process, pinned to one core."""
    done = subprocess.run([sys.executable, "-c", LAUNCH, *argv], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    if result["status"] != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{result['err']}")
    return result["seconds"], result["cpu"], result["mb"]


def cohort_argv(plan_id: str, cases: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "portal.rules.cli", "cohort", plan_id, str(cases), "--as-of", AS_OF, "-o", str(out)]


def run_plan(plan, workdir: Path, count: int, repeat: int) -> dict:
    cases = workdir / f"{plan.id}-{count}.jsonl"
    size = write_cohort(cases, plan, plan_json(plan), count)
    bare, cohort = [], []
    for _ in range(repeat):
        bare.append(measure([sys.executable, "-c", BARE, str(cases)]))
        cohort.append(measure(cohort_argv(plan.id, cases, workdir / "out.csv")))
    cases.unlink()
    (bare_s, bare_cpu, _), (cohort_s, cohort_cpu, cohort_mb) = fastest(bare), fastest(cohort)
    return {
        "plan": plan.id,
        "families": count,
        "mb_file": size / 2**20,
        "cohort_s": cohort_s,
        "bare_s": bare_s,
        "ratio": cohort_s / bare_s,
        "rate": count / cohort_s,
        "peak_mb": cohort_mb,
        "cpu_ratio": cohort_cpu / bare_cpu,
    }


def fastest(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """The least wall and CPU time of the runs, and the most memory any of them used."""
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)


def line(r: dict) -> str:
    return (
        f"{r['plan']:<20}{r['families']:>10,}{r['mb_file']:>9.0f}{r['cohort_s']:>10.2f}{r['rate']:>12,.0f}"
        f"{r['bare_s']:>10.2f}{r['ratio']:>8.2f}{r['cpu_ratio']:>8.2f}{r['peak_mb']:>10.1f}"
    )


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--families", type=int, default=100_000)
    args.add_argument("--large", type=int, default=1_000_000, help="the memory run's size (0 to skip)")
    args.add_argument("--plans", nargs="*", help="plan ids (default: all)")
    args.add_argument("--repeat", type=int, default=3, help="runs of each command at --families (fastest kept)")
    args.add_argument("--large-repeat", type=int, default=1, help="runs of each command at --large")
    opts = args.parse_args()
    plans = [p for pid, p in load_plans().items() if not opts.plans or pid in opts.plans]
    print(
        f"{'plan':<20}{'families':>10}{'file MB':>9}{'cohort s':>10}{'families/s':>12}"
        f"{'loads s':>10}{'ratio':>8}{'cpu':>8}{'peak MB':>10}"
    )
    with tempfile.TemporaryDirectory(prefix="cohort-bench-") as tmp:
        small = [report(run_plan(p, Path(tmp), opts.families, opts.repeat)) for p in plans]
        large = [report(run_plan(p, Path(tmp), opts.large, opts.large_repeat)) for p in plans] if opts.large else []
    summarise(small, large)
    return 0


def report(r: dict) -> dict:
    print(line(r), flush=True)
    return r


def summarise(small, large) -> None:
    print()
    worst = max(small, key=lambda r: r["cohort_s"])
    print(f"slowest plan at {worst['families']:,}: {worst['cohort_s']:.2f} s (goal: under 5 s)")
    print(
        f"highest ratio to the bare json.loads pass: {max(r['ratio'] for r in small):.2f}x (goal: at most 2x); "
        f"of CPU time: {max(r['cpu_ratio'] for r in small):.2f}x"
    )
    for big in large:
        base = next(r for r in small if r["plan"] == big["plan"])
        growth = big["peak_mb"] / base["peak_mb"]
        print(
            f"{big['plan']}: peak memory at {big['families']:,} is {growth:.3f}x that at {base['families']:,} "
            f"({big['peak_mb']:.1f} vs {base['peak_mb']:.1f} MiB; goal: at most 1.10x)"
        )


if __name__ == "__main__":
    sys.exit(main())
