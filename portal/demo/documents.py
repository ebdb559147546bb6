"""A small PDF for each demo evidence item, so the demo's evidence and closure packs carry documents.

Demo data only: the files are made here, not uploaded, so they are not scanned
(their rows say so) and hold no case data beyond the evidence's outcome.
"""

from flask import current_app

from ..documents.storage import storage
from ..models import EvidenceDocument

NOT_SCANNED = "demo data: made by the portal, not uploaded"


def _plain(line: str) -> str:
    return "".join(c for c in line if c.isascii() and c not in "\\()")


def letter_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing `lines` in Helvetica (plain ASCII), with a correct cross-reference table."""
    text = "".join(f"({_plain(line)}) Tj T* " for line in lines)
    stream = f"BT /F1 14 Tf 16 TL 72 760 Td {text}ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
            b"/Contents 5 0 R >>"
        ),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def attach_demo_document(evidence, family_id):
    """One PDF on this evidence version, as if its submitter had attached it."""
    data = letter_pdf(
        [
            "Demo evidence document",
            f"Outcome {evidence.outcome_id}, version {evidence.version}",
            "Made by the portal's demo data; not a real record.",
        ]
    )
    sha256 = storage(current_app).put(data)
    row = EvidenceDocument(
        evidence_id=evidence.id,
        family_id=family_id,
        sha256=sha256,
        size=len(data),
        kind="pdf",
        filename=f"outcome-{evidence.outcome_id}-v{evidence.version}.pdf",
        scanned_with=NOT_SCANNED,
        uploaded_by_id=evidence.submitted_by.id,
        uploaded_at=evidence.submitted_at,
    )
    return row
