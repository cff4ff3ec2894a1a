"""Database upkeep that is not a migration: the query planner's statistics.

Both planners choose between the covering indexes of the analytics (ADR 0009) from
statistics about each table. PostgreSQL's autovacuum keeps them; SQLite keeps none
until `ANALYZE` runs, and without them it picks the first index that matches (at 1M
leads the company's held counts read every open lead through the (pipeline, stage)
index instead of the covering one: 550 ms against 57 ms).

PostgreSQL is never asked to analyze an empty table: that records "no rows" for its
indexes, and until autovacuum analyzes it again (after its rows are committed) the
planner takes every index scan of it for free. Rows written inside one long transaction
(a test; an import's first batches) then meet nested loops over index scans: the
forecast backtest took 198 s instead of 14 s. A table never analyzed is estimated from
its size on disk, which grows with the rows.
"""

from django.db import connections


def refresh_statistics(using: str = "default", tables: list[str] | None = None) -> None:
    """Gather the planner's statistics for `tables` (None: every table; SQLite ≈ 13 s
    for 5 GB). On PostgreSQL only the tables that hold a row are analyzed."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            for statement in [f'ANALYZE "{t}"' for t in tables] if tables else ["ANALYZE"]:
                cursor.execute(statement)
            return
        if tables is None:
            tables = connection.introspection.table_names(cursor)
        filled = [t for t in tables if _has_rows(cursor, connection.ops.quote_name(t))]
        if filled:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in filled))


def _has_rows(cursor, quoted_table: str) -> bool:
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quoted_table})")  # noqa: S608 (quoted name)
    return cursor.fetchone()[0]


def after_migrate(sender, *, using: str = "default", plan=None, **kwargs) -> None:
    """post_migrate: migrations add indexes and remake tables (which drops SQLite's
    statistics for them), so gather them again when something was applied."""
    if plan:
        refresh_statistics(using)
