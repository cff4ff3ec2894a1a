"""Company-wide figures from aggregates kept exact in the writes' transactions (ADR 0017).

A lead *contributes* to five count tables (`CohortStage`, `CohortGroup`, `StayDays`,
`StageEntry`, `WonDeal`) according to its row, its ledger projections (`StageStay`, `LeadProgress`),
its lost reasons and its product lines. Every write that can change a contribution
brackets itself with `track(lead_ids)`: the contribution before is taken away and the one
after is added, in the same transaction. `rebuild()` recomputes the tables from the
ledger with the same `_contributions`, so kept and rebuilt rows are equal by
construction; the tests compare both with an independent computation from the ledger and
with the slow services.

The readers answer a scope that covers every lead (a viewer who sees all, no team or
rep): the cohort's reached / current counts, its calendar days in stage (exact medians
and p75 of whole calendar days), the move rates of the stays entered in the period, the
conversion counts by region, product line and overall, and the deals won and their
revenue per month (`trends`). Any other scope stays with
the row-reading services.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db import router, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from loudou.analytics.models import (
    CohortGroup,
    CohortStage,
    LeadProgress,
    StageEntry,
    StageStay,
    StayDays,
    WonDeal,
)
from loudou.leads.models import Lead
from loudou.pipeline.models import StageChange

CHUNK = 2000
TABLES = {
    "stage": CohortStage,
    "group": CohortGroup,
    "days": StayDays,
    "entries": StageEntry,
    "won": WonDeal,
}
#: each table's key: the fields of its one unique constraint, in order
KEYS = {name: tuple(model._meta.constraints[0].fields) for name, model in TABLES.items()}
#: conversion dimensions the aggregates hold (conversion.DIMENSIONS field → kind)
KINDS = {"region_id": "region", "products": "product", "pipeline_id": "all"}


def answers(scope) -> bool:
    """Whether the aggregates hold this scope's figures: every lead, one pipeline."""
    return scope.pipeline is not None and scope.covers_all_leads


# --- contributions ------------------------------------------------------------------


def _contributions(lead_ids: list[int], exclude_change: int | None = None) -> dict[str, Counter]:
    """What `lead_ids` add to each table now ({table: Counter(key tuple → n)}): nothing for
    a merged lead or one without a ledger. `exclude_change` leaves out one ledger row's
    lost reason (the row `record_stage_change` is projecting, already inserted)."""
    found = {name: Counter() for name in TABLES}
    leads = Lead.objects.filter(
        pk__in=lead_ids, merged_into__isnull=True, progress__isnull=False
    ).values_list(
        "pk",
        "captured_at",
        "region_id",
        "progress__pipeline_id",
        "progress__max_order",
        "progress__won_at",
        "progress__lost_at",
        "pipeline_id",
        "amount",
    )
    rows = {row[0]: row for row in leads}
    if not rows:
        return found
    ids = list(rows)
    stays = defaultdict(list)
    for lead_id, *stay in (
        StageStay.objects.filter(lead_id__in=ids)
        .order_by()
        .values_list(
            "lead_id",
            "stage_id",
            "entered_at",
            "left_at",
            "pipeline_id",
            "previous_entry_at",
            "advanced_at",
        )
    ):
        stays[lead_id].append(stay)
    reasons = defaultdict(set)
    lost_rows = StageChange.objects.filter(lead_id__in=ids, lost_reason__isnull=False)
    if exclude_change is not None:
        lost_rows = lost_rows.exclude(pk=exclude_change)
    for lead_id, reason in lost_rows.order_by().values_list("lead_id", "lost_reason_id"):
        reasons[lead_id].add(reason)
    products = defaultdict(set)
    through = Lead.products.through
    for lead_id, product in (
        through.objects.filter(lead_id__in=ids).order_by().values_list("lead_id", "productline_id")
    ):
        products[lead_id].add(product)
    for lead_id, row in rows.items():
        _add_lead(found, row, stays[lead_id], reasons[lead_id], products[lead_id])
    return found


def _ordinal(moment: datetime | None) -> int:
    return 0 if moment is None else timezone.localdate(moment).toordinal()


def _add_entries(found: dict, lead_pipeline: int | None, stays: list) -> None:
    """The lead's stays in its own pipeline by local entry day, previous entry and
    advance (`funnel.move_rates` reads the stays of leads in the scope's pipeline)."""
    for stage_id, entered, _left, pipeline, previous, advanced in stays:
        if pipeline == lead_pipeline:
            key = (pipeline, timezone.localdate(entered), stage_id)
            found["entries"][(*key, _ordinal(previous), _ordinal(advanced))] += 1


def _add_lead(found: dict, row: tuple, stays: list, reasons: set, products: set) -> None:
    _pk, captured_at, region, pipeline, max_order, won_at, lost_at, lead_pipeline, amount = row
    _add_entries(found, lead_pipeline, stays)
    if won_at is not None and lead_pipeline is not None:
        cents = 0 if amount is None else int(amount * 100)
        found["won"][(lead_pipeline, timezone.localdate(won_at), cents)] += 1
    day = timezone.localdate(captured_at)
    region = region or 0
    won, lost = won_at is not None, lost_at is not None
    closed: Counter = Counter()
    current = None
    for stage_id, entered, left, *_moves in stays:
        if left is None:
            current = (stage_id, timezone.localdate(entered).toordinal())
        else:
            closed[stage_id] += (timezone.localdate(left) - timezone.localdate(entered)).days
    if current is None:  # a lead with a ledger always sits in its last stay's stage
        return
    found["stage"][(pipeline, day, current[0], max_order, won, lost, region)] += 1
    for stage_id, days in closed.items():
        if stage_id != current[0]:
            found["days"][(pipeline, day, stage_id, False, days)] += 1
    found["days"][(pipeline, day, current[0], True, current[1] - closed[current[0]])] += 1
    groups = [("all", 0), ("region", region), *(("product", p) for p in products or [0])]
    for kind, key in groups:
        found["group"][(pipeline, day, kind, key, 0, won)] += 1
        for reason in reasons:
            found["group"][(pipeline, day, kind, key, reason, False)] += 1


# --- keeping them -------------------------------------------------------------------


def _apply(delta: dict[str, Counter]) -> None:
    """Add `delta` to the tables: one upsert per table for all its changed keys (a batch
    of 200 imported leads changes thousands: one UPDATE each took 3 s per batch), then
    the rows that fell to zero are deleted."""
    for name, counts in delta.items():
        changed = [(key, n) for key, n in counts.items() if n]
        if changed:
            _add(TABLES[name], KEYS[name], changed)


def _add(model, keys: tuple[str, ...], changed: list[tuple[tuple, int]]) -> None:
    connection = transaction.get_connection(router.db_for_write(model))
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in keys]
    table, n = quote(model._meta.db_table), quote("n")
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * (len(fields) + 1))
    upsert = (
        f"INSERT INTO {table} ({columns}, {n}) VALUES ({marks}) "  # noqa: S608 (quoted names)
        f"ON CONFLICT ({columns}) DO UPDATE SET {n} = {table}.{n} + excluded.{n}"
    )

    def values(key: tuple) -> list:
        return [f.get_db_prep_save(v, connection) for f, v in zip(fields, key, strict=True)]

    with connection.cursor() as cursor:
        cursor.executemany(upsert, [[*values(key), count] for key, count in changed])
        fallen = [values(key) for key, count in changed if count < 0]
        if fallen:
            where = " AND ".join(f"{quote(field.column)} = %s" for field in fields)
            cursor.executemany(f"DELETE FROM {table} WHERE {where} AND {n} = 0", fallen)  # noqa: S608


def _difference(after: dict[str, Counter], before: dict[str, Counter]) -> dict[str, Counter]:
    delta = {}
    for name in TABLES:
        counts = Counter(after[name])
        counts.subtract(before[name])
        delta[name] = counts
    return delta


#: leads whose contribution an enclosing `track` already takes (a merge calls
#: update_lead, which may place the lead, which moves it): inner tracks skip them
_TRACKED: ContextVar[frozenset] = ContextVar("aggregates_tracked", default=frozenset())


@contextmanager
def track(lead_ids: Iterable[int], exclude_change: int | None = None) -> Iterator[None]:
    """Around a write that may change what `lead_ids` contribute (a move, a merge, an edit
    of the region or product lines, a rebuild of their projections): take the contribution
    before, add the difference after. Must run inside the write's transaction; nested
    tracks of the same leads count once (the outermost)."""
    outer = _TRACKED.get()
    ids, before = begin(lead_ids, exclude_change)
    if not ids:
        yield
        return
    token = _TRACKED.set(outer | set(ids))
    try:
        yield
    finally:
        _TRACKED.reset(token)
    finish(ids, before)


def begin(lead_ids: Iterable[int], exclude_change: int | None = None) -> tuple[list, dict]:
    """The first half of `track` (for signal handlers): the leads not tracked by an
    enclosing `track` and their contribution now."""
    ids = sorted({pk for pk in lead_ids if pk is not None} - _TRACKED.get())
    return ids, (_contributions(ids, exclude_change=exclude_change) if ids else {})


def finish(ids: list, before: dict) -> None:
    """The second half of `track`: add what changed since `begin`."""
    if ids:
        _apply(_difference(_contributions(ids), before))


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Recompute every table from the ledger projections (rebuilt from the ledger by
    `projections.rebuild`, which calls this), in chunks of leads. Returns the row counts."""
    for model in TABLES.values():
        model.objects.all().delete()
    totals = {name: Counter() for name in TABLES}
    ids = list(LeadProgress.objects.order_by("lead_id").values_list("lead_id", flat=True))
    for start in range(0, len(ids), CHUNK):
        found = _contributions(ids[start : start + CHUNK])
        for name in TABLES:
            totals[name].update(found[name])
    for name, counts in totals.items():
        model, keys = TABLES[name], KEYS[name]
        model.objects.bulk_create(
            (model(**dict(zip(keys, key, strict=True)), n=n) for key, n in counts.items() if n),
            batch_size=2000,
        )
    return {name: model.objects.count() for name, model in TABLES.items()}


def snapshot() -> dict[str, dict[tuple, int]]:
    """Every non-zero row of the tables as {table: {key: n}} (tests, checks)."""
    result = {}
    for name, model in TABLES.items():
        rows = model.objects.exclude(n=0).values_list(*KEYS[name], "n")
        result[name] = {tuple(row[:-1]): row[-1] for row in rows}
    return result


def expected() -> dict[str, dict[tuple, int]]:
    """What `snapshot()` should hold, computed now from the ledger projections."""
    ids = list(LeadProgress.objects.values_list("lead_id", flat=True))
    found = _contributions(ids)
    return {name: {k: n for k, n in counts.items() if n} for name, counts in found.items()}


# --- reading them -------------------------------------------------------------------


def _days(scope) -> dict:
    return {"pipeline_id": scope.pipeline.pk, "day__gte": scope.start, "day__lte": scope.end}


def cohort_counts(scope) -> tuple[dict[int, int], dict[int, int]]:
    """funnel._cohort_counts of a scope the aggregates answer: ({stage: reached},
    {stage: current})."""
    from loudou.pipeline.choices import StageKind

    rows = (
        CohortStage.objects.filter(**_days(scope))
        .order_by()
        .values("stage_id", "max_order", "lost")
        .annotate(total=Sum("n"))
    )
    reached = dict.fromkeys((stage.pk for stage in scope.stages), 0)
    current: dict[int, int] = defaultdict(int)
    for row in rows:
        current[row["stage_id"]] += row["total"]
        for stage in scope.stages:
            if stage.kind == StageKind.LOST:
                reached[stage.pk] += row["total"] if row["lost"] else 0
            elif row["max_order"] >= stage.order:
                reached[stage.pk] += row["total"]
    return reached, current


def move_rates(scope) -> dict[int, dict]:
    """funnel.move_rates of a scope the aggregates answer: per stage, the stays entered in
    the period that were their lead's first entry there within it (the previous entry,
    if any, before the period) and those of them that advanced before the period ended.
    Compared as local days: exact, as a period is whole local days."""
    from loudou.analytics.services.stats import pct

    first = Q(previous=0) | Q(previous__lt=scope.start.toordinal())
    moved = Q(advanced__gt=0, advanced__lte=scope.end.toordinal())
    rows = (
        StageEntry.objects.filter(
            first, pipeline_id=scope.pipeline.pk, entered__gte=scope.start, entered__lte=scope.end
        )
        .order_by()
        .values("stage_id")
        .annotate(entered_n=Sum("n"), moved_n=Sum("n", filter=moved))
    )
    found = {row["stage_id"]: (row["entered_n"], row["moved_n"] or 0) for row in rows}
    result = {}
    for stage in scope.stages:
        entered, moved_n = found.get(stage.pk, (0, 0))
        result[stage.pk] = {
            "entered": entered,
            "moved_forward": moved_n,
            "rate": pct(moved_n, entered),
        }
    return result


def histogram_quantile(values: list[tuple[int, int]], q: float) -> float | None:
    """metrics.percentile over a histogram [(value, count)] sorted by value: the two ranks
    around (n - 1) * q, interpolated."""
    n = sum(count for _value, count in values)
    if not n:
        return None
    position = (n - 1) * q
    low = int(position)
    high = min(low + 1, n - 1)

    def at(rank: int) -> int:
        seen = 0
        for value, count in values:
            seen += count
            if rank < seen:
                return value
        raise IndexError(rank)

    return at(low) + (at(high) - at(low)) * (position - low)


def calendar_days(scope, now: datetime) -> dict[int, dict]:
    """Per stage: the cohort leads that were in it, and the median and p75 of their
    calendar days there (local days from entry to leaving, or to today; re-entries
    summed), exact from the histogram."""
    today = timezone.localdate(now).toordinal()
    rows = (
        StayDays.objects.filter(**_days(scope))
        .order_by()
        .values("stage_id", "open", "value")
        .annotate(total=Sum("n"))
    )
    histograms: dict[int, Counter] = defaultdict(Counter)
    for row in rows:
        days = today - row["value"] if row["open"] else row["value"]
        histograms[row["stage_id"]][days] += row["total"]
    result = {}
    for stage in scope.stages:
        values = sorted(histograms.get(stage.pk, Counter()).items())
        median, p75 = histogram_quantile(values, 0.5), histogram_quantile(values, 0.75)
        result[stage.pk] = {
            "leads": sum(count for _v, count in values),
            "median_days": None if median is None else round(median, 2),
            "p75_days": None if p75 is None else round(p75, 2),
        }
    return result


def group_counts(scope, field: str) -> tuple[list[dict], dict]:
    """([{"key", "leads", "deals"}], {key: Counter(lost reason → distinct leads)}) of the
    cohort by `field` (a key of KINDS), as conversion._Figures.of reads them."""
    rows = (
        CohortGroup.objects.filter(**_days(scope), kind=KINDS[field])
        .order_by()
        .values("key", "lost_reason_id", "won")
        .annotate(total=Sum("n"))
    )
    counts: dict = defaultdict(lambda: {"leads": 0, "deals": 0})
    losses: dict = defaultdict(Counter)
    for row in rows:
        key = None if row["key"] == 0 else row["key"]
        if field == "pipeline_id":
            key = scope.pipeline.pk
        if row["lost_reason_id"]:
            losses[key][row["lost_reason_id"]] += row["total"]
            continue
        counts[key]["leads"] += row["total"]
        if row["won"]:
            counts[key]["deals"] += row["total"]
    return [{"key": key, **group} for key, group in counts.items()], losses


def kept_deals(scope) -> list[tuple]:
    """[(lead, region, products, cycle days, win factor ids)] of the cohort's deals (≈ 5 %
    of the leads): one read of their won ledger rows for every dimension, narrowed as
    conversion._deals narrows them (win factors join over re-opened wins)."""
    from loudou.analytics.services.stats import US_PER_DAY
    from loudou.pipeline.choices import StageKind
    from loudou.pipeline.models import Stage

    won_ids = list(Stage.objects.filter(kind=StageKind.WON).values_list("pk", flat=True))
    rows = (
        StageChange.objects.filter(scope.lead_q(cohort=True), to_stage_id__in=won_ids)
        .filter(lead__progress__won_at__isnull=False)
        .order_by()
        .values_list(
            "lead_id",
            "lead__region_id",
            "lead__products",
            "lead__progress__cycle_us",
            "win_factors",
        )
    )
    deals: dict[int, list] = {}
    for lead_id, region, product, cycle, factors in rows:
        deal = deals.setdefault(lead_id, [region, set(), cycle / US_PER_DAY, set()])
        if product is not None:
            deal[1].add(product)
        deal[3].update(factors or [])
    return [(lead_id, *values) for lead_id, values in deals.items()]


_DEALS: ContextVar[dict | None] = ContextVar("aggregates_deals", default=None)


@contextmanager
def sharing_deals() -> Iterator[None]:
    """Within: the kept figures of one scope read its deals once (several tables)."""
    token = _DEALS.set({})
    try:
        yield
    finally:
        _DEALS.reset(token)


class KeptFigures:
    """conversion._Figures for a scope the aggregates answer: leads, deals and distinct
    lost leads per reason from `CohortGroup`; the deals' cycles and win factors (few rows)
    from their won ledger rows, as conversion._deals reads them."""

    def __init__(self, scope, fields: tuple[str, ...], deals: list[tuple] | None = None):
        self.scope, self.fields = scope, fields
        self.deals = deals

    def of(self, field: str) -> tuple[list[dict], dict, dict, dict]:
        counts, losses = group_counts(self.scope, field)
        if self.deals is None:
            memo = _DEALS.get()
            if memo is None:
                self.deals = kept_deals(self.scope)
            else:  # inside `sharing_deals`: one read for all the tables of the call
                self.deals = memo.setdefault(self.scope, None) or kept_deals(self.scope)
                memo[self.scope] = self.deals
        cycles, wins = defaultdict(list), defaultdict(Counter)
        for _lead, region, products, cycle, factors in self.deals:
            if field == "region_id":
                keys = [region]
            elif field == "products":
                keys = sorted(products) or [None]
            else:
                keys = [self.scope.pipeline.pk]
            for key in keys:
                cycles[key].append(cycle)
                wins[key].update(factors)
        return counts, cycles, wins, losses
