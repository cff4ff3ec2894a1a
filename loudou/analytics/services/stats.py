"""Small shared helpers of the figures: units and shares."""

from collections.abc import Iterator
from datetime import UTC, datetime

from django.db import connection
from django.db.models import FloatField, Func, QuerySet

US_PER_DAY = 86_400 * 1_000_000


def days(us: float | None, digits: int = 2) -> float | None:
    return None if us is None else round(us / US_PER_DAY, digits)


def pct(part: int, whole: int, digits: int = 1) -> float | None:
    return None if not whole else round(part * 100 / whole, digits)


class EpochSeconds(Func):
    """Seconds since the epoch of a datetime expression in each database's own SQL (a
    float). Django's datetime arithmetic on SQLite calls a Python function per row; this
    does not. Float rounding: compare with a margin, never for exact equality."""

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        template = "EXTRACT(EPOCH FROM %(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra)


def raw_rows(queryset: QuerySet, datetimes: tuple[int, ...]) -> Iterator[tuple]:
    """The rows of a `values_list` queryset, the columns at `datetimes` as aware UTC
    datetimes, without Django's per-value converters (on SQLite, for a hundred thousand
    rows they cost more than the query)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            row = list(row)
            for i in datetimes:
                value = row[i]
                if isinstance(value, str):
                    value = datetime.fromisoformat(value)
                if value is not None and value.tzinfo is None:  # SQLite: naive UTC
                    row[i] = value.replace(tzinfo=UTC)
            yield tuple(row)
