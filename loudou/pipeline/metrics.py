"""Funnel figures computed from the stage-change ledger only (never from stored counters).

Pure functions over ledger rows, plus thin wrappers that read the rows of a pipeline for
a queryset of leads the caller already restricted (analytics builds on these).

Choices, written down once:
- A stay in a stage starts at the ledger row that entered it and ends at the lead's next
  ledger row; a lead still in the stage is counted up to `now`. Including those open
  stays makes a stage where leads get stuck visible at once (a stage nobody leaves would
  otherwise have no figure at all); it means a stage's durations can grow while nothing
  moves. A lead that re-enters a stage has its stays summed.
- Percentiles interpolate linearly between the two nearest ranks (numpy's default,
  Excel's PERCENTILE.INC): p(q) = x[i] + (x[i+1] - x[i]) * f with i + f = (n - 1) * q.
- A move rate follows a cohort: the leads that entered the stage in [start, end), and
  of them those that reached a later stage (higher order, not a lost stage) before
  `end`. A lead that entered twice in the window counts once.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from loudou.leads.models import Lead
from loudou.pipeline.choices import StageKind
from loudou.pipeline.models import Pipeline, StageChange

DAY = timedelta(days=1)


def _get(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _by_lead(rows: Iterable[Any]) -> dict[int, list[Any]]:
    """Ledger rows grouped per lead, each group in time order."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[_get(row, "lead_id")].append(row)
    for group in grouped.values():
        group.sort(key=lambda r: (_get(r, "at"), _get(r, "id") or 0))
    return grouped


def stays(rows: Iterable[Any]) -> list[tuple[int, int, datetime, datetime | None]]:
    """(lead_id, stage_id, entered, left) per stay; `left` is None while the lead is there."""
    result = []
    for lead_id, group in _by_lead(rows).items():
        for row, following in zip(group, [*group[1:], None], strict=True):
            left = _get(following, "at") if following is not None else None
            result.append((lead_id, _get(row, "to_stage_id"), _get(row, "at"), left))
    return result


def time_in_stage(rows: Iterable[Any], now: datetime) -> dict[int, dict[int, timedelta]]:
    """{lead_id: {stage_id: time spent}} from ledger rows (objects or .values() dicts with
    lead_id, to_stage_id, at, id); open stays run until `now`."""
    spent: dict[int, dict[int, timedelta]] = defaultdict(lambda: defaultdict(timedelta))
    for lead_id, stage_id, entered, left in stays(rows):
        spent[lead_id][stage_id] += (left or now) - entered
    return {lead: dict(stages) for lead, stages in spent.items()}


def percentile(values: list[float], q: float) -> float | None:
    """The q-th quantile (0..1) with linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def ledger_rows(pipeline: Pipeline, leads: QuerySet[Lead]) -> list[dict[str, Any]]:
    """The ledger rows of `pipeline` for `leads` (already visibility-restricted)."""
    return list(
        StageChange.objects.filter(pipeline=pipeline, lead__in=leads.order_by().values("pk"))
        .order_by("lead_id", "at", "id")
        .values("id", "lead_id", "to_stage_id", "at")
    )


def stage_durations(
    pipeline: Pipeline, leads: QuerySet[Lead], now: datetime
) -> list[dict[str, Any]]:
    """Per stage, in order: how many leads spent time there, how many are still there, and
    the median and 75th percentile of days spent (open stays counted up to `now`)."""
    rows = ledger_rows(pipeline, leads)
    per_stage: dict[int, list[float]] = defaultdict(list)
    for by_stage in time_in_stage(rows, now).values():
        for stage_id, spent in by_stage.items():
            per_stage[stage_id].append(spent / DAY)
    still_in: dict[int, int] = defaultdict(int)
    for _lead, stage_id, _entered, left in stays(rows):
        if left is None:
            still_in[stage_id] += 1
    return [
        {
            "stage": stage,
            "leads": len(per_stage[stage.pk]),
            "still_in": still_in[stage.pk],
            "median_days": _days(percentile(per_stage[stage.pk], 0.5)),
            "p75_days": _days(percentile(per_stage[stage.pk], 0.75)),
        }
        for stage in pipeline.stages.order_by("order")
    ]


def _first_entry(group: list[Any], stage_id: int, start: datetime, end: datetime) -> int | None:
    """The position in `group` of the lead's first entry into the stage within the window."""
    for position, row in enumerate(group):
        if _get(row, "to_stage_id") == stage_id and start <= _get(row, "at") < end:
            return position
    return None


def _moved_forward(later: list[Any], forward: set[int], end: datetime) -> bool:
    return any(_get(r, "to_stage_id") in forward and _get(r, "at") < end for r in later)


def move_rates(
    pipeline: Pipeline, leads: QuerySet[Lead], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Per stage, in order: leads that entered it in [start, end), how many of them moved
    forward before `end`, and the rate in percent (one decimal; None when none entered)."""
    stages = list(pipeline.stages.order_by("order"))
    groups = _by_lead(ledger_rows(pipeline, leads)).values()
    result = []
    for stage in stages:
        forward = {s.pk for s in stages if s.order > stage.order and s.kind != StageKind.LOST}
        entered = moved = 0
        for group in groups:
            position = _first_entry(group, stage.pk, start, end)
            if position is not None:
                entered += 1
                moved += _moved_forward(group[position + 1 :], forward, end)
        rate = round(moved * 100 / entered, 1) if entered else None
        result.append({"stage": stage, "entered": entered, "moved_forward": moved, "rate": rate})
    return result


def cycle_days(pipeline: Pipeline, leads: QuerySet[Lead]) -> dict[int, float]:
    """{lead_id: days from entering the pipeline to first entering a won stage}, for the
    leads that have won."""
    won = set(pipeline.stages.filter(kind=StageKind.WON).values_list("pk", flat=True))
    result = {}
    for lead_id, group in _by_lead(ledger_rows(pipeline, leads)).items():
        first_won = next((r for r in group if _get(r, "to_stage_id") in won), None)
        if first_won is not None:
            result[lead_id] = round((_get(first_won, "at") - _get(group[0], "at")) / DAY, 2)
    return result
