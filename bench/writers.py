"""Bulk writes for the generator: COPY on PostgreSQL, executemany on SQLite.

Rows are tuples in the order of a model's concrete columns. `fast_load()` wraps a whole
load: on SQLite it turns off the journal and syncs; on PostgreSQL it skips foreign-key
triggers (the generator builds consistent rows) and raises maintenance memory. In both,
the secondary indexes of the big tables are dropped before and rebuilt after, which is
several times faster than maintaining them row by row.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from django.db import connection, transaction


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def timestamps(seconds: np.ndarray) -> list:
    """Epoch seconds (-1 = NULL) as the text each backend stores for a DateTimeField."""
    values = seconds.astype("datetime64[s]")
    if is_postgres():
        text = np.datetime_as_string(values, unit="s", timezone="UTC")
    else:
        text = np.char.replace(np.datetime_as_string(values, unit="s"), "T", " ")
    out = text.astype(object)
    out[seconds < 0] = None
    return out.tolist()


def dates(seconds: np.ndarray, offset: int = 8 * 3600) -> list:
    """Epoch seconds (-1 = NULL) as local dates (YYYY-MM-DD) in UTC+8."""
    text = np.datetime_as_string((seconds + offset).astype("datetime64[s]").astype("datetime64[D]"))
    out = text.astype(object)
    out[seconds < 0] = None
    return out.tolist()


def nullable_ids(ids: np.ndarray) -> list:
    """Ids with 0 meaning NULL."""
    out = ids.astype(object)
    out[ids == 0] = None
    return out.tolist()


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert `rows` into `table` inside the current transaction; returns the count."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    connection.ensure_connection()
    raw = connection.connection
    count = 0
    if is_postgres():
        with raw.cursor() as cursor, cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join("?" for _ in columns)
    rows = list(rows)
    cursor = raw.cursor()
    try:
        cursor.executemany(f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})", rows)  # noqa: S608
    finally:
        cursor.close()
    return len(rows)


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes of `table` that back no constraint."""
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s"
                " AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM"
                " pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' ||"
                " quote_ident(i.indexname))::regclass)",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                " AND sql IS NOT NULL",
                [table],
            )
        return list(cursor.fetchall())


def _sqlite_triggers(table: str) -> list[tuple[str, str]]:
    """SQLite: (name, CREATE statement) of the triggers on `table` (the FTS5 search index's)."""
    if is_postgres():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [table],
        )
        return list(cursor.fetchall())


def _sqlite_fts_tables(table: str) -> list[str]:
    """SQLite: the FTS5 tables whose external content is `table`."""
    if is_postgres():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE %s",
            [f"%USING fts5(%content='{table}'%"],
        )
        return [name for (name,) in cursor.fetchall()]


@contextmanager
def fast_load(tables: Sequence[str], log=print) -> Iterator[None]:
    """Drop the secondary indexes of `tables` (on SQLite also their triggers, which keep
    the FTS5 search index), relax durability, and put it all back (rebuilding the FTS5
    tables from their content)."""
    dropped = [idx for table in tables for idx in _secondary_indexes(table)]
    triggers = [trigger for table in tables for trigger in _sqlite_triggers(table)]
    fts = [name for table in tables for name in _sqlite_fts_tables(table)]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, _sql in dropped:
            cursor.execute(f"DROP INDEX {qn(name)}")
        for name, _sql in triggers:
            cursor.execute(f"DROP TRIGGER {qn(name)}")
        if is_postgres():
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET synchronous_commit = off")
        else:
            cursor.execute("PRAGMA journal_mode = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -1000000")
            cursor.execute("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, sql in dropped:
                log(f"  rebuilding index {name}")
                cursor.execute(sql)
            for _name, sql in triggers:
                cursor.execute(sql)
            for name in fts:
                log(f"  rebuilding search index {name}")
                cursor.execute(f"INSERT INTO {qn(name)}({qn(name)}) VALUES ('rebuild')")  # noqa: S608
            if is_postgres():
                cursor.execute("SET session_replication_role = DEFAULT")
            else:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")


def reset_sequences(models) -> None:
    """After explicit ids, let PostgreSQL's identity columns continue past them."""
    if not is_postgres():
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def analyze() -> None:
    """Fresh planner statistics (and, on PostgreSQL, the visibility map)."""
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")


@contextmanager
def batch() -> Iterator[None]:
    with transaction.atomic():
        yield
