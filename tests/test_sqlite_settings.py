"""The SQLite file's settings (portal/extensions.py, docs/developing.md "SQLite").

A write never makes a read wait (write-ahead log), and a commit is on disk before it is
acknowledged (synchronous FULL), as PostgreSQL's commits are.
"""

import contextlib
import sqlite3
import threading

import sqlalchemy as sa

from portal import create_app
from portal.extensions import SQLITE_BUSY_TIMEOUT_MS, db
from portal.models import Family
from tests.conftest import jobs_paths


def _app(path):
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", **jobs_paths(path.parent)})


def test_every_connection_writes_ahead_and_commits_to_disk_even_on_a_file_made_before(tmp_path):
    path = tmp_path / "made-before.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as made_before:  # a file from before: SQLite's rollback journal
        assert made_before.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    app = _app(path)
    with app.app_context():
        db.create_all()
        for _ in range(2):  # a new connection each time, not one kept
            with db.engine.connect() as connection:
                pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
                assert pragma("journal_mode") == "wal"
                assert pragma("synchronous") == 2  # FULL: the log is synced at every commit
                assert pragma("foreign_keys") == 1
                assert pragma("busy_timeout") == SQLITE_BUSY_TIMEOUT_MS
            db.engine.dispose()


def test_a_read_does_not_wait_while_another_request_holds_the_write_lock(tmp_path):
    path = tmp_path / "portal.sqlite3"
    app = _app(path)
    with app.app_context():
        db.create_all()
    writer = sqlite3.connect(path, isolation_level=None, timeout=0)
    read = []

    def read_families():
        with app.app_context():
            read.append(db.session.scalar(sa.select(sa.func.count()).select_from(Family)))
            db.session.remove()

    writer.execute("BEGIN EXCLUSIVE")  # another request's write, from its first change to its commit
    try:
        reader = threading.Thread(target=read_families, daemon=True)
        reader.start()
        reader.join(5)
        assert read == [0], "the read waited for the write lock (rollback journal, not the write-ahead log)"
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        reader.join(60)
