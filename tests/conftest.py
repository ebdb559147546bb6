"""Shared fixtures (flaskr style): `app` and `client`, on every test database.

Tests that take `app` run once per database: always SQLite (a temp file), and
PostgreSQL too when TEST_DATABASE_URL is set (.ci/run sets it). Each database
gets its tables created once per session, in a throwaway schema on PostgreSQL;
tables are emptied after each test, which is much faster than re-creating them.
The app is shared within a session, so a test that needs other config should
build its own with create_app().
"""

import os
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.config import normalise_database_url
from portal.extensions import db


def _database_kinds():
    kinds = ["sqlite"]
    if os.environ.get("TEST_DATABASE_URL"):
        kinds.append("postgresql")
    return kinds


DATABASES = _database_kinds()


@contextmanager
def fresh_database(kind, tmp_path):
    """Yield the URL of an empty database of the given kind; remove it afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
    else:
        with _fresh_postgresql_schema(os.environ["TEST_DATABASE_URL"]) as url:
            yield url


@contextmanager
def _fresh_postgresql_schema(base_url):
    # A schema of its own per run keeps tests apart from each other, from the
    # developer's data and from concurrent runs on the same database.
    base_url = normalise_database_url(base_url)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory):
    with fresh_database(request.param, tmp_path_factory.mktemp(request.param)) as url:
        yield url


def jobs_paths(folder) -> dict:
    """Keep the job queue and job files of a test app out of the developer's instance/."""
    return {"JOBS_QUEUE_FILE": str(folder / "jobs-queue.sqlite3"), "JOBS_RESULT_DIR": str(folder / "job-files")}


@pytest.fixture(scope="session")
def _session_app(database_url, tmp_path_factory):
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            **jobs_paths(tmp_path_factory.mktemp("jobs")),
            "DOCUMENTS_DIR": str(tmp_path_factory.mktemp("documents")),
        },
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        # Close pooled connections before the schema is dropped.
        db.engine.dispose()


@pytest.fixture
def app(_session_app):
    from portal.audit import live
    from portal.ratelimit import limiter

    yield _session_app
    with _session_app.app_context():
        live.forget()  # live checks counted and not yet saved belong to this test's rows
        _empty_all_tables()
        limiter.reset()  # rate-limit counts are per test, like the tables


def _empty_all_tables():
    from portal.models.append_only import triggers_lifted

    db.session.remove()
    # The append-only triggers refuse these deletes: the tables' owner (the tests) drops
    # them for this one transaction and puts them back (docs/database-roles.md).
    with db.engine.begin() as conn, triggers_lifted(conn):
        # Children before parents, so foreign keys never block a delete.
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(params=DATABASES)
def empty_database_url(request, tmp_path):
    """An empty database per test (for migrations), on each test database."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def people(app):
    """An agency of each usual kind and one user per role (partner at the school)."""
    from tests import factories as f

    with app.app_context():
        school = f.make_agency("Hillside Primary School", "school")
        police = f.make_agency("County Police", "police")
        users = {
            "admin": f.make_user("admin"),
            "lead_professional": f.make_user("lead_professional"),
            "verifier": f.make_user("verifier"),
            "programme_manager": f.make_user("programme_manager"),
            "partner": f.make_user("partner", school),
            "police_partner": f.make_user("partner", police),
        }
        return {"school": school, "police": police, **users}
