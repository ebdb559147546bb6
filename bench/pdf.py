"""Closure summary PDFs: per-page cost against a hello page, a batch on both cores, memory.

    .venv/bin/python bench/pdf.py                      # the issue's sizes (3,100 summaries: ~15 min idle)
    .venv/bin/python bench/pdf.py --batch 60 --small 20 --large 120 --repeat 3 --batch-repeat 1   # a quick look

Builds a scratch SQLite database of heavy families (bench/pdf_family.py: 6 problems,
30 accepted evidence items, Hertfordshire 2022), then measures, in this run:

- per page: the heavy summary and the one-page hello document, both through
  portal.closure.pdf.html_to_pdf (tagged PDF/UA, the shared FontConfiguration), in
  turn, `--repeat` times each after a warm-up; the fastest of each is kept;
- the batch: render_summaries() of `--batch` summaries into a ZIP on both cores,
  in a fresh process; the fastest of `--batch-repeat` runs;
- the batch's CPU time (the batch process's and its workers'), which moves less than
  wall time on a shared machine;
- peak memory: render_summaries() of `--small` and of `--large` summaries, each in a
  fresh process started by a small launcher (never forked from this benchmark: a
  process's ru_maxrss includes what its parent had at the fork); the launcher samples
  the batch's process tree every 50 ms and keeps the highest sum of PSS (see LAUNCH);
- the summary's file size per page (`pdf_kb_per_page`).

The large batch cycles through the families loaded (the same records render to the
same bytes; each is still built and rendered from scratch).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HELLO = (
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Hello</title></head>'
    "<body><h1>Hello</h1><p>Hello, world.</p></body></html>"
)

# Run in a fresh interpreter: one batch, then its time, CPU and peak memory as JSON.
CHILD = r"""
import json, os, resource, sys, time, warnings
sys.path.insert(0, sys.argv[1])
warnings.filterwarnings("ignore", message="Duplicate name")
from bench.pdf import make_app
from portal.closure.batch import render_summaries
from portal.extensions import db
from portal.models import Family
app = make_app(sys.argv[2])
count, out = int(sys.argv[3]), sys.argv[4]
with app.app_context():
    ids = db.session.scalars(db.select(Family.id).order_by(Family.id)).all()
    ids = [ids[i % len(ids)] for i in range(count)]
    started, cpu = time.perf_counter(), os.times()
    render_summaries(ids, out, processes=2)
    seconds, done = time.perf_counter() - started, os.times()
me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "parent_mb": me, "worker_mb": workers,
                  "parent_cpu": done.user + done.system - cpu.user - cpu.system,
                  "worker_cpu": done.children_user + done.children_system - cpu.children_user - cpu.children_system}))
"""

# The batch process is started by this small launcher, not by the benchmark itself:
# on Linux a process's ru_maxrss keeps the resident size of the process it was forked
# (or vforked) from, and the benchmark holds WeasyPrint, the database and a rendered
# summary by then (the launcher's own ru_maxrss shows it). ru_maxrss cannot see
# growth inside the batch either: the app's start-up peaks above what a worker ever
# holds (about 140 MB, briefly), and each forked worker inherits that high-water mark.
# So the launcher also samples the batch's whole process tree every 50 ms from
# /proc/PID/smaps_rollup and keeps the highest total: PSS (shared pages divided among
# the processes sharing them: the memory the batch really occupies) and RSS.
# Sampling is not free: reading smaps_rollup makes the kernel walk each process's pages,
# and the launcher took about a fifth of a core doing it, taken from the two workers it
# watched. So the timed batches are not sampled (first argument "-"); only the memory
# batches are ("sample").
LAUNCH = """
import json, resource, subprocess, sys, threading, time
sampling = sys.argv[1] == "sample"
child = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
peak = {"pss_mb": 0.0, "rss_mb": 0.0, "processes": 0}
stop = threading.Event()

def tree(pid):
    pids = [pid]
    for p in pids:
        try:
            pids += [int(c) for c in open(f"/proc/{p}/task/{p}/children").read().split()]
        except OSError:
            pass
    return pids

def sample():
    while not stop.is_set():
        pss = rss = 0
        pids = tree(child.pid)
        for p in pids:
            try:
                for line in open(f"/proc/{p}/smaps_rollup"):
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
            except OSError:
                pass
        peak["pss_mb"] = max(peak["pss_mb"], pss / 1024)
        peak["rss_mb"] = max(peak["rss_mb"], rss / 1024)
        peak["processes"] = max(peak["processes"], len(pids))
        time.sleep(0.05)

sampler = threading.Thread(target=sample, daemon=True)
if sampling:
    sampler.start()
out, err = child.communicate()
stop.set()
if sampling:
    sampler.join()
tree_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"out": out.decode(), "err": err.decode(), "status": child.returncode, "tree_mb": tree_mb,
                  "launcher_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **peak}))
"""


def make_app(database_url: str):
    from portal import create_app

    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})


def build_database(database_url: str, families: int) -> None:
    from bench.pdf_family import load_heavy_families
    from portal.extensions import db

    app = make_app(database_url)
    with app.app_context():
        db.create_all()
        load_heavy_families(families)


def per_page(database_url: str, repeat: int) -> dict:
    import pypdf

    from portal.closure.pdf import html_to_pdf
    from portal.closure.summary import build
    from portal.extensions import db
    from portal.models import Family

    app = make_app(database_url)
    with app.app_context():
        html = build(db.session.scalars(db.select(Family).order_by(Family.id)).first()).html
    html_to_pdf(HELLO), html_to_pdf(html)  # warm-up: imports, fonts, caches
    hello, heavy, hello_cpu, heavy_cpu = [], [], [], []
    for _ in range(repeat):
        for source, walls, cpus in ((HELLO, hello, hello_cpu), (html, heavy, heavy_cpu)):
            wall, cpu = time.perf_counter(), time.process_time()
            pdf = html_to_pdf(source)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return {
        "hello_ms": min(hello) * 1000,
        "summary_ms": min(heavy) * 1000,
        "pages": pages,
        "hello_cpu_ms": min(hello_cpu) * 1000,
        "summary_cpu_ms": min(heavy_cpu) * 1000,
        "bytes": len(pdf),
    }


def batch(database_url: str, count: int, folder: Path, sample: bool) -> dict:
    """One batch in a fresh process; `sample`: watch its memory (the timed batches are not watched)."""
    out = folder / f"batch-{count}.zip"
    argv = [sys.executable, "-c", CHILD, str(ROOT), database_url, str(count), str(out)]
    launch = [sys.executable, "-c", LAUNCH, "sample" if sample else "-", *argv]
    done = subprocess.run(launch, check=True, capture_output=True, text=True)
    result = json.loads(done.stdout)
    if result["status"] != 0:
        raise SystemExit(f"the batch of {count} failed:\n{result['err']}")
    figures = json.loads(result["out"].strip().splitlines()[-1])
    figures.update((k, result[k]) for k in ("tree_mb", "launcher_mb", "pss_mb", "rss_mb", "processes"))
    figures["peak_mb"] = figures["pss_mb"]
    figures["cpu"] = figures["parent_cpu"] + figures["worker_cpu"]
    out.unlink()
    return figures


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=500, help="summaries in the timed batch")
    parser.add_argument("--batch-repeat", type=int, default=2, help="timed batch runs (fastest kept)")
    parser.add_argument("--small", type=int, default=100, help="summaries in the small memory batch")
    parser.add_argument("--large", type=int, default=2000, help="summaries in the large memory batch")
    parser.add_argument("--repeat", type=int, default=7, help="interleaved per-page runs (fastest kept)")
    parser.add_argument("--families", type=int, default=None, help="heavy families loaded (default: --batch)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
        started = time.perf_counter()
        build_database(url, args.families or max(args.batch, args.small))
        print(
            f"loaded {args.families or max(args.batch, args.small)} heavy families in "
            f"{time.perf_counter() - started:.1f} s; {os.cpu_count()} CPUs",
            flush=True,
        )

        page = per_page(url, args.repeat)
        per_page_ms = page["summary_ms"] / page["pages"]
        ratio = per_page_ms / page["hello_ms"]
        print(
            f"hello page: {page['hello_ms']:.1f} ms (cpu {page['hello_cpu_ms']:.1f}); "
            f"summary: {page['summary_ms']:.1f} ms for {page['pages']} pages = {per_page_ms:.1f} ms a page "
            f"(cpu {page['summary_cpu_ms'] / page['pages']:.1f}); {ratio:.2f}x hello",
            flush=True,
        )
        print(
            f"file size: {page['bytes'] / 1024:.1f} KB, {page['bytes'] / page['pages'] / 1024:.1f} KB a page",
            flush=True,
        )

        runs = [batch(url, args.batch, folder, sample=False) for _ in range(args.batch_repeat)]
        seconds = min(r["seconds"] for r in runs)
        best = min(runs, key=lambda r: r["seconds"])
        print(
            f"batch of {args.batch} on 2 workers: {seconds:.1f} s "
            f"({seconds / args.batch * 1000:.0f} ms a summary; runs: "
            f"{', '.join(format(r['seconds'], '.1f') for r in runs)}); CPU {best['cpu']:.1f} s = "
            f"{best['cpu'] / args.batch * 1000:.0f} ms a summary (workers {best['worker_cpu']:.1f} s, "
            f"batch process {best['parent_cpu']:.1f} s)",
            flush=True,
        )

        small, large = batch(url, args.small, folder, sample=True), batch(url, args.large, folder, sample=True)
        for n, r in ((args.small, small), (args.large, large)):
            print(
                f"peak memory at {n}: {r['pss_mb']:.1f} MB PSS, {r['rss_mb']:.1f} MB RSS, summed over the "
                f"batch's {r['processes']} processes (ru_maxrss: batch process {r['parent_mb']:.1f} MB, largest "
                f"worker {r['worker_mb']:.1f} MB; launcher {r['launcher_mb']:.1f} MB); {r['seconds']:.1f} s, "
                f"CPU {r['cpu']:.1f} s",
                flush=True,
            )

    print(f"pdf_kb_per_page: {page['bytes'] / page['pages'] / 1024:.1f}")
    print(f"pdf_per_page_vs_hello: {ratio:.2f}")
    print(f"pdf_batch_{args.batch}_seconds: {seconds:.1f}")
    print(f"pdf_peak_mb_{args.large}_vs_{args.small}: {large['peak_mb'] / small['peak_mb']:.3f}")


if __name__ == "__main__":
    main()
