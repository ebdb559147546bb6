"""Where documents' bytes are kept: outside the web root, content-addressed by sha256.

`storage(app)` gives the configured store:
- `DOCUMENTS_STORAGE=filesystem` (default): files under DOCUMENTS_DIR (default
  instance/documents/), at <sha256[:2]>/<sha256>. Written to a temporary file and
  renamed into place, so a reader never sees half a file.
- `DOCUMENTS_STORAGE=s3`: an S3-compatible bucket (AWS, MinIO, Ceph...) through boto3
  (`pip install -e '.[s3]'`): DOCUMENTS_S3_BUCKET, DOCUMENTS_S3_PREFIX (default
  "documents/"), DOCUMENTS_S3_ENDPOINT_URL for a non-AWS service; credentials the boto3
  way (environment, instance role). Tested against moto's S3 server: docs/documents.md.

Content addressing: the same bytes are stored once however many rows name them (a
correction that keeps a file adds a row, not a copy), and a key can never be made to
point at other bytes. Nothing is ever deleted by the portal (documents are append-only).
"""

import hashlib
import os
import tempfile
from pathlib import Path


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checked(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256 hex digest")
    return sha256


class FilesystemStorage:
    def __init__(self, root):
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        sha256 = _checked(sha256)
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        sha256 = digest(data)
        path = self._path(sha256)
        if path.is_file():
            return sha256
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha256

    def get(self, sha256: str) -> bytes:
        return self._path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()


class S3Storage:
    def __init__(self, bucket: str, prefix: str = "documents/", endpoint_url: str | None = None):
        import boto3  # the s3 extra: pip install -e '.[s3]'

        self.bucket, self.prefix = bucket, prefix
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None)

    def _key(self, sha256: str) -> str:
        return f"{self.prefix}{_checked(sha256)}"

    def put(self, data: bytes) -> str:
        sha256 = digest(data)
        if not self.exists(sha256):
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._key(sha256),
                Body=data,
                ContentType="application/octet-stream",
                ServerSideEncryption="AES256",
            )
        return sha256

    def get(self, sha256: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))["Body"].read()

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise


def storage(app):
    config = app.config
    if (config.get("DOCUMENTS_STORAGE") or "filesystem") == "s3":
        return S3Storage(
            config["DOCUMENTS_S3_BUCKET"],
            config.get("DOCUMENTS_S3_PREFIX") or "documents/",
            config.get("DOCUMENTS_S3_ENDPOINT_URL"),
        )
    return FilesystemStorage(config.get("DOCUMENTS_DIR") or Path(app.instance_path) / "documents")
