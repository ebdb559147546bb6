"""One change of a family at a time, where the change first checks what the family has.

A request that reads the family's rows and then writes on what it found must not let another
request's change of the family come between its check and its write. `records.submit` asks
"was the same evidence submitted already?" and saves if not: two forms sending the same
evidence at the same moment each found nothing and both were saved
(tests/test_evidence.py::test_the_same_evidence_sent_from_two_forms_at_once_is_saved_once).
`hold_family` takes the family's lock for the rest of the transaction: another request asking
for it waits until this one commits or rolls back, then reads what this one wrote.

- PostgreSQL: the family's row, `FOR NO KEY UPDATE`. Not `FOR UPDATE`: a row written that refers
  to the family (an audit row, a review) takes a key-share lock on it, which `FOR UPDATE` would
  wait for. `families.standing.refresh` takes the same lock on the families it decides, so a
  request that holds it decides them without waiting on itself.
- SQLite: the file's one write lock, taken now (`BEGIN IMMEDIATE`) rather than at the first
  write. pysqlite begins a transaction only before a write, so until then each read saw the file
  as it was at that moment; from the `BEGIN IMMEDIATE` on, no other connection writes until this
  one ends, and every read sees the file as the last commit left it. Once a write has begun the
  transaction, this connection holds the lock already, and nothing more is needed.

Both wait as the connection waits for any lock (SQLite: `SQLITE_BUSY_TIMEOUT_MS`).
"""

from __future__ import annotations

import functools

import sqlalchemy as sa

from .extensions import db
from .models import Family


@functools.cache
def _family_row():
    return (
        sa.select(Family.id)
        .where(Family.id == sa.bindparam("family_id", type_=sa.Integer))
        .with_for_update(key_share=True)
    )


def hold_family(family_id: int, session=None) -> None:
    """Hold the family's lock until the transaction ends (see the module)."""
    session = session or db.session
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    with session.no_autoflush:
        session.execute(_family_row(), {"family_id": family_id})
