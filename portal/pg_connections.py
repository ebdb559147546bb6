"""PostgreSQL connections that keep their prepared statements after a request that only read.

psycopg prepares a statement on the server once a connection has run it five times, so
PostgreSQL stops planning it again. But psycopg forgets every prepared statement whenever its
connection rolls back, and sends `DEALLOCATE ALL`. SQLAlchemy rolls back every connection it is
given back: at the end of each request (the session is closed) and again as the pool takes the
connection back. A request that commits leaves nothing to roll back; one that only reads (a
page that records no audit row, the partner's later live checks, every signed-in page's
navigation before the view commits) does. So, on a worker that served reads, no statement was
ever prepared, and every statement of every request was planned again: planning the
navigation's to-do count (a recursive query) took longer than running it, and loading the
session took 1.0 ms where the round trip takes 0.3 (docs/performance.md, "Run 11").

A transaction that ran only SELECTs changes nothing, so ending it with COMMIT is the same as
ending it with ROLLBACK, except that psycopg keeps its prepared statements. This connection
does that, and only that: it ends a transaction with COMMIT in place of ROLLBACK when every
statement run in it was a SELECT compiled by SQLAlchemy (`_only_reads`). Anything else, in any
doubt, is a write: an INSERT, UPDATE or DELETE, text SQL, DDL, a savepoint, a SELECT with a
data-modifying CTE. A transaction with a write, or a failed one, is rolled back as before.
SQLAlchemy still sees a rollback (its events and the tests' commit counts do not change).
Locks taken by a SELECT (FOR UPDATE, advisory transaction locks) are released by COMMIT as by
ROLLBACK. The one SELECT whose effect COMMIT would keep is one calling a function that changes
the session (`set_config(..., false)`); the portal calls none.

Every statement the portal runs goes through SQLAlchemy, so it passes `_note_writes` first. Code
that writes through a raw DBAPI cursor of a pooled PostgreSQL connection would bypass it: do not
(docs/developing.md, "PostgreSQL connections").
"""

from __future__ import annotations

import psycopg
from psycopg import pq
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql import CompoundSelect, Select
from sqlalchemy.sql.dml import UpdateBase


class KeepsPreparedStatements(psycopg.Connection):
    """A psycopg connection whose read-only transactions end with COMMIT (see the module)."""

    wrote = False  # set by _note_writes before any statement that is not a plain SELECT runs

    def rollback(self) -> None:
        only_read = not self.wrote and self.pgconn.transaction_status == pq.TransactionStatus.INTRANS
        self.wrote = False
        if only_read:
            super().commit()
        else:
            super().rollback()

    def commit(self) -> None:
        self.wrote = False
        super().commit()


def _only_reads(context) -> bool:
    compiled = getattr(context, "compiled", None)
    if compiled is None or context.isinsert or context.isupdate or context.isdelete:
        return False
    if not isinstance(compiled.statement, Select | CompoundSelect):
        return False
    return not any(isinstance(cte.element, UpdateBase) for cte in getattr(compiled, "ctes", None) or ())


@event.listens_for(Engine, "do_connect")
def _connect(dialect, _record, cargs, cparams):
    if dialect.driver == "psycopg" and not dialect.is_async:
        return KeepsPreparedStatements.connect(*cargs, **cparams)
    return None


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, _cursor, _statement, _parameters, context, _executemany):
    dbapi = conn.connection.dbapi_connection
    if isinstance(dbapi, KeepsPreparedStatements) and not dbapi.wrote and not _only_reads(context):
        dbapi.wrote = True
