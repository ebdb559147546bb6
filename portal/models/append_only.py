"""Tables whose rows are never updated or deleted, and what enforces it.

TABLES is the one list. Three things read it:
- the ORM guard below, which refuses an update or delete at flush with a clear
  error (AppendOnlyError) before anything reaches the database;
- database triggers (BEFORE UPDATE OR DELETE, and on PostgreSQL BEFORE TRUNCATE)
  that refuse what never flushes: bulk UPDATE/DELETE from the ORM, Core or plain
  SQL. Migrations install them with install_append_only_triggers(op, "table");
  db.create_all() installs them too (the after_create hook below), so the tests'
  tables are guarded exactly like migrated ones;
- portal/dbroles.py, which grants the web app's PostgreSQL role only INSERT and
  SELECT on them.

To protect a new table: add its name to TABLES, and in the migration that
creates it call install_append_only_triggers(op, "new_table") after creating it
(docs/developing.md, "Append-only data").
"""

from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db

TABLES = (
    "audit_event",
    "evidence",
    "evidence_review",
    "evidence_document",
    "case_closure",
    "essential_record",
    "family_plan_outcome",
    "member_departure",
    "closure_summary",
    # Claims (issue 10): everything but the per-phase lock row, which is a counter.
    "claim_window",
    "claim_window_plan",
    "claim",
    "claim_line",
    "claim_line_member",
    "claim_line_exit",
    "claim_sample",
    "claim_line_decision",
    "claim_query_answer",
    "claim_approval",
    "claim_submission",
    "claim_file",
)

_FUNCTION = "append_only_refuse"
_MESSAGE = "rows are append-only; add a new row instead"


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_changes(session, _context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if _protected(obj) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError(f"{type(obj).__name__} {_MESSAGE}")


def _protected(obj) -> bool:
    table = getattr(type(obj), "__table__", None)
    return table is not None and table.name in TABLES


# -- triggers ----------------------------------------------------------------------------------
# No "%" and no ":name" in these statements, so they pass unchanged through any driver and
# through Alembic's op.execute (which reads ":name" as a parameter).


def _postgresql_function() -> str:
    return f"""CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
        MESSAGE = TG_TABLE_NAME || ' {_MESSAGE} (' || TG_OP || ' refused)';
END
$$"""


def _trigger_names(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [f"{table}_append_only", f"{table}_append_only_truncate"]
    return [f"{table}_append_only_update", f"{table}_append_only_delete"]


def install_statements(dialect: str, table: str) -> list[str]:
    """SQL that (re)creates the table's triggers; safe to run again."""
    drops = drop_statements(dialect, table)
    if dialect == "postgresql":
        row, truncate = _trigger_names(dialect, table)
        on_rows = f"BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW"
        on_truncate = f"BEFORE TRUNCATE ON {table} FOR EACH STATEMENT"
        return [
            _postgresql_function(),
            *drops,
            f"CREATE TRIGGER {row} {on_rows} EXECUTE FUNCTION {_FUNCTION}()",
            f"CREATE TRIGGER {truncate} {on_truncate} EXECUTE FUNCTION {_FUNCTION}()",
        ]
    if dialect == "sqlite":
        update, delete = _trigger_names(dialect, table)
        refuse = f"BEGIN SELECT RAISE(ABORT, '{table} {_MESSAGE}'); END"
        return [
            *drops,
            f"CREATE TRIGGER {update} BEFORE UPDATE ON {table} {refuse}",
            f"CREATE TRIGGER {delete} BEFORE DELETE ON {table} {refuse}",
        ]
    # The portal runs on SQLite and PostgreSQL only (README); refuse anything else loudly
    # rather than create tables whose records could be rewritten.
    raise RuntimeError(
        f"the portal supports SQLite and PostgreSQL only, not {dialect}: append-only records could not be enforced"
    )


def drop_statements(dialect: str, table: str) -> list[str]:
    on = f" ON {table}" if dialect == "postgresql" else ""
    return [f"DROP TRIGGER IF EXISTS {name}{on}" for name in _trigger_names(dialect, table)]


def _run(target, statements):
    """Run statements on an Alembic `op` or a SQLAlchemy Connection."""
    for statement in statements:
        if hasattr(target, "get_bind"):
            target.execute(statement)
        else:
            target.exec_driver_sql(statement)


def _dialect(target) -> str:
    bind = target.get_bind() if hasattr(target, "get_bind") else target
    return bind.dialect.name


def install_append_only_triggers(target, *tables):
    """Make the tables refuse UPDATE and DELETE (target: Alembic's `op`, or a Connection)."""
    for table in tables:
        _run(target, install_statements(_dialect(target), table))


def drop_append_only_triggers(target, *tables):
    for table in tables:
        _run(target, drop_statements(_dialect(target), table))


def drop_append_only_function(target):
    """PostgreSQL: drop the triggers' function (once no trigger uses it)."""
    if _dialect(target) == "postgresql":
        _run(target, [f"DROP FUNCTION IF EXISTS {_FUNCTION}()"])


def installed_triggers(connection) -> set[tuple[str, str]]:
    """(table, trigger) pairs of the append-only triggers in the database (for checks and tests)."""
    if connection.dialect.name == "postgresql":
        query = (
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND c.relnamespace = current_schema()::regnamespace"
        )
    else:
        query = "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"
    return {
        (table, name)
        for table, name in connection.exec_driver_sql(query)
        if name in _trigger_names(connection.dialect.name, table)
    }


def expected_triggers(dialect: str, tables=TABLES) -> set[tuple[str, str]]:
    return {(table, name) for table in tables for name in _trigger_names(dialect, table)}


def present_tables(target) -> list[str]:
    """The protected tables that exist (a migration protects those created so far)."""
    bind = target.get_bind() if hasattr(target, "get_bind") else target
    existing = set(sa.inspect(bind).get_table_names())
    return [table for table in TABLES if table in existing]


@event.listens_for(db.metadata, "after_create")
def _install_on_create_all(_metadata, connection, tables=(), **_kw):
    # create_all() passes the tables it created; the triggers go with them.
    created = {table.name for table in tables}
    install_append_only_triggers(connection, *[name for name in TABLES if name in created])


# -- the owner's way round them -----------------------------------------------------------------


@contextmanager
def triggers_lifted(connection):
    """Drop the triggers for the rest of connection's transaction, and put them back at its end.

    For emptying a whole database only: the tests' cleanup and the demo's --reset. It is DDL,
    so only the tables' owner can do it (on PostgreSQL the web app runs as a role that is not,
    docs/database-roles.md), and it refuses to run while a web request is being handled. It all
    happens in the caller's transaction, so other connections never see the tables unguarded
    and a failure puts the triggers back with the rollback.
    """
    from flask import has_request_context

    if has_request_context():
        raise AppendOnlyError("append-only triggers are never lifted while serving a request")
    dialect = connection.dialect.name
    if dialect == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        # pysqlite runs DDL outside a transaction unless one is open: open one, so the
        # drops are undone by a rollback like everything else.
        connection.exec_driver_sql("BEGIN")
    if dialect == "postgresql":
        # Fail rather than wait for ever behind a forgotten open transaction.
        connection.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
    tables = present_tables(connection)
    drop_append_only_triggers(connection, *tables)
    yield
    install_append_only_triggers(connection, *tables)
