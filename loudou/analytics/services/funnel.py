"""The funnel of a scope: counts per stage, drop-off, and actual against the ideal state.

Definitions (docs/domain/analytics.md):
- reached: leads of the cohort (captured in the period, in the pipeline) that ever
  entered the stage or a later non-lost stage (a lead that skipped a stage passed it);
  for a lost stage, the leads that ever entered it.
- current: leads of the cohort in the stage now.
- dropoff_pct: the share of the previous (non-lost) stage's reached that did not reach
  this one.
- median_days / p75_days: time in stage per lead of the cohort, as
  `pipeline.metrics.stage_durations` (open stays up to `now`, re-entries summed).
- move_rate: `pipeline.metrics.move_rates` over the scope's leads and the period (a
  company scope: from the kept entries, ADR 0017).
- count_per_rep: leads of the scope in the stage now, divided by the scope's reps.
"""

from collections import defaultdict
from datetime import datetime

from django.db import connection
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from loudou.analytics.models import StageStay
from loudou.analytics.projections import to_us
from loudou.analytics.services.scope import Scope
from loudou.analytics.services.stats import US_PER_DAY, pct
from loudou.leads.models import Lead
from loudou.pipeline.choices import StageKind
from loudou.pipeline.models import Stage

#: A rep's count at a stage misses the ideal when it is this far (±) from it.
COUNT_TOLERANCE = 0.3


def _cohort_counts(scope: Scope) -> tuple[dict[int, int], dict[int, int]]:
    """({stage: reached}, {stage: current}) of the cohort, from one grouped read of its
    leads with their progress (a lead without a ledger has none and reached nothing)."""
    rows = (
        scope.pipeline_cohort()
        .order_by()
        .values("stage_id", max_order=F("progress__max_order"))
        .annotate(lost=Count("pk", filter=Q(progress__lost_at__isnull=False)), n=Count("pk"))
    )
    reached = dict.fromkeys((stage.pk for stage in scope.stages), 0)
    current: dict[int, int] = defaultdict(int)
    for row in rows:
        current[row["stage_id"]] += row["n"]
        for stage in scope.stages:
            if stage.kind == StageKind.LOST:
                reached[stage.pk] += row["lost"]
            elif row["max_order"] is not None and row["max_order"] >= stage.order:
                reached[stage.pk] += row["n"]
    return reached, current


def _stay_leads_q(scope: Scope) -> Q:
    """The scope's leads as a filter on the stays' `lead_id` that never looks a lead up
    per stay (the window's stays come from a covering index): a viewer who sees every
    lead, without team or rep, excludes the few merged or other-pipeline leads; any
    narrower scope keeps an IN-set of its own leads that moved in or after the period."""
    if scope.covers_all_leads:
        # one index range each (an OR in one subquery scans every lead); a lead with
        # stays has a pipeline (only move_stage sets it, always with a ledger row)
        q = Q()
        for others in (
            Q(merged_into__isnull=False),
            Q(pipeline__lt=scope.pipeline.pk),
            Q(pipeline__gt=scope.pipeline.pk),
        ):
            q &= ~Q(lead_id__in=Lead.objects.filter(others).values("pk"))
        return q
    # moves never go back in time and the last one sets stage_entered_at: a lead with a
    # stay entered in the period entered its current stage since the period's start
    moved = scope.pipeline_leads().filter(stage_entered_at__gte=scope.start_at)
    return Q(lead_id__in=moved.values("pk"))


def move_rates(scope: Scope) -> dict[int, dict]:
    """Per stage: of the scope's leads that entered it in the period, those that reached a
    later non-lost stage before the period ended (metrics.move_rates). One grouped query:
    a stay's `advanced_at` is its first later entry into a higher non-lost stage, and a
    lead's first stay in the window advanced before the end iff any of its stays there
    did (a later stay's later rows are a subset of an earlier one's). A company scope
    reads the same counts from the kept `StageEntry` aggregate (ADR 0017)."""
    from loudou.analytics.services import aggregates

    if aggregates.answers(scope):
        return aggregates.move_rates(scope)
    window = Q(entered_at__gte=scope.start_at, entered_at__lt=scope.end_at)
    # each lead's first entry into the stage within the window: one row per lead, so
    # plain counts (no COUNT DISTINCT) over the covering window index
    first = Q(previous_entry_at__isnull=True) | Q(previous_entry_at__lt=scope.start_at)
    rows = (
        StageStay.objects.filter(window, _stay_leads_q(scope), pipeline=scope.pipeline)
        .order_by()
        .values("stage_id")
        .annotate(
            entered=Count("stage_id", filter=first),
            moved=Count("stage_id", filter=first & Q(advanced_at__lt=scope.end_at)),
        )
    )
    found = {row["stage_id"]: row for row in rows}
    result = {}
    for stage in scope.stages:
        row = found.get(stage.pk, {"entered": 0, "moved": 0})
        result[stage.pk] = {
            "entered": row["entered"],
            "moved_forward": row["moved"],
            "rate": pct(row["moved"], row["entered"]),
        }
    return result


def move_rate(scope: Scope, stage: Stage) -> dict:
    return move_rates(scope)[stage.pk]


#: per stage, only the rows around the median and the 75th percentile (integer division);
#: `spent` is summed per lead first
_RANKED = """
    SELECT stage_id, rn, n, spent FROM (
        SELECT stage_id, spent,
               ROW_NUMBER() OVER (PARTITION BY stage_id ORDER BY spent) - 1 AS rn,
               COUNT(*) OVER (PARTITION BY stage_id) AS n
        FROM ({inner}) per_lead
    ) ranked
    WHERE rn IN ((n - 1) / 2, (n - 1) / 2 + 1, (n - 1) * 3 / 4, (n - 1) * 3 / 4 + 1)
"""


def _quantile(ranks: dict[int, float], n: int, q: float) -> float | None:
    """metrics.percentile from the two ranks around (n - 1) * q."""
    if not n:
        return None
    position = (n - 1) * q
    low = int(position)
    high = min(low + 1, n - 1)
    return ranks[low] + (ranks[high] - ranks[low]) * (position - low)


#: PostgreSQL's own interpolated percentiles over the days (float8 division, rounded as
#: Python's int / int): the same values and formula as `_quantile`
_PERCENTILES = """
    SELECT stage_id, COUNT(*),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY spent::float8 / {per_day}::float8),
           percentile_cont(0.75) WITHIN GROUP (ORDER BY spent::float8 / {per_day}::float8)
    FROM ({inner}) per_lead GROUP BY stage_id
"""


def _ranked_quantiles(sql: str, params) -> dict[int, tuple[int, float, float]]:
    """{stage: (n, median days, p75 days)} from the ranks around each quantile."""
    ranks: dict[int, dict[int, float]] = defaultdict(dict)
    counts: dict[int, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(_RANKED.format(inner=sql), params)
        for stage_id, rank, n, value in cursor.fetchall():
            ranks[stage_id][rank] = int(value) / US_PER_DAY
            counts[stage_id] = n
    return {
        stage: (n, _quantile(ranks[stage], n, 0.5), _quantile(ranks[stage], n, 0.75))
        for stage, n in counts.items()
    }


def _cont_quantiles(sql: str, params) -> dict[int, tuple[int, float, float]]:
    with connection.cursor() as cursor:
        cursor.execute(_PERCENTILES.format(inner=sql, per_day=f"{US_PER_DAY}.0"), params)
        return {stage: (n, median, p75) for stage, n, median, p75 in cursor.fetchall()}


def stage_durations(scope: Scope, now: datetime) -> dict[int, dict]:
    """Per stage: days in stage per cohort lead (median, p75), as
    metrics.stage_durations. One query for all stages: on PostgreSQL `percentile_cont`,
    elsewhere (SQLite has none) window functions returning only the ranks needed."""
    # driven from the cohort (captured_at index), then each lead's stays (lead index); the
    # cohort is in the pipeline, so are all its stays
    spent = Coalesce(F("left_us"), Value(to_us(now))) - F("entered_us")
    inner = (
        StageStay.objects.filter(lead__in=scope.pipeline_cohort().values("pk"))
        .order_by()
        # lead first: the (lead, stage, …) covering index streams the groups, no sort
        .values("lead_id", "stage_id")
        .annotate(spent=Sum(spent))
    )
    sql, params = inner.query.sql_with_params()
    quantiles = (_cont_quantiles if connection.vendor == "postgresql" else _ranked_quantiles)(
        sql, params
    )
    result = {}
    for stage in scope.stages:
        n, median, p75 = quantiles.get(stage.pk, (0, None, None))
        result[stage.pk] = {
            "leads": n,
            "median_days": _round(median),
            "p75_days": _round(p75),
        }
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def holdings(scope: Scope) -> dict[int | None, dict[int, int]]:
    """{owner id: {open stage id: leads of the scope held there now}}."""
    open_ids = [s.pk for s in scope.stages if s.kind == StageKind.OPEN]
    held = (
        scope.pipeline_leads()
        .filter(stage_id__in=open_ids)
        .order_by()
        # stage first: GROUP BY stage, owner lets the (pipeline, stage) index drive the
        # scan of the open leads instead of the owner index walking every lead
        .values("stage_id", "owner_id")
        .annotate(n=Count("*"))  # "*": no id to read, so PostgreSQL can stay in the index
    )
    counts: dict[int | None, dict[int, int]] = {}
    for row in held:
        counts.setdefault(row["owner_id"], {})[row["stage_id"]] = row["n"]
    return counts


def rep_counts(scope: Scope, counts: dict | None = None) -> list[dict]:
    """Per rep of the scope: leads held now per open stage, and which miss the ideal."""
    open_stages = [s for s in scope.stages if s.kind == StageKind.OPEN]
    counts = holdings(scope) if counts is None else counts
    rows = []
    for user in scope.reps().order_by("username"):
        mine = counts.get(user.pk, {})
        cells = [
            {
                "stage_id": s.pk,
                "count": mine.get(s.pk, 0),
                "miss": count_misses(mine.get(s.pk, 0), s.ideal_count_per_rep),
                "drill": scope.lead_list_query(captured=False, stage=s.pk, owner=user.pk),
            }
            for s in open_stages
        ]
        rows.append({"rep_id": user.pk, "name": str(user), "cells": cells})
    return rows


def count_misses(count: float | None, ideal: int | None) -> bool:
    if ideal is None or count is None:
        return False
    return abs(count - ideal) > ideal * COUNT_TOLERANCE


def _stage_row(scope: Scope, stage: Stage, previous: int | None, figures: dict) -> dict:
    reached = figures["reached"][stage.pk]
    rate = figures["rates"][stage.pk] if stage.kind == StageKind.OPEN else None
    held = (
        sum(mine.get(stage.pk, 0) for mine in figures["holdings"].values())
        if stage.kind == StageKind.OPEN
        else None
    )
    per_rep = None if held is None else round(held / figures["reps"], 1)
    durations = figures["days"][stage.pk]
    ideal_rate = None if stage.ideal_move_rate is None else float(stage.ideal_move_rate)
    row = {
        "stage_id": stage.pk,
        "code": stage.code,
        "name": str(stage),
        "order": stage.order,
        "kind": stage.kind,
        "reached": reached,
        "current": figures["current"].get(stage.pk, 0),
        "dropoff_pct": None if previous is None else pct(previous - reached, previous),
        "median_days": durations["median_days"],
        "p75_days": durations["p75_days"],
        "stay_leads": durations["leads"],
        "move_rate": None if rate is None else rate["rate"],
        "moves": rate,
        "held": held,
        "count_per_rep": per_rep,
        "ideal_days": stage.ideal_days,
        "ideal_move_rate": ideal_rate,
        "ideal_count_per_rep": stage.ideal_count_per_rep,
    }
    row["misses"] = {
        "days": _over(row["median_days"], stage.ideal_days),
        "move_rate": _under(row["move_rate"], ideal_rate),
        "count": count_misses(per_rep, stage.ideal_count_per_rep),
    }
    row["drill"] = {
        "reached": scope.lead_list_query(reached=stage.pk),
        "current": scope.lead_list_query(stage=stage.pk),
        "held": scope.lead_list_query(captured=False, stage=stage.pk),
    }
    return row


def _over(actual, ideal) -> bool:
    return actual is not None and ideal is not None and actual > ideal


def _under(actual, ideal) -> bool:
    return actual is not None and ideal is not None and actual < ideal


def funnel(scope: Scope, now: datetime | None = None, days: str = "elapsed") -> dict:
    """The funnel of `scope` (see the module docstring for each figure). Counts of a
    company scope come from the kept aggregates (ADR 0017); with `days="calendar"` so do
    its days in stage, in whole calendar days (any other scope keeps elapsed days)."""
    now = now or timezone.now()
    from loudou.analytics.services import aggregates  # company figures: ADR 0017

    kept = aggregates.answers(scope)
    reached, current = aggregates.cohort_counts(scope) if kept else _cohort_counts(scope)
    calendar = aggregates.calendar_days(scope, now) if kept and days == "calendar" else None
    figures = {
        "rates": move_rates(scope),
        "days": calendar if calendar else stage_durations(scope, now),
        "reached": reached,
        "current": current,
        "holdings": holdings(scope),
        "reps": scope.rep_count(),
    }
    rows, previous = [], None
    for stage in scope.stages:
        row = _stage_row(scope, stage, previous if stage.kind != StageKind.LOST else None, figures)
        rows.append(row)
        if stage.kind != StageKind.LOST:
            previous = row["reached"]
    return {
        "stages": rows,
        "totals": _totals(scope, rows),
        "reps": rep_counts(scope, figures["holdings"]),
        # days in stage: whole calendar days from the aggregates, else elapsed days
        "days_basis": "calendar" if calendar else "elapsed",
    }


def _totals(scope: Scope, rows: list[dict]) -> dict:
    entered = rows[0]["reached"] if rows else 0
    won = next((r["reached"] for r in rows if r["kind"] == StageKind.WON), 0)
    lost = next((r["reached"] for r in rows if r["kind"] == StageKind.LOST), 0)
    return {
        "cohort": scope.cohort().count(),
        "in_pipeline": entered,
        "won": won,
        "lost": lost,
        "conversion_pct": pct(won, entered),
        "reps": scope.rep_count(),
        "drill": scope.lead_list_query(),
    }
