"""Keep the ledger projections (`StageStay`, `LeadProgress`) in step with the ledger.

`record_stage_change` is called by `pipeline.services.move_stage` inside its transaction,
so a move and its projection commit or roll back together. `rebuild` recomputes them from
the ledger in bulk (after a bulk load, a restore or a bug fix); both give the same rows.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models import Max

from loudou.analytics.models import LeadProgress, StageStay
from loudou.core.database import refresh_statistics
from loudou.leads.models import Lead
from loudou.pipeline.choices import StageKind
from loudou.pipeline.models import Stage, StageChange

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BATCH = 5000


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch (exact integer arithmetic, no float rounding)."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _progress_after(
    progress: LeadProgress | None, change: StageChange, stage: Stage, captured_at: datetime
) -> LeadProgress:
    if progress is None:
        progress = LeadProgress(lead_id=change.lead_id, pipeline_id=change.pipeline_id)
        progress.first_at = change.at
    if stage.kind == StageKind.LOST:
        progress.lost_at, progress.lost_reason_id = change.at, change.lost_reason_id
    else:
        progress.max_order = max(progress.max_order, stage.order)
    if stage.kind == StageKind.WON and progress.won_at is None:
        progress.won_at, progress.cycle_us = change.at, to_us(change.at) - to_us(captured_at)
    return progress


def record_stage_change(change: StageChange) -> None:
    """Project one new ledger row: close the lead's open stay, open a new one, and move
    the lead's progress on; the company aggregates follow (ADR 0017). Called once per
    `move_stage`, in its transaction."""
    from loudou.analytics.services.aggregates import track

    with track([change.lead_id], exclude_change=change.pk):
        _record(change)


def _record(change: StageChange) -> None:
    at_us = to_us(change.at)
    seq = StageStay.objects.filter(lead_id=change.lead_id).count()
    previous = StageStay.objects.filter(
        lead_id=change.lead_id, stage_id=change.to_stage_id
    ).aggregate(at=Max("entered_at"))["at"]
    StageStay.objects.filter(lead_id=change.lead_id, left_us__isnull=True).update(
        left_at=change.at, left_us=at_us
    )
    StageStay.objects.create(
        change=change,
        lead_id=change.lead_id,
        pipeline_id=change.pipeline_id,
        stage_id=change.to_stage_id,
        seq=seq,
        entered_at=change.at,
        entered_us=at_us,
        previous_entry_at=previous,
    )
    stage = change.to_stage
    if stage.kind != StageKind.LOST:
        lower = Stage.objects.filter(pipeline_id=stage.pipeline_id, order__lt=stage.order)
        StageStay.objects.filter(
            lead_id=change.lead_id, advanced_at__isnull=True, stage_id__in=lower.values("pk")
        ).exclude(change=change).update(advanced_at=change.at)
    captured_at = Lead.objects.filter(pk=change.lead_id).values_list("captured_at", flat=True)[0]
    current = LeadProgress.objects.filter(lead_id=change.lead_id).first()
    _progress_after(current, change, stage, captured_at).save()


def _us_sql(column: str) -> str:
    """SQL for the epoch microseconds of a datetime column, exact on both databases."""
    if connection.vendor == "sqlite":  # stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC
        return (
            f"(CAST(strftime('%%s', substr({column}, 1, 19)) AS INTEGER) * 1000000 + CASE WHEN "
            f"length({column}) > 19 THEN CAST(substr({column}, 21, 6) AS INTEGER) ELSE 0 END)"
        )
    return f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS BIGINT)"


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    models = {
        "stay": StageStay,
        "progress": LeadProgress,
        "change": StageChange,
        "stage": Stage,
        "lead": Lead,
    }
    return {name: quote(model._meta.db_table) for name, model in models.items()}


def _insert_stays(where: str) -> str:
    t = _tables()
    return f"""
        INSERT INTO {t["stay"]} (change_id, lead_id, pipeline_id, stage_id, seq,
                                 entered_at, entered_us, left_at, left_us, previous_entry_at)
        SELECT id, lead_id, pipeline_id, to_stage_id, seq, at, {_us_sql("at")},
               nxt, CASE WHEN nxt IS NULL THEN NULL ELSE {_us_sql("nxt")} END, prev
        FROM (
            SELECT id, lead_id, pipeline_id, to_stage_id, at,
                   ROW_NUMBER() OVER w - 1 AS seq, LEAD(at) OVER w AS nxt,
                   LAG(at) OVER (PARTITION BY lead_id, to_stage_id ORDER BY at, id) AS prev
            FROM {t["change"]} {where}
            WINDOW w AS (PARTITION BY lead_id ORDER BY at, id)
        ) ledger
    """  # noqa: S608 — only table names from _meta and %s placeholders are interpolated


def _insert_progress(where: str) -> str:
    t, order = _tables(), connection.ops.quote_name("order")
    return f"""
        INSERT INTO {t["progress"]} (lead_id, pipeline_id, first_at, max_order, won_at,
                                     cycle_us, lost_at, lost_reason_id)
        SELECT s.lead_id, MIN(s.pipeline_id), MIN(s.entered_at),
               MAX(CASE WHEN st.kind <> 'lost' THEN st.{order} ELSE 0 END),
               MIN(CASE WHEN st.kind = 'won' THEN s.entered_at END),
               MIN(CASE WHEN st.kind = 'won' THEN s.entered_us END) - {_us_sql("l.captured_at")},
               MAX(CASE WHEN st.kind = 'lost' THEN s.entered_at END),
               (SELECT c.lost_reason_id FROM {t["change"]} c JOIN {t["stage"]} cs
                    ON cs.id = c.to_stage_id
                WHERE c.lead_id = s.lead_id AND cs.kind = 'lost'
                ORDER BY c.at DESC, c.id DESC LIMIT 1)
        FROM {t["stay"]} s JOIN {t["stage"]} st ON st.id = s.stage_id
             JOIN {t["lead"]} l ON l.id = s.lead_id
        {where.replace("lead_id", "s.lead_id")}
        GROUP BY s.lead_id, l.captured_at
    """  # noqa: S608 — only table names from _meta and %s placeholders are interpolated


def _update_advanced(where: str) -> str:
    t, order = _tables(), connection.ops.quote_name("order")
    return f"""
        UPDATE {t["stay"]} SET advanced_at = (
            SELECT MIN(later.entered_at) FROM {t["stay"]} later
            JOIN {t["stage"]} ls ON ls.id = later.stage_id
            WHERE later.lead_id = {t["stay"]}.lead_id AND later.seq > {t["stay"]}.seq
              AND ls.kind <> 'lost'
              AND ls.{order} > (SELECT st.{order} FROM {t["stage"]} st
                                WHERE st.id = {t["stay"]}.stage_id)
        )
        WHERE left_at IS NOT NULL {where.replace("WHERE", "AND")}
    """  # noqa: S608 — only table names from _meta and %s placeholders are interpolated


def _rebuild_some(lead_ids: list[int]) -> None:
    for start in range(0, len(lead_ids), BATCH):
        chunk = lead_ids[start : start + BATCH]
        where = "WHERE lead_id IN ({})".format(", ".join(["%s"] * len(chunk)))
        StageStay.objects.filter(lead_id__in=chunk).delete()
        LeadProgress.objects.filter(lead_id__in=chunk).delete()
        with connection.cursor() as cursor:
            cursor.execute(_insert_stays(where), chunk)
            cursor.execute(_update_advanced(where), chunk)
            cursor.execute(_insert_progress(where), chunk)


@transaction.atomic
def rebuild(lead_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Recompute the projections of `lead_ids` (None = every lead) from the ledger, in
    SQL (window functions, which SQLite ≥ 3.25 and PostgreSQL share): the same rows as
    `record_stage_change` keeps, and the lead's follow-up figures
    (`activities.services.contacts.recount`). Returns {"stays": n, "leads": n} rebuilt."""
    from loudou.activities.services.contacts import recount  # the lead's contact figures
    from loudou.analytics.services import aggregates

    if lead_ids is None:
        recount()
        StageStay.objects.all().delete()
        LeadProgress.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(_insert_stays(""), [])  # params: '%%' unescaped on both backends
            cursor.execute(_update_advanced(""), [])
            cursor.execute(_insert_progress(""), [])
        aggregates.rebuild()
        # a bulk change of every derived table: the planner's figures of them are stale
        # (PostgreSQL planned nested loops over "empty" projections: 3 s instead of 5 ms)
        refresh_statistics()
        return {"stays": StageStay.objects.count(), "leads": LeadProgress.objects.count()}
    lead_ids = sorted(set(lead_ids))
    recount(lead_ids)
    with aggregates.track(lead_ids):
        _rebuild_some(lead_ids)
    return {
        "stays": StageStay.objects.filter(lead_id__in=lead_ids).count(),
        "leads": LeadProgress.objects.filter(lead_id__in=lead_ids).count(),
    }
