"""A PAdES signature on the closure summary, where the council has a signing certificate.

Configured by PDF_SIGNING_CERT and PDF_SIGNING_KEY (PEM file paths; the key's
passphrase, if any, in PDF_SIGNING_KEY_PASSPHRASE), from the environment, never in
code. With none configured the PDF is left unsigned and says nothing about signing.

The signature is an incremental update appended to the reproducible, unsigned
document: it carries its own signing time, so signed files differ from one download
to the next, but the unsigned revision inside each one is byte for byte the document
the verification code was made from (docs/closure-summary.md).
"""

from __future__ import annotations

import io
from functools import cache


def configured(config) -> bool:
    return bool(config.get("PDF_SIGNING_CERT") and config.get("PDF_SIGNING_KEY"))


@cache
def _signer(cert_path: str, key_path: str, passphrase: str | None):
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load(key_path, cert_path, key_passphrase=passphrase.encode() if passphrase else None)
    if signer is None:
        raise RuntimeError("PDF_SIGNING_CERT / PDF_SIGNING_KEY could not be loaded")
    return signer


def sign(pdf: bytes, config, reason: str = "Closure summary") -> bytes:
    """The PDF with a PAdES (ETSI.CAdES.detached) signature appended, if signing is configured."""
    if not configured(config):
        return pdf
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = _signer(config["PDF_SIGNING_CERT"], config["PDF_SIGNING_KEY"], config.get("PDF_SIGNING_KEY_PASSPHRASE"))
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="Signature", reason=reason, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()
