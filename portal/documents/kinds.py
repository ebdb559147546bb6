"""What a file is, judged from its bytes alone (never its name or the browser's content type).

PDF, PNG and JPEG by their first bytes ("magic numbers"). Word and Excel files
(.docx, .xlsx) are ZIP archives: a ZIP is taken for one only if its
`[Content_Types].xml` names the main part of a Word document or an Excel
workbook. Macro-enabled Office files (.docm, .xlsm), old binary Office files
(.doc, .xls) and anything else are refused.
"""

import io
import zipfile
from xml.etree import ElementTree

MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
)
ZIP_MAGIC = b"PK\x03\x04"
OFFICE_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
# [Content_Types].xml is a few kilobytes; a larger one is not an Office file we accept.
CONTENT_TYPES_LIMIT = 256 * 1024
_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def sniff(data: bytes) -> str | None:
    """'pdf', 'png', 'jpeg', 'docx' or 'xlsx' from the content, or None for anything else."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(ZIP_MAGIC):
        return _office_kind(data)
    return None


def _office_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > CONTENT_TYPES_LIMIT:
                return None
            with archive.open(info) as part:
                xml = part.read(CONTENT_TYPES_LIMIT + 1)
    except (KeyError, zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError):
        return None  # not a ZIP, no content types, encrypted or an unknown compression
    if len(xml) > CONTENT_TYPES_LIMIT or b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        return None  # Office never declares entities: refuse rather than expand them
    try:
        root = ElementTree.fromstring(xml)  # noqa: S314 - a DTD is refused above, so no entity is expanded
    except ElementTree.ParseError:
        return None
    kinds = {OFFICE_MAIN_PARTS.get(o.get("ContentType", "")) for o in root.iter(f"{_NS}Override")}
    kinds.discard(None)
    return kinds.pop() if len(kinds) == 1 else None
