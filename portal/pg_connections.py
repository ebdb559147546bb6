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

**The BEGIN is the ping.** Each request takes a connection from the pool, and the pool first
proves it alive (SQLAlchemy's `pool_pre_ping`: a `SELECT 1`, one round trip), so that a
connection PostgreSQL closed (a restart, a failover) is replaced rather than failing the
request. psycopg then begins the request's transaction with a `BEGIN` of its own: a second
round trip, before the first statement. Here the `BEGIN` is sent as the connection is taken
(`_begin_at_checkout`): it proves the connection alive as the ping did (a dead one raises, and
the pool replaces it and every connection made before it, as after a failed ping), and psycopg,
finding the transaction begun, sends none. One round trip a request fewer, on every path. Only
on a connection with psycopg's defaults (no isolation level, read-only or deferrable of its own:
the portal sets none), whose BEGIN psycopg would have sent as plain `BEGIN` too.
`engine_options` turns SQLAlchemy's own ping off for these connections, where this one stands
in for it. A connection in autocommit mode is left alone; one whose mode is changed before it
ran anything ends the unused transaction first (`_end_unused_transaction`), since psycopg
refuses to change it inside one.
"""

from __future__ import annotations

from collections.abc import Mapping

import psycopg
from psycopg import pq
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import Pool
from sqlalchemy.sql import CompoundSelect, Select
from sqlalchemy.sql.dml import UpdateBase


class KeepsPreparedStatements(psycopg.Connection):
    """A psycopg connection whose read-only transactions end with COMMIT (see the module)."""

    wrote = False  # set by _note_writes before any statement that is not a plain SELECT runs
    unused = False  # a transaction begun at checkout in which nothing has run yet

    def rollback(self) -> None:
        only_read = not self.wrote and self.pgconn.transaction_status == pq.TransactionStatus.INTRANS
        self.wrote = self.unused = False
        if only_read:
            super().commit()
        else:
            super().rollback()

    def commit(self) -> None:
        self.wrote = self.unused = False
        super().commit()

    def begin(self) -> None:
        """Send BEGIN now, in one round trip; raise psycopg.OperationalError if the connection is dead.

        libpq's own call, so psycopg adds no BEGIN of its own first; psycopg reads the
        transaction's status from libpq before each statement, so it sends none after either.
        """
        result = self.pgconn.exec_(b"BEGIN")
        if result.status != pq.ExecStatus.COMMAND_OK:
            message = (result.error_message or self.pgconn.error_message or b"").decode("utf-8", "replace")
            raise psycopg.OperationalError(f"BEGIN failed: {message.strip() or 'no answer'}")
        self.unused = True

    def _end_unused_transaction(self) -> None:
        if self.unused and self.pgconn.transaction_status == pq.TransactionStatus.INTRANS:
            self.commit()  # nothing ran in it: COMMIT keeps the prepared statements, ends it all the same

    # psycopg refuses to change these inside a transaction; the one begun at checkout had nothing in it.
    @psycopg.Connection.autocommit.setter  # type: ignore[attr-defined]
    def autocommit(self, value: bool) -> None:
        self._end_unused_transaction()
        psycopg.Connection.autocommit.fset(self, value)  # type: ignore[attr-defined]

    @psycopg.Connection.isolation_level.setter  # type: ignore[attr-defined]
    def isolation_level(self, value) -> None:
        self._end_unused_transaction()
        psycopg.Connection.isolation_level.fset(self, value)  # type: ignore[attr-defined]

    @psycopg.Connection.read_only.setter  # type: ignore[attr-defined]
    def read_only(self, value) -> None:
        self._end_unused_transaction()
        psycopg.Connection.read_only.fset(self, value)  # type: ignore[attr-defined]

    @psycopg.Connection.deferrable.setter  # type: ignore[attr-defined]
    def deferrable(self, value) -> None:
        self._end_unused_transaction()
        psycopg.Connection.deferrable.fset(self, value)  # type: ignore[attr-defined]


def engine_options(url: str, options: Mapping) -> dict:
    """The engine's options for `url`: on PostgreSQL through psycopg, the BEGIN at checkout is the ping
    (the module says why), so SQLAlchemy's own pre-ping is turned off; anywhere else, unchanged."""
    out = dict(options)
    parsed = make_url(url)
    begins_at_checkout = (
        parsed.get_backend_name() == "postgresql"
        and parsed.get_driver_name() == "psycopg"
        and "isolation_level" not in out  # a level of its own: psycopg begins, SQLAlchemy pings
        and "isolation_level" not in (out.get("execution_options") or {})
    )
    if begins_at_checkout and out.get("pool_pre_ping"):
        out["pool_pre_ping"] = False
    return out


@event.listens_for(Pool, "checkout")
def _begin_at_checkout(dbapi_connection, _record, _proxy):
    if (
        isinstance(dbapi_connection, KeepsPreparedStatements)
        and not dbapi_connection.autocommit
        # A plain BEGIN starts the server's default transaction: a connection set to another
        # isolation level, or read-only, or deferrable, is left to psycopg, whose BEGIN says so.
        and dbapi_connection.isolation_level is None
        and dbapi_connection.read_only is None
        and dbapi_connection.deferrable is None
        and dbapi_connection.pgconn.transaction_status == pq.TransactionStatus.IDLE
    ):
        try:
            dbapi_connection.begin()
        except psycopg.Error as err:
            # As a failed pre-ping: this connection and every one made before it are replaced
            # (a restarted server closed them all), and the checkout is tried again.
            raise exc.InvalidatePoolError(str(err)) from err


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
    if isinstance(dbapi, KeepsPreparedStatements):
        dbapi.unused = False
        if not dbapi.wrote and not _only_reads(context):
            dbapi.wrote = True
