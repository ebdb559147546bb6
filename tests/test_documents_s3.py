"""Documents kept in S3-compatible storage (DOCUMENTS_STORAGE=s3), against a real S3 HTTP API:
moto's server, started here on a free loopback port (boto3 and moto are development
dependencies; in production boto3 is installed where S3 is used, docs/documents.md).

The same journeys as the filesystem store: a partner's upload lands in the bucket (and not on
disk), is downloaded byte for byte, is stored once however often it is attached, and bytes
changed in the bucket are not served."""

import hashlib
import socket

import pytest

from portal.documents.storage import S3Storage, storage
from portal.models import EvidenceDocument
from tests import factories as f
from tests.test_documents import PDF, rows, stored_files, submit, upload
from tests.test_evidence import durham  # noqa: F401  (the fixture)

BUCKET = "portal-documents"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(app, s3_server, monkeypatch):
    """The app's documents in a fresh bucket of the S3 server (credentials as boto3 reads them)."""
    import boto3

    for name, value in (
        ("AWS_ACCESS_KEY_ID", "portal-tests"),
        ("AWS_SECRET_ACCESS_KEY", "portal-tests-secret"),
        ("AWS_DEFAULT_REGION", "eu-west-2"),
    ):
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_server)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    saved = dict(app.config)
    app.config.update(DOCUMENTS_STORAGE="s3", DOCUMENTS_S3_BUCKET=BUCKET, DOCUMENTS_S3_ENDPOINT_URL=s3_server)
    yield client
    app.config.clear()
    app.config.update(saved)
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_the_store_keeps_bytes_by_checksum_once_and_encrypted(app, s3):
    store = storage(app)
    assert isinstance(store, S3Storage)
    sha = store.put(PDF)
    assert sha == hashlib.sha256(PDF).hexdigest()
    assert store.put(PDF) == sha  # the same bytes again: still one object
    assert keys(s3) == [f"documents/{sha}"]
    assert store.get(sha) == PDF
    assert store.exists(sha) and not store.exists("0" * 64)
    assert s3.head_object(Bucket=BUCKET, Key=f"documents/{sha}")["ServerSideEncryption"] == "AES256"
    with pytest.raises(ValueError):
        store.get("../../etc/passwd")  # only a sha256 names an object


def test_a_partners_upload_lands_in_the_bucket_not_on_disk_and_downloads_byte_for_byte(app, client, people, durham, s3):
    f.sign_in(client, people["partner"])
    assert submit(client, durham, upload(PDF, "letter.pdf")).status_code == 302
    (doc,) = rows(app, EvidenceDocument)
    assert keys(s3) == [f"documents/{doc.sha256}"]
    assert stored_files(app) == []  # nothing under DOCUMENTS_DIR
    response = client.get(f"{durham.url}/{doc.evidence_id}/documents/{doc.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"] == 'attachment; filename="letter.pdf"'


def test_bytes_changed_in_the_bucket_are_not_served(app, client, people, durham, s3):
    f.sign_in(client, people["partner"])
    assert submit(client, durham, upload(PDF, "letter.pdf")).status_code == 302
    (doc,) = rows(app, EvidenceDocument)
    s3.put_object(Bucket=BUCKET, Key=f"documents/{doc.sha256}", Body=PDF.replace(b"Catalog", b"Catalox"))
    response = client.get(f"{durham.url}/{doc.evidence_id}/documents/{doc.id}")
    assert response.status_code != 200 and b"Catalox" not in response.data
