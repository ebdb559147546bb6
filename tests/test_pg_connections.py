"""A request that only read keeps PostgreSQL's prepared statements; a transaction that wrote is still rolled back.

portal/pg_connections.py ends a read-only transaction with COMMIT where SQLAlchemy asks for a
ROLLBACK, because psycopg forgets its prepared statements on every ROLLBACK. The first test shows
what that buys; the others try to make it save something that was never committed.
"""

import pytest
import sqlalchemy as sa
from psycopg import pq

from portal import create_app
from portal.extensions import db
from portal.models import Agency
from portal.pg_connections import engine_options
from tests import factories as f
from tests.conftest import jobs_paths


def _agencies_named(app, name) -> int:
    """Rows with this name, read on a connection of its own (what another request would see)."""
    with app.app_context(), db.engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(Agency).where(Agency.name == name))


@pytest.fixture
def one_connection_app(app, tmp_path):
    """The portal with a pool of one connection, so every request below runs on the same one."""
    one = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0, "pool_pre_ping": True},
            **jobs_paths(tmp_path),
        },
    )
    yield one
    with one.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_signed_in_page_that_only_reads_keeps_its_statements_prepared(one_connection_app, people):
    with one_connection_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("prepared statements are psycopg's, on PostgreSQL (CI runs this test there)")
    client = one_connection_app.test_client()
    f.sign_in(client, people["lead_professional"])
    for _ in range(8):  # psycopg prepares a statement on its fifth run on a connection
        assert client.get("/cookies").status_code == 200
    with one_connection_app.app_context():
        prepared = db.session.scalars(sa.text("SELECT statement FROM pg_prepared_statements")).all()
        db.session.rollback()
    # Loading the signed-in session, run once by every request: prepared, so no longer planned each time.
    assert any("FROM user_session" in statement for statement in prepared), prepared


def _left_without_commit(app, write) -> None:
    with app.app_context():
        write()
        db.session.remove()  # what the end of a request does: close the session, which rolls back


def test_an_orm_change_flushed_but_not_committed_is_not_saved(app):
    def write():
        db.session.scalar(sa.select(sa.func.count()).select_from(Agency))  # a read first
        db.session.add(Agency(name="Flushed, never committed", kind="school"))
        db.session.flush()

    _left_without_commit(app, write)
    assert _agencies_named(app, "Flushed, never committed") == 0


def test_a_core_insert_not_committed_is_not_saved(app):
    _left_without_commit(app, lambda: db.session.execute(sa.insert(Agency).values(name="Core insert", kind="school")))
    assert _agencies_named(app, "Core insert") == 0


def test_text_sql_not_committed_is_not_saved(app):
    insert = sa.text("INSERT INTO agency (name, kind, created_at) VALUES ('Text insert', 'school', CURRENT_TIMESTAMP)")
    _left_without_commit(app, lambda: db.session.execute(insert))
    assert _agencies_named(app, "Text insert") == 0


def test_a_select_whose_cte_inserts_is_a_write_and_is_not_saved(app):
    def write():
        if db.engine.dialect.name == "sqlite":  # SQLite has no data-modifying CTEs; the same insert, plainly
            db.session.execute(sa.insert(Agency).values(name="Inserted by a CTE", kind="school"))
            return
        added = sa.insert(Agency).values(name="Inserted by a CTE", kind="school").returning(Agency.id).cte("added")
        assert db.session.scalar(sa.select(added.c.id)) is not None

    _left_without_commit(app, write)
    assert _agencies_named(app, "Inserted by a CTE") == 0


def test_a_write_after_many_reads_in_one_transaction_is_not_saved(app):
    def write():
        for _ in range(10):
            db.session.scalar(sa.select(Agency.id).limit(1))
        db.session.execute(sa.update(Agency).values(name="Renamed, never committed"))

    with app.app_context():
        f.make_agency("Kept as it was")
    _left_without_commit(app, write)
    assert _agencies_named(app, "Kept as it was") == 1
    assert _agencies_named(app, "Renamed, never committed") == 0


def test_a_failed_transaction_is_rolled_back_and_the_connection_works_again(app):
    with app.app_context():
        f.make_agency("Only once")
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.text("SELECT no_such_column FROM agency"))
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Agency).where(Agency.name == "Only once")) == 1
        db.session.remove()


def test_a_read_only_transaction_then_a_committed_write_saves_the_write_once(app):
    with app.app_context():
        db.session.scalar(sa.select(sa.func.count()).select_from(Agency))
        db.session.remove()  # read only: ended (with COMMIT on PostgreSQL)
        db.session.add(Agency(name="Saved once", kind="school"))
        db.session.commit()
        db.session.remove()
    assert _agencies_named(app, "Saved once") == 1


# -- The BEGIN is the ping (portal/pg_connections.py) ------------------------------------------


def _postgresql_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the BEGIN at checkout is psycopg's, on PostgreSQL (CI runs this test there)")


def _backend_pid(app) -> int:
    with app.app_context():
        pid = db.session.connection().connection.dbapi_connection.info.backend_pid
        db.session.remove()
    return pid


def _as_owner(app):
    return sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")


def test_sqlalchemys_own_ping_is_off_only_where_the_begin_stands_in_for_it():
    on = {"pool_pre_ping": True, "pool_size": 3}
    assert engine_options("postgresql+psycopg://u@h/db", on) == {"pool_pre_ping": False, "pool_size": 3}
    assert engine_options("sqlite:///x.sqlite3", on) == on
    assert engine_options("postgresql+psycopg2://u@h/db", on) == on  # another driver: SQLAlchemy's ping stays
    assert engine_options("postgresql+psycopg://u@h/db", {}) == {}  # no ping asked for, none added
    # An engine of another isolation level is begun by psycopg (below): SQLAlchemy's ping stays.
    serializable = {"pool_pre_ping": True, "isolation_level": "SERIALIZABLE"}
    assert engine_options("postgresql+psycopg://u@h/db", serializable) == serializable
    by_option = {"pool_pre_ping": True, "execution_options": {"isolation_level": "REPEATABLE READ"}}
    assert engine_options("postgresql+psycopg://u@h/db", by_option) == by_option


def test_a_connection_postgresql_closed_is_replaced_before_a_request_uses_it(one_connection_app, people):
    """What pool_pre_ping did: a restart or failover closes every connection; the next request still works."""
    _postgresql_only(one_connection_app)
    client = one_connection_app.test_client()
    f.sign_in(client, people["lead_professional"])
    assert client.get("/cookies").status_code == 200
    closed = _backend_pid(one_connection_app)
    owner = _as_owner(one_connection_app)
    try:
        with owner.connect() as conn:
            assert conn.scalar(sa.select(sa.func.pg_terminate_backend(closed)))
    finally:
        owner.dispose()
    assert client.get("/cookies").status_code == 200
    assert _backend_pid(one_connection_app) != closed


def test_the_transaction_is_begun_as_the_connection_is_taken_and_psycopg_begins_none_of_its_own(app):
    _postgresql_only(app)
    with app.app_context(), db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw.pgconn.transaction_status == pq.TransactionStatus.INTRANS  # before any statement
        notices = []
        raw.add_notice_handler(lambda notice: notices.append(notice.message_primary))
        assert conn.scalar(sa.select(sa.literal(1))) == 1
        assert conn.scalar(sa.text("SELECT txid_current_if_assigned() IS NULL"))  # the same, unwritten transaction
        # A second BEGIN would have warned "there is already a transaction in progress".
        assert notices == []


def test_an_autocommit_engine_is_left_in_autocommit(app):
    """Each statement stands alone: nothing is left open, uncommitted, by a BEGIN at checkout."""
    _postgresql_only(app)
    owner = _as_owner(app)
    try:
        with owner.connect() as conn:
            assert conn.connection.dbapi_connection.pgconn.transaction_status == pq.TransactionStatus.IDLE
            conn.execute(sa.insert(Agency).values(name="Saved without a commit", kind="school"))
            assert _agencies_named(app, "Saved without a commit") == 1  # seen from another connection at once
    finally:
        owner.dispose()


@pytest.mark.parametrize("level", ["AUTOCOMMIT", "SERIALIZABLE", "REPEATABLE READ"])
def test_a_connection_may_still_change_its_isolation_level_once_taken(app, level):
    """psycopg refuses to change it inside a transaction: the one begun at checkout, unused, is ended first."""
    _postgresql_only(app)
    with app.app_context():
        with db.engine.connect().execution_options(isolation_level=level) as conn:
            shown = conn.scalar(sa.text("SHOW transaction_isolation"))
            conn.execute(sa.insert(Agency).values(name=f"Written at {level}", kind="school"))
            if level != "AUTOCOMMIT":
                assert shown == level.lower()
                conn.commit()
        assert _agencies_named(app, f"Written at {level}") == 1
        with db.engine.connect() as conn:  # the pooled connection comes back at the default level, begun
            assert conn.scalar(sa.text("SHOW transaction_isolation")) == "read committed"


@pytest.mark.parametrize("level", ["SERIALIZABLE", "REPEATABLE READ"])
def test_an_engine_set_to_another_isolation_level_begins_at_that_level(app, level):
    """A plain BEGIN would start the server's default (read committed): such a connection is left to psycopg."""
    _postgresql_only(app)
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level=level)
    try:
        for _ in range(2):  # a fresh connection, then the same one again from the pool
            with engine.connect() as conn:
                assert conn.scalar(sa.text("SHOW transaction_isolation")) == level.lower()
    finally:
        engine.dispose()
