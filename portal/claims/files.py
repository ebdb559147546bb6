"""The claim file (CSV), the claim report (one-page PDF) and the ZIP of every line's closure summary.

build_claim_files(claim_id, progress) is the one entry point: submission calls it
synchronously for now; it is written to run as a background job (it takes an id,
opens its own reads, reports progress as (done, total) and streams the ZIP to disk
one PDF at a time so memory stays flat).
"""

import csv
import hashlib
import io
import zipfile
from pathlib import Path

from flask import current_app, render_template

from ..closure import service
from ..closure.pdf import html_to_pdf
from ..extensions import db
from ..models import Claim, ClaimFile
from ..models.claims import CLAIM_TYPES
from .approving import included, rejected, totals
from .sampling import sample_state

CSV_COLUMNS = ["reference", "plan", "plan_version", "claim_type", "problems_and_outcomes", "identified_on",
               "engaged_on", "closed_on", "claim_date", "decision", "evidence_hash"]


def build_claim_csv(claim) -> bytes:
    """One row per claimed family (lines not rejected, removed or withdrawn)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    versions = {wp.plan_id: wp.version for wp in claim.window.plans}
    sampled = set(claim.sample.chosen) if claim.sample else set()
    for line in included(claim):
        decision = line.decision.decision if line.decision else ("not decided" if line.id in sampled else "not sampled")
        writer.writerow([_cell(v) for v in (
            line.family_ref, line.plan_id, versions.get(line.plan_id, ""), line.claim_type,
            achieved_by(line.verdict), _iso(line.identified_on), _iso(line.engaged_on), _iso(line.closed_on),
            claim.window.claim_date.isoformat(), decision, line.snapshot_hash)])
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
    return html_to_pdf(render_template("claims/report_pdf.html", claim=claim, totals=totals(claim),
                                       rejected=rejected(claim), state=sample_state(claim),
                                       claim_types=CLAIM_TYPES))


def build_claim_zip(claim, path: Path, progress=None) -> None:
    """The CSV, the claim report and every claimed line's closure summary PDF, written one at a time."""
    lines = included(claim)
    total = len(lines) + 2
    user = claim.submission.submitted_by if claim.submission else claim.created_by
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"claim-{claim.id}.csv", build_claim_csv(claim))
        archive.writestr(f"claim-{claim.id}-report.pdf", claim_report_pdf(claim))
        if progress:
            progress(2, total)
        for n, line in enumerate(lines, start=3):
            from ..closure.service import download_name

            # Decided as of the claim date, recorded with its verification code like any download.
            _built, pdf = service.generate(line.family, user, as_of=claim.window.claim_date)
            archive.writestr(f"closure-summaries/{download_name(line.family_ref)}", pdf)
            db.session.commit()  # the summary's record; and no write lock held while progress is written
            db.session.expire(line.family)  # keep memory flat: the family's rows are not needed again
            if progress:
                progress(n, total)


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
    return ClaimFile(claim_id=claim_id, kind=kind, path=str(relative), sha256=digest.hexdigest(),
                     size=path.stat().st_size)


def latest_file(claim, kind) -> ClaimFile | None:
    return db.session.scalar(db.select(ClaimFile).filter_by(claim_id=claim.id, kind=kind)
                             .order_by(ClaimFile.id.desc()).limit(1))


def file_path(row: ClaimFile) -> Path:
    return files_root() / row.path
