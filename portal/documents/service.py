"""Reading uploaded files, attaching them to evidence, and reading them back.

Every file of a submission is checked before anything is kept: its size, its type
from its content (kinds.py) and a virus scan (scanning.py). If any file fails, no
file is stored and the evidence is not saved (the form says which file and why).
"""

from dataclasses import dataclass

from flask import current_app
from werkzeug.utils import secure_filename

from ..audit import record
from ..extensions import db
from ..models import EvidenceDocument
from . import kinds, scanning
from .storage import digest, storage

FIELD = "documents"  # the file input's name and id, and the error key
KEEP_FIELD = "keep_document"  # a correction's checkboxes: earlier files to carry forward
TYPES_IN_WORDS = "a PDF, a JPG or PNG image, a Word document (.docx) or an Excel spreadsheet (.xlsx)"
SCANNER_DOWN = "The files could not be checked for viruses just now, so nothing was saved. Try again in a few minutes"


@dataclass
class Upload:
    filename: str  # made safe
    kind: str
    data: bytes
    sha256: str
    scanned_with: str = ""


@dataclass
class Checked:
    uploads: list
    errors: list  # messages, each naming the file and the reason
    infected: int = 0  # how many files held a virus (audited)

    @property
    def ok(self) -> bool:
        return not self.errors


def safe_name(name: str) -> str:
    return (secure_filename(name or "") or "document")[-100:]


def megabytes(size: int) -> str:
    """A limit in words: "10 MB", "512 KB"."""
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size / 1024:g} KB"


def check_files(files) -> Checked:
    """Check every chosen file (werkzeug FileStorage): its size, a virus scan, then its type.

    Every file within the size limit is scanned, whatever it claims or turns out to be,
    so a virus is reported as a virus (and audited) rather than as a file of the wrong type.
    """
    config = current_app.config
    limit, most = config["DOCUMENTS_MAX_FILE_BYTES"], config["DOCUMENTS_MAX_FILES"]
    chosen = [f for f in files if f and f.filename]
    result = Checked([], [])
    if len(chosen) > most:
        result.errors.append(f"Choose {most} files or fewer. You chose {len(chosen)}")
        return result
    sized = []
    for upload in chosen:
        name = safe_name(upload.filename)
        data = upload.stream.read(limit + 1)
        if not data:
            result.errors.append(f"The selected file {name} is empty")
        elif len(data) > limit:
            result.errors.append(f"The selected file {name} must be smaller than {megabytes(limit)}")
        else:
            sized.append((name, data))
    scanner = scanning.Scanner.from_config(config, current_app.instance_path) if sized else None
    for name, data in sized:
        verdict = scanner.scan(data)
        if isinstance(verdict, scanning.Unavailable):
            current_app.logger.error("virus scanner unavailable: %s", verdict.reason)
            return Checked([], [SCANNER_DOWN], result.infected)
        if isinstance(verdict, scanning.Infected):
            result.infected += 1
            result.errors.append(
                f"The selected file {name} contains a virus, so it was not saved. Nothing you attached was kept"
            )
        elif (kind := kinds.sniff(data)) is None:
            result.errors.append(
                f"The selected file {name} must be {TYPES_IN_WORDS}. Its content was checked, not its name"
            )
        else:
            result.uploads.append(Upload(name, kind, data, digest(data), verdict.scanner))
    if result.errors:
        result.uploads = []  # all or nothing: a submission keeps no file unless every file passed
    return result


def audit_refusal(family, checked: Checked, user):
    """A virus found is a security event: recorded, even though nothing was saved."""
    if checked.infected:
        record("document.virus-refused", family, f"{checked.infected} document refused virus found", user=user)
        db.session.commit()  # kept although the form is refused and nothing else is saved


def attach(family, evidence, uploads, user) -> list[EvidenceDocument]:
    """Store the checked files and add a row for each to this version; the caller commits."""
    store = storage(current_app)
    rows = []
    for upload in uploads:
        sha256 = store.put(upload.data)
        rows.append(
            EvidenceDocument(
                evidence_id=evidence.id,
                family_id=evidence.family_id,
                sha256=sha256,
                size=len(upload.data),
                kind=upload.kind,
                filename=upload.filename,
                scanned_with=upload.scanned_with,
                uploaded_by_id=user.id,
            )
        )
    return _add(family, evidence, rows, "attached")


def carry_forward(family, previous, evidence, keep_ids, user) -> list[EvidenceDocument]:
    """Files of the corrected version the correction keeps: new rows naming the old ones.

    The old rows stay with the old version. A carried file keeps who uploaded it and when.
    Ids that are not the previous version's files are ignored.
    """
    rows = [
        EvidenceDocument(
            evidence_id=evidence.id,
            family_id=evidence.family_id,
            sha256=old.sha256,
            size=old.size,
            kind=old.kind,
            filename=old.filename,
            scanned_with=old.scanned_with,
            uploaded_by_id=old.uploaded_by_id,
            uploaded_at=old.uploaded_at,
            carried_from_id=old.id,
        )
        for old in previous.documents
        if old.id in keep_ids
    ]
    return _add(family, evidence, rows, "carried")


def _add(family, evidence, rows, how):
    if not rows:
        return rows  # nothing to flush early: the caller's commit writes its rows together
    for row in rows:
        db.session.add(row)
    db.session.flush()  # for the ids in the audit details
    for row in rows:
        detail = f"document {row.id} {how} to evidence {evidence.id} v{evidence.version}"
        if row.carried_from_id:
            detail += f" from document {row.carried_from_id}"
        record(f"document.{'attach' if how == 'attached' else 'carry'}", family, detail)
    return rows


def document_of(evidence, document_id) -> EvidenceDocument | None:
    row = db.session.get(EvidenceDocument, document_id)
    return row if row is not None and row.evidence_id == evidence.id else None


class Damaged(Exception):
    """The stored bytes are missing or no longer match their checksum."""


def read(row: EvidenceDocument) -> bytes:
    try:
        data = storage(current_app).get(row.sha256)
    except (OSError, KeyError) as error:
        raise Damaged(f"document {row.id}: {error.__class__.__name__}") from error
    if digest(data) != row.sha256:
        raise Damaged(f"document {row.id}: checksum differs")
    return data


def keep_ids(form) -> set[int]:
    from ..boundaries.ids import parse_id

    return {i for i in (parse_id(v) for v in form.getlist(KEEP_FIELD)) if i is not None}
