"""Closure summaries carry a PAdES signature where a certificate and key are configured, and
none (and no word about signing) where not. The tests make their own throwaway certificate."""

import datetime as dt
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from portal.closure import signing
from portal.closure.pdf import html_to_pdf
from portal.closure.summary import build
from portal.demo import load_demo
from portal.demo.people import DEMO_PASSWORD, email
from portal.extensions import db
from portal.models import Family, User
from tests.factories import sign_in

REF = "HERTS-EX-001"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("signing")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Test Council closure summaries"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Council"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return {"PDF_SIGNING_CERT": str(cert_path), "PDF_SIGNING_KEY": str(key_path)}


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo(dt.date.today())
    return app


@pytest.fixture
def signing_app(demo, certificate):
    saved = {k: demo.config.get(k) for k in certificate}
    demo.config.update(certificate)
    yield demo
    demo.config.update(saved)


def _download(app, client):
    with app.app_context():
        sign_in(client, db.session.scalar(db.select(User).filter_by(email=email("verifier"))), password=DEMO_PASSWORD)
        family_id = db.session.scalar(db.select(Family.id).filter_by(ref=REF))
    response = client.get(f"/families/{family_id}/closure-summary.pdf")
    assert response.status_code == 200
    return response.data


def _validate(pdf: bytes, certificate):
    trust = ValidationContext(trust_roots=[load_cert_from_pemder(certificate["PDF_SIGNING_CERT"])])
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    return signature, validate_pdf_signature(signature, trust)


def test_a_configured_certificate_signs_the_summary_with_pades_and_it_validates(signing_app, client, certificate):
    pdf = _download(signing_app, client)
    signature, status = _validate(pdf, certificate)
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.signing_cert.subject.native["common_name"] == "Test Council closure summaries"


def test_the_signed_file_begins_with_the_reproducible_unsigned_document(signing_app, client, certificate):
    signed = _download(signing_app, client)
    with signing_app.test_request_context():
        unsigned = html_to_pdf(build(db.session.scalar(db.select(Family).filter_by(ref=REF))).html)
    assert signed.startswith(unsigned) and len(signed) > len(unsigned)


def test_one_changed_byte_breaks_the_signature(signing_app, client, certificate):
    pdf = bytearray(_download(signing_app, client))
    # A byte of the document itself (the first revision), well inside the signed range.
    where = pdf.index(b"/Lang")
    pdf[where + 1] = ord("l")  # /Lang -> /lang
    _, status = _validate(bytes(pdf), certificate)
    assert not status.intact and not status.bottom_line  # the document digest no longer matches


def test_without_a_certificate_the_summary_is_unsigned_and_says_nothing_about_signing(demo, client):
    assert not signing.configured(demo.config)
    pdf = _download(demo, client)
    assert PdfFileReader(io.BytesIO(pdf)).embedded_signatures == []
    assert b"/Sig" not in pdf and b"signed" not in pdf.lower()


def test_half_a_configuration_signs_nothing(demo):
    assert not signing.configured({"PDF_SIGNING_CERT": "/x.pem"})
    assert signing.sign(b"%PDF-1.7 test", {"PDF_SIGNING_KEY": "/y.pem"}) == b"%PDF-1.7 test"
