"""What the database reads to answer a statement: for tests that hold a hot statement to reading
what it needs, not a table's every row (docs/performance.md, "Run 21")."""

from portal.extensions import db


def rows_read(statement, params: dict, table: str) -> int | str:
    """How many of `table`'s rows the database reads to answer `statement`, on PostgreSQL, counted
    by EXPLAIN ANALYZE; on SQLite, whose EXPLAIN counts nothing, its plan's every read of the table
    (each a "SEARCH table USING INDEX name (columns=?)"), joined by "; ".

    On PostgreSQL, sequential scans and nested-loop joins are ruled out. At a test's few rows the
    planner reads a small table whole, whatever the statement's shape; at a council's it would not.
    And the statement must read only what it needs whatever join the planner prefers: at the
    benchmark's few families it preferred to join every open item in the queue to a hash of one
    lead professional's families; ruling out the nested loop asks for that join."""
    sql = str(statement.params(**params).compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    connection = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        plan = [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
        return "; ".join(step for step in plan if f" {table} " in f"{step} ")
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_nestloop = off")
    (plan,) = connection.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + sql).scalar()

    def read(node) -> int:
        here = 0
        if node.get("Relation Name") == table:
            here = (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * node["Actual Loops"]
        return here + sum(read(child) for child in node.get("Plans", ()))

    return read(plan["Plan"])
