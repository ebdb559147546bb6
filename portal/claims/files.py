"""The claim file (CSV), the claim report (one-page PDF) and the ZIP of every line's closure summary.

build_claim_files(claim_id, progress) is the one entry point: submission calls it
synchronously for now; it is written to run as a background job (it takes an id,
opens its own reads, reports progress as (done, total) and streams the ZIP to disk
one PDF at a time so memory stays flat).
"""

import csv
import hashlib
import io
import os
import zipfile
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import current_process, get_context
from pathlib import Path

from flask import current_app, render_template

from ..closure import service, signing
from ..closure.pdf import html_to_pdf
from ..extensions import db
from ..models import Claim, ClaimFile
from ..models.claims import CLAIM_TYPES, REJECTION_REASONS
from .approving import included, rejected, totals
from .building import builder_names
from .sampling import sample_state

CSV_COLUMNS = [
    "reference",
    "plan",
    "plan_version",
    "claim_type",
    "problems_and_outcomes",
    "identified_on",
    "engaged_on",
    "closed_on",
    "claim_date",
    "decision",
    "evidence_hash",
]


def build_claim_csv(claim) -> bytes:
    """One row per claimed family (lines not rejected, removed or withdrawn)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    versions = {wp.plan_id: wp.version for wp in claim.window.plans}
    sampled = set(claim.sample.chosen) if claim.sample else set()
    for line in included(claim):
        decision = line.decision.decision if line.decision else ("not decided" if line.id in sampled else "not sampled")
        writer.writerow(
            [
                _cell(v)
                for v in (
                    line.family_ref,
                    line.plan_id,
                    versions.get(line.plan_id, ""),
                    line.claim_type,
                    achieved_by(line.verdict),
                    _iso(line.identified_on),
                    _iso(line.engaged_on),
                    _iso(line.closed_on),
                    claim.window.claim_date.isoformat(),
                    decision,
                    line.snapshot_hash,
                )
            ]
        )
    return out.getvalue().encode("utf-8")


def achieved_by(verdict: dict) -> str:
    """'1 Crime: 1.1; 2 Education: 2.1' from the stored verdict (continuous employment: its outcome)."""
    if verdict["claim_type"] == "continuous_employment" and verdict.get("continuous_employment"):
        return f"continuous employment: {verdict['continuous_employment']['id']}"
    parts = []
    for p in verdict["problems"]:
        met = [o["id"] for o in p["outcomes"] if o["met"]]
        parts.append(f"{p['id']} {p['title']}: {', '.join(dict.fromkeys(met)) or 'none'}")
    return "; ".join(parts)


def _cell(value) -> str:
    # A spreadsheet would run a cell starting with = + - @ as a formula: refs are typed by people.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _iso(day):
    return day.isoformat() if day else ""


def claim_report_pdf(claim) -> bytes:
    return html_to_pdf(
        render_template(
            "claims/report_pdf.html",
            claim=claim,
            totals=totals(claim),
            rejected=rejected(claim),
            state=sample_state(claim),
            claim_types=CLAIM_TYPES,
            builder_names=builder_names(claim),
            reasons=REJECTION_REASONS,
        )
    )


SIGNING_KEYS = ("PDF_SIGNING_CERT", "PDF_SIGNING_KEY", "PDF_SIGNING_KEY_PASSPHRASE")


POOL_FROM_LINES = 20  # below this many lines, starting worker processes costs more than it saves


def pdf_workers(lines: int) -> int:
    """Processes rendering PDFs: CLAIM_PDF_WORKERS, else every core; 0 = in this process.

    In this process for a claim of fewer than CLAIM_PDF_POOL_FROM lines (POOL_FROM_LINES), with
    one worker, or inside a daemonic process (a huey process worker), which may not start children.
    """
    wanted = int(current_app.config.get("CLAIM_PDF_WORKERS") or os.cpu_count() or 1)
    smallest = int(current_app.config.get("CLAIM_PDF_POOL_FROM") or POOL_FROM_LINES)
    if wanted <= 1 or lines < smallest or current_process().daemon:
        return 0
    return wanted


def render_pdf(html: str, signing_config: dict) -> bytes:
    """One closure summary's PDF from its HTML (run in a worker process: no Flask, no database)."""
    return signing.sign(html_to_pdf(html), signing_config)


def build_claim_zip(claim, path: Path, progress=None) -> None:
    """The CSV, the claim report and every claimed line's closure summary PDF.

    Each summary is decided and recorded here (database work, one family at a time);
    its PDF is rendered by a pool of worker processes (PDF rendering is most of the
    time: the pool uses every core), at most two per worker in flight, and written to
    the ZIP in the lines' order as it comes back. So memory holds a few summaries at a
    time whatever the claim's size.
    """
    lines = included(claim)
    total = len(lines) + 2
    user = claim.submission.submitted_by if claim.submission else claim.created_by
    signing_config = {k: current_app.config.get(k) for k in SIGNING_KEYS}
    workers = pdf_workers(len(lines))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"claim-{claim.id}.csv", build_claim_csv(claim))
        archive.writestr(f"claim-{claim.id}-report.pdf", claim_report_pdf(claim))
        if progress:
            progress(2, total)
        done = 2

        def write(name, pdf):
            nonlocal done
            archive.writestr(f"closure-summaries/{name}", pdf)
            done += 1
            if progress:
                progress(done, total)

        if not workers:
            for line in lines:
                write(*_summary(line, claim, user, lambda html: render_pdf(html, signing_config)))
            return
        # spawn, not fork: a fork would copy the web app's or job worker's memory and open connections.
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            waiting = deque()
            for line in lines:
                waiting.append(_summary(line, claim, user, lambda html: pool.submit(render_pdf, html, signing_config)))
                while len(waiting) >= 2 * workers:
                    name, future = waiting.popleft()
                    write(name, future.result())
            while waiting:
                name, future = waiting.popleft()
                write(name, future.result())


def _summary(line, claim, user, render):
    """Decide and record one line's closure summary as of the claim date; hand its HTML to `render`."""
    from ..closure.service import download_name

    built = service.build(line.family, as_of=claim.window.claim_date)
    service.record(built, user)  # recorded with its verification code like any download
    db.session.commit()  # the summary's record; and no write lock held while progress is written
    result = render(built.html)
    db.session.expire(line.family)  # keep memory flat: the family's rows are not needed again
    return download_name(line.family_ref), result


def files_root() -> Path:
    """Where claim files are kept: CLAIM_FILES_FOLDER, else instance/claim-files."""
    return Path(current_app.config.get("CLAIM_FILES_FOLDER") or Path(current_app.instance_path) / "claim-files")


def claim_folder(claim_id) -> Path:
    folder = files_root() / f"claim-{claim_id}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def build_claim_files(claim_id, progress=None) -> list[ClaimFile]:
    """Build and record the claim's CSV and ZIP (the lead moves this onto the job queue)."""
    claim = db.session.get(Claim, claim_id)
    folder = claim_folder(claim_id)
    csv_path = folder / f"claim-{claim_id}.csv"
    csv_path.write_bytes(build_claim_csv(claim))
    zip_path = folder / f"claim-{claim_id}.zip"
    partial = zip_path.with_suffix(".zip.part")
    build_claim_zip(claim, partial, progress)
    partial.replace(zip_path)
    rows = [_file(claim_id, "csv", csv_path), _file(claim_id, "zip", zip_path)]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def _file(claim_id, kind, path: Path) -> ClaimFile:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    relative = path.relative_to(files_root())
    return ClaimFile(
        claim_id=claim_id, kind=kind, path=str(relative), sha256=digest.hexdigest(), size=path.stat().st_size
    )


def latest_file(claim, kind) -> ClaimFile | None:
    return db.session.scalar(
        db.select(ClaimFile).filter_by(claim_id=claim.id, kind=kind).order_by(ClaimFile.id.desc()).limit(1)
    )


def file_path(row: ClaimFile) -> Path:
    return files_root() / row.path
