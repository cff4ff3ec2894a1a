"""The Kanban board's reads at scale (ADR 0019): the newest cards of every column through
an index, and counts capped at COUNT_CAP instead of counting every lead per request.

The board's leads (visibility, pipeline, filters) are split into disjoint *owner
partitions* whose leads of one stage an index returns already in card order:
`lead_board_stage` (stage, stage_entered_at, id) when the board shows every owner,
`lead_board_owner` (owner, stage, stage_entered_at, id) once per owner otherwise (a rep:
one, a manager: the team, a team or rep filter: its members). Each (stage, partition)
gives at most CARDS_PER_COLUMN candidates, all of them in one UNION ALL query; the same
window as before (newest first, ties by id) then ranks the candidates only.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Context, Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, QuerySet, Sum
from django.db.models.expressions import RawSQL

from loudou.core.paging import union_all_sql
from loudou.leads.models import Lead
from loudou.leads.selectors import visible_leads
from loudou.org.choices import Role
from loudou.org.models import User
from loudou.org.selectors import visible_owner_ids

if TYPE_CHECKING:
    from loudou.pipeline.selectors import Column


@dataclass(frozen=True, slots=True)
class Card:
    """What a Kanban card shows of a lead (the page and the API's CardOut), read as one
    row: 240 cards as leads with their owners were 480 model instances per board."""

    id: int
    number: str
    company_name: str
    intent_grade: str
    stage_id: int
    stage_entered_at: datetime | None
    amount: Decimal | None
    currency: str
    owner_id: int | None
    owner: str  # the owner's name (User.__str__), "" when unassigned

    @property
    def pk(self) -> int:
        return self.id


_CARD_COLUMNS = (
    "id",
    "number",
    "company_name",
    "intent_grade",
    "stage_id",
    "stage_entered_at",
    "amount",
    "currency",
    "owner_id",
    "owner__display_name",
    "owner__username",
)

#: Cards shown per Kanban column.
CARDS_PER_COLUMN = 30
#: A column counts (and sums) at most this many leads; above, it shows "1000+".
COUNT_CAP = 1000
CENTS = Decimal("0.01")
#: More (stage, owner) pairs than this and the database sorts the board's leads itself
#: (SQLite allows 500 terms in one compound SELECT).
MAX_BRANCHES = 400


def owner_partition(user: User, filters: dict[str, Any]) -> list[int] | None:
    """The owners whose leads make up the board (sorted ids): the owners `user` sees
    (org.selectors.visible_owner_ids), narrowed by the team and rep filters; None when
    the board is not split by owner (every owner, or marketing's unassigned captures)."""
    owners = visible_owner_ids(user)
    if owners is None and user.role == Role.MARKETING and not user.sees_all:
        return None
    chosen = None if owners is None else set(owners)
    if filters.get("team"):
        members = set(User.objects.filter(team=filters["team"]).values_list("pk", flat=True))
        chosen = members if chosen is None else chosen & members
    if filters.get("owner"):
        picked = {filters["owner"].pk}
        chosen = picked if chosen is None else chosen & picked
    return None if chosen is None else sorted(chosen)


def board_leads(user: User, filters: dict[str, Any], owners: list[int] | None) -> QuerySet[Lead]:
    """The board's leads before the pipeline: visible to `user` and filtered. Split by
    owner, visibility and the team and rep filters are the partition itself (`owners`),
    so that each branch is a plain index range."""
    from loudou.pipeline.selectors import filter_board_leads

    if owners is None:
        return filter_board_leads(visible_leads(user), filters)
    rest = {k: v for k, v in filters.items() if k not in ("team", "owner")}
    return filter_board_leads(Lead.objects.all(), rest)


def _owned(leads: QuerySet[Lead], owners: list[int] | None) -> QuerySet[Lead]:
    """The board's leads restricted to the partition (a list the planner sees). Branches
    that go owner by owner say `owner_id = o` alone: the planner then picks the owner's
    index range; with the IN list too, it misjudges the rows and sorts."""
    return leads if owners is None else leads.filter(owner_id__in=owners)


#: stand-ins for a branch's stage and owner: the branch is compiled once, then repeated
_STAGE, _OWNER = -987654321, -987654322


def _repeated(branch: QuerySet, pairs: list[tuple[int, int]], params: list) -> list[str]:
    """`branch` (filtered on stage _STAGE and owner _OWNER) as one SELECT per (stage, owner)
    pair: the ORM compiles it once (compiling 70 querysets costs more than running them)."""
    try:
        sql, template = branch.query.get_compiler(using=branch.db).as_sql()
    except EmptyResultSet:
        return []
    parts = []
    for n, (stage, owner) in enumerate(pairs):
        swap = {_STAGE: stage, _OWNER: owner}
        params.extend(swap.get(p, p) if isinstance(p, int) else p for p in template)
        parts.append(f"SELECT * FROM ({sql}) AS r{n}")  # noqa: S608 (compiled by the ORM)
    return parts


def _branches(leads: QuerySet[Lead], stage_ids: list[int], owners: list[int] | None):
    if owners is None or len(owners) * len(stage_ids) > MAX_BRANCHES:
        return [_owned(leads, owners).filter(stage_id=s) for s in stage_ids]
    return [leads.filter(stage_id=s, owner_id=o) for s in stage_ids for o in owners]


def newest_cards(
    leads: QuerySet[Lead], stage_ids: list[int], owners: list[int] | None
) -> list[Card]:
    """The newest CARDS_PER_COLUMN leads of each stage (by stage_entered_at, then id, both
    descending), ordered by stage id then rank: two queries."""
    if not stage_ids:
        return []
    params: list = []
    if connections[leads.db].vendor == "postgresql" and owners and len(owners) > 1:
        union = _lateral(leads, stage_ids, owners, params)
    elif owners is None or len(owners) * len(stage_ids) > MAX_BRANCHES:
        union = union_all_sql(
            [_top(branch) for branch in _branches(leads, stage_ids, owners)], params
        )
    else:
        branch = _top(leads.filter(stage_id=_STAGE, owner_id=_OWNER))
        pairs = [(s, o) for s in stage_ids for o in owners]
        union = " UNION ALL ".join(_repeated(branch, pairs, params))
    if not union:
        return []
    query = (
        "SELECT id FROM (SELECT id, stage_id, ROW_NUMBER() OVER (PARTITION BY stage_id "  # noqa: S608
        "ORDER BY stage_entered_at DESC, id DESC) AS board_rank FROM ("
        + union
        + ") AS candidates) AS ranked WHERE board_rank <= %s ORDER BY stage_id, board_rank"
    )
    with connections[leads.db].cursor() as cursor:
        cursor.execute(query, [*params, CARDS_PER_COLUMN])
        ids = [row[0] for row in cursor.fetchall()]
    rows = _owned(leads, owners).filter(pk__in=ids).order_by().values_list(*_CARD_COLUMNS)
    found = {row[0]: _card(*row) for row in rows}
    return [found[pk] for pk in ids if pk in found]


def _card(*row) -> Card:
    *values, display_name, username = row
    owner = (display_name or username) if values[-1] is not None else ""
    return Card(*values, owner=owner)


def _top(branch: QuerySet[Lead]) -> QuerySet:
    return branch.order_by("-stage_entered_at", "-id").values_list(
        "id", "stage_id", "stage_entered_at"
    )[:CARDS_PER_COLUMN]


def _pair_sql(leads: QuerySet[Lead], read) -> tuple[str, tuple]:
    """`read` (_top or _first) of the leads of stage `s.stage_id` and owner `o.owner_id`,
    compiled for a LATERAL subquery over unnest()ed stages and owners (PostgreSQL: planned
    once, where a UNION of a branch per pair spends longer planning than running)."""
    pairs = leads.filter(stage_id=RawSQL("s.stage_id", []), owner_id=RawSQL("o.owner_id", []))
    return read(pairs).query.get_compiler(using=leads.db).as_sql()


def _lateral(leads: QuerySet[Lead], stage_ids: list[int], owners: list[int], params: list) -> str:
    """PostgreSQL: the same (stage, owner) top-N as one LATERAL subquery over the pairs."""
    sql, top_params = _pair_sql(leads, _top)
    params.extend([owners, stage_ids, *top_params])
    return (
        "SELECT c.* FROM unnest(%s::bigint[]) AS o(owner_id) "  # noqa: S608
        "CROSS JOIN unnest(%s::bigint[]) AS s(stage_id) CROSS JOIN LATERAL (" + sql + ") AS c"
    )


def _decimal(value) -> Decimal:
    """A SUM as the ORM gives it (SQLite answers a float: 15 significant digits, cents)."""
    if isinstance(value, float):
        value = Context(prec=15).create_decimal_from_float(value)
    return Decimal(value).quantize(CENTS)


def _first(leads: QuerySet[Lead]) -> QuerySet:
    return leads.order_by("-stage_entered_at", "-id").values_list("stage_id", "currency", "amount")[
        : COUNT_CAP + 1
    ]


def _lateral_first(
    leads: QuerySet[Lead], stage_ids: list[int], owners: list[int], params: list
) -> str:
    """PostgreSQL: each stage's first COUNT_CAP + 1 leads, its owners' ranges one after the
    other, as LATERAL subqueries over the stages and owners."""
    sql, first_params = _pair_sql(leads, _first)
    params.extend([stage_ids, owners, *first_params, COUNT_CAP + 1])
    return (
        "SELECT f.* FROM unnest(%s::bigint[]) AS s(stage_id) CROSS JOIN LATERAL ("  # noqa: S608
        "SELECT c.* FROM unnest(%s::bigint[]) AS o(owner_id) CROSS JOIN LATERAL ("
        + sql
        + ") AS c LIMIT %s) AS f"
    )


def capped_totals(
    leads: QuerySet[Lead], columns: dict[int, "Column"], owners: list[int] | None
) -> None:
    """Count each column's leads up to COUNT_CAP + 1 (reading at most that many index
    entries per column, all columns in one query); sum the amounts when the count is
    exact."""
    if not columns:
        return
    # in the board's order, so that the covering lead_board_stage / lead_board_owner is
    # read (SQLite would otherwise pick an index without the amounts and fetch each row)
    params: list = []
    if connections[leads.db].vendor == "postgresql" and owners and len(owners) > 1:
        union = _lateral_first(leads, list(columns), owners, params)
    elif owners is None or len(owners) * len(columns) > MAX_BRANCHES:
        branches = [_first(_owned(leads, owners).filter(stage_id=s)) for s in columns]
        union = union_all_sql(branches, params)
    else:  # each stage: its owners' ranges one after the other, stopping at the cap
        stages = []
        branch = _first(leads.filter(stage_id=_STAGE, owner_id=_OWNER))
        for n, s in enumerate(columns):
            by_owner = " UNION ALL ".join(_repeated(branch, [(s, o) for o in owners], params))
            if by_owner:
                stages.append(
                    f"SELECT * FROM (SELECT * FROM ({by_owner}) AS o{n} LIMIT %s) AS s{n}"  # noqa: S608
                )
                params.append(COUNT_CAP + 1)
        union = " UNION ALL ".join(stages)
    rows = []
    if union:
        query = (
            "SELECT stage_id, currency, COUNT(*), SUM(amount) FROM ("  # noqa: S608
            + union
            + ") AS capped GROUP BY stage_id, currency"
        )
        with connections[leads.db].cursor() as cursor:
            cursor.execute(query, params)
            rows = cursor.fetchall()
    for stage_id, currency, n, total in rows:
        column = columns[stage_id]
        column.count += n
        if total is not None:
            column.amounts[currency] = _decimal(total)
    for column in columns.values():
        if column.count > COUNT_CAP:
            column.capped, column.count, column.amounts = True, COUNT_CAP, {}


def exact_totals(
    leads: QuerySet[Lead], columns: dict[int, "Column"], owners: list[int] | None
) -> None:
    """Every column's exact count and amounts: reads all the board's leads (on demand)."""
    totals = (
        _owned(leads, owners)
        .order_by()
        .values("stage", "currency")
        .annotate(n=Count("id"), total=Sum("amount"))
    )
    for row in totals:
        column = columns.get(row["stage"])
        if column is None:
            continue
        column.count += row["n"]
        if row["total"] is not None:
            column.amounts[row["currency"]] = row["total"]
