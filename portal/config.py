"""Configuration classes, chosen by the PORTAL_CONFIG environment variable.

Secrets and the database URL come from the environment, never from code.
"""

import os
import secrets
from pathlib import Path
from types import MappingProxyType

from sqlalchemy.engine import make_url


class Config:
    # pool_pre_ping drops connections a PostgreSQL restart has killed; it is a
    # no-op cost on SQLite, so one setting serves both databases.
    SQLALCHEMY_ENGINE_OPTIONS = MappingProxyType({"pool_pre_ping": True})
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SERVICE_NAME = "Family outcomes portal"
    # A missing SECRET_KEY is fatal only where sessions must survive restarts
    # and be unforgeable; development keeps a generated key on disk instead.
    REQUIRE_SECRET_KEY_FROM_ENV = False
    PERSIST_GENERATED_SECRET_KEY = True
    # Sign-in attempts (POSTs) allowed before "Too many attempts" (portal/ratelimit.py).
    # An office behind one address signs in many people at 9am: the address limit
    # is generous, the per-account one is close to the lockout's 10.
    SIGN_IN_LIMIT_PER_ADDRESS = "30 per minute;300 per hour"
    SIGN_IN_LIMIT_PER_ACCOUNT = "15 per minute;60 per hour"
    # Requests pass through this many proxies that set X-Forwarded-For/-Proto
    # (TRUSTED_PROXY_HOPS); 0 trusts none, so the limiter sees the real peer.
    TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))
    # Background jobs (portal/jobs, docs/jobs.md). Each may be set in the environment
    # under the same name. The queue is huey's: Redis when JOBS_REDIS_URL (or else
    # REDIS_URL) is set, otherwise a SQLite file, instance/jobs-queue.sqlite3 by default.
    # Finished files go under JOBS_RESULT_DIR, instance/job-files by default.
    JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL") or os.environ.get("REDIS_URL") or ""
    JOBS_QUEUE_FILE = os.environ.get("JOBS_QUEUE_FILE") or ""
    JOBS_RESULT_DIR = os.environ.get("JOBS_RESULT_DIR") or ""
    JOBS_QUEUE_NAME = os.environ.get("JOBS_QUEUE_NAME") or "portal-jobs"
    # Run each job inside the request that asks for it (tests); workers ignore it.
    JOBS_IMMEDIATE = False
    # A running job whose worker has not reported progress for this long is taken
    # to have stopped: it is queued again, or failed after its kind's last attempt.
    JOBS_STALE_AFTER_SECONDS = int(os.environ.get("JOBS_STALE_AFTER_SECONDS", "300"))
    # Progress is written at most this often (the last step always is).
    JOBS_PROGRESS_EVERY_SECONDS = float(os.environ.get("JOBS_PROGRESS_EVERY_SECONDS", "1"))
    # Finished files hold case data: they are deleted this many days after they were built.
    JOBS_KEEP_FILES_DAYS = int(os.environ.get("JOBS_KEEP_FILES_DAYS", "7"))
    # Closure summaries (docs/closure-summary.md): the address printed in each PDF's QR
    # code (the document must not depend on which host served the download), and the
    # certificate and key that sign them (PEM file paths; unset: unsigned).
    SERVICE_URL = os.environ.get("SERVICE_URL", "http://127.0.0.1:5000")
    PDF_SIGNING_CERT = os.environ.get("PDF_SIGNING_CERT")
    PDF_SIGNING_KEY = os.environ.get("PDF_SIGNING_KEY")
    PDF_SIGNING_KEY_PASSPHRASE = os.environ.get("PDF_SIGNING_KEY_PASSPHRASE")
    DEMO_ACCOUNTS_SKIP_SECOND_FACTOR = False
    # E-mail (portal/notify, docs/notifications.md): GOV.UK Notify when NOTIFY_API_KEY is set,
    # otherwise the outbox table only (nothing leaves the machine). One Notify template per
    # kind of message, its id in NOTIFY_TEMPLATE_<KIND> (e.g. NOTIFY_TEMPLATE_EVIDENCE_RETURNED).
    NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY") or ""
    NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL") or "https://api.notifications.service.gov.uk"
    NOTIFY_BACKEND = os.environ.get("NOTIFY_BACKEND") or ("notify" if os.environ.get("NOTIFY_API_KEY") else "outbox")
    NOTIFY_TEMPLATE_IDS = MappingProxyType(
        {
            kind: os.environ.get("NOTIFY_TEMPLATE_" + kind.upper().replace("-", "_"), "")
            for kind in (
                "evidence-returned",
                "evidence-submitted",
                "verifier-query",
                "family-handed-over",
                "account-created",
                "password-reset-by-admin",
                "password-reset-link",
                "password-changed",
                "digest",
            )
        }
    )
    # The hour (UK time) at which the jobs worker sends the daily digests.
    NOTIFY_DIGEST_HOUR = int(os.environ.get("NOTIFY_DIGEST_HOUR", "7"))
    # Forgotten passwords (portal/auth/resets.py): requests per client address and per e-mail typed.
    RESET_LIMIT_PER_ADDRESS = "10 per minute;50 per hour"
    RESET_LIMIT_PER_ACCOUNT = "3 per 15 minutes;10 per day"
    # Closure summary codes (/verify/<code>): look-ups per signed-in user, and the least time a
    # refusal takes, so that a code of a family the user may not check ("not found", like an
    # unknown code) cannot be told from an unknown one by how long the answer took.
    VERIFY_LIMIT_PER_USER = "60 per minute;600 per hour"
    VERIFY_REFUSAL_SECONDS = 0.05
    # Larger requests get the styled 413 page; no form of the portal comes near it.
    # The evidence forms, which carry documents, allow DOCUMENTS_MAX_REQUEST_BYTES instead.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # Evidence documents (docs/documents.md): each file at most DOCUMENTS_MAX_FILE_MB,
    # at most DOCUMENTS_MAX_FILES a submission; a larger request is refused with a page
    # that says so. Stored under DOCUMENTS_DIR (default instance/documents) or, with
    # DOCUMENTS_STORAGE=s3, in DOCUMENTS_S3_BUCKET. Scanned by clamd at CLAMD_SOCKET
    # (default instance/clamav/clamd.sock) or CLAMD_HOST:CLAMD_PORT.
    DOCUMENTS_MAX_FILE_BYTES = int(float(os.environ.get("DOCUMENTS_MAX_FILE_MB", "10")) * 1024 * 1024)
    DOCUMENTS_MAX_FILES = int(os.environ.get("DOCUMENTS_MAX_FILES", "10"))
    DOCUMENTS_MAX_REQUEST_BYTES = int(float(os.environ.get("DOCUMENTS_MAX_REQUEST_MB", "30")) * 1024 * 1024)
    DOCUMENTS_STORAGE = os.environ.get("DOCUMENTS_STORAGE") or "filesystem"
    DOCUMENTS_DIR = os.environ.get("DOCUMENTS_DIR") or ""
    DOCUMENTS_S3_BUCKET = os.environ.get("DOCUMENTS_S3_BUCKET") or ""
    DOCUMENTS_S3_PREFIX = os.environ.get("DOCUMENTS_S3_PREFIX") or "documents/"
    DOCUMENTS_S3_ENDPOINT_URL = os.environ.get("DOCUMENTS_S3_ENDPOINT_URL") or None
    CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET") or ""
    CLAMD_HOST = os.environ.get("CLAMD_HOST") or ""
    CLAMD_PORT = int(os.environ.get("CLAMD_PORT", "3310"))
    CLAMD_TIMEOUT_SECONDS = float(os.environ.get("CLAMD_TIMEOUT_SECONDS", "30"))
    # A closure pack whose documents add up to more than this (or more than
    # CLOSURE_PACK_SYNC_MAX_DOCUMENTS files) is built as a background job.
    CLOSURE_PACK_SYNC_MAX_BYTES = int(float(os.environ.get("CLOSURE_PACK_SYNC_MAX_MB", "20")) * 1024 * 1024)
    CLOSURE_PACK_SYNC_MAX_DOCUMENTS = int(os.environ.get("CLOSURE_PACK_SYNC_MAX_DOCUMENTS", "20"))
    # One JSON object per line on stdout (portal/requestlog.py); development keeps plain lines.
    JSON_LOGS = False


class DevelopmentConfig(Config):
    DEBUG = True
    # So a newcomer can try the demo with the published password alone; never in
    # production or testing (portal/auth/two_factor.py, the sign-in page says so).
    DEMO_ACCOUNTS_SKIP_SECOND_FACTOR = True


class TestingConfig(Config):
    TESTING = True
    # Tests post forms directly; CSRF has its own tests when forms arrive.
    WTF_CSRF_ENABLED = False
    # Each test process gets a throwaway key: nothing to persist.
    PERSIST_GENERATED_SECRET_KEY = False
    # Jobs run at once, inside the request, on the real queue storage; tests that
    # need a real worker start one (tests/test_jobs_worker.py).
    JOBS_IMMEDIATE = True
    JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL") or ""  # not REDIS_URL: tests choose
    JOBS_PROGRESS_EVERY_SECONDS = float(os.environ.get("JOBS_PROGRESS_EVERY_SECONDS", "0"))
    # Tests never reach GOV.UK Notify, whatever the environment says.
    NOTIFY_BACKEND = "outbox"


class ProductionConfig(Config):
    REQUIRE_SECRET_KEY_FROM_ENV = True
    JSON_LOGS = True
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_class(name: str | None):
    name = name or os.environ.get("PORTAL_CONFIG") or "development"
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"PORTAL_CONFIG={name!r} is not one of {', '.join(sorted(CONFIGS))}") from None


def resolve_secret_key(config, instance_path: str) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if config.get("REQUIRE_SECRET_KEY_FROM_ENV"):
        raise RuntimeError("SECRET_KEY must be set in the environment in production")
    if not config.get("PERSIST_GENERATED_SECRET_KEY"):
        return secrets.token_hex(32)
    return _instance_secret_key(Path(instance_path) / "secret_key")


def _instance_secret_key(path: Path) -> str:
    # Kept on disk so development sessions survive a server restart.
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


def resolve_database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(instance_path) / 'portal.sqlite3'}"
    return normalise_database_url(url)


def normalise_database_url(url: str) -> str:
    """Point PostgreSQL URLs at the psycopg 3 driver.

    Hosting platforms hand out postgres:// or postgresql:// URLs, which
    SQLAlchemy would map to psycopg2; we only install psycopg 3.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)
