"""Lists without a full COUNT(*) per request (ADR 0019): a count capped at COUNT_CAP and
pages that know whether a next one exists by reading one row more."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet

#: Lists count at most this many rows; above, they show "1000+".
COUNT_CAP = 1000


@dataclass(frozen=True)
class CappedCount:
    """How many rows a list holds: exact up to `cap`, else `capped` (shown as "1000+")."""

    n: int
    capped: bool

    def __str__(self) -> str:
        return f"{self.n}+" if self.capped else str(self.n)


def capped_count(queryset: QuerySet, cap: int | None = None) -> CappedCount:
    """COUNT(*) over at most cap + 1 rows: reads no more than that, however big the list."""
    cap = COUNT_CAP if cap is None else cap
    n = queryset.order_by()[: cap + 1].count()
    return CappedCount(min(n, cap), n > cap)


@dataclass
class OpenPage:
    """One page of a list whose total is not counted: numbered, with or without a next."""

    number: int
    rows: list[Any] = field(default_factory=list)
    has_next: bool = False

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def open_page(queryset: QuerySet, number: Any, size: int, max_page: int = 1000) -> OpenPage:
    """Page `number` (1 when missing or not a number; at most `max_page`) of an ordered
    queryset, reading size + 1 rows."""
    try:
        page = min(max(int(number), 1), max_page)
    except (TypeError, ValueError):
        page = 1
    start = (page - 1) * size
    rows = list(queryset[start : start + size + 1])
    return OpenPage(number=page, rows=rows[:size], has_next=len(rows) > size)


def union_all_sql(branches: list[QuerySet], params: list) -> str:
    """`SELECT * FROM (b0) AS c0 UNION ALL …` of ORM-compiled (sliced, ordered) querysets,
    leaving out those that cannot match anything; fills `params`. "" when none is left.
    Each branch keeps its own ORDER BY … LIMIT: a top-N read from an index range."""
    parts = []
    for n, branch in enumerate(branches):
        try:
            sql, branch_params = branch.query.get_compiler(using=branch.db).as_sql()
        except EmptyResultSet:
            continue
        parts.append(f"SELECT * FROM ({sql}) AS c{n}")  # noqa: S608 (compiled by the ORM)
        params.extend(branch_params)
    return " UNION ALL ".join(parts)
