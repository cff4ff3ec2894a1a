"""Projections of the stage ledger (ADR 0009): derived rows, rebuildable at any time.

Both are written only by `loudou.analytics.projections` (called by `move_stage` and by
`rebuild`); nothing else may change them, and they hold nothing that the ledger
(`pipeline.StageChange`) and the lead do not already say.
"""

import json
from datetime import date, datetime
from decimal import Decimal

from django.db import models


class StageStay(models.Model):
    """One stay of a lead in a stage: from the ledger row that entered it to the lead's
    next ledger row (`left_at` empty while the lead is still there); `advanced_at` is the
    first later entry into a higher non-lost stage (the move-rate numerator). Times are also kept
    as integer microseconds since the epoch so durations sum the same way on SQLite and
    PostgreSQL."""

    change = models.OneToOneField(
        "pipeline.StageChange", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    # no single-column index: stay_lead_cover starts with the lead and covers the reads
    lead = models.ForeignKey(
        "leads.Lead", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    pipeline = models.ForeignKey("pipeline.Pipeline", on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey("pipeline.Stage", on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveIntegerField()
    entered_at = models.DateTimeField()
    entered_us = models.BigIntegerField()
    left_at = models.DateTimeField(null=True)
    left_us = models.BigIntegerField(null=True)
    #: when the lead first entered a later (higher order, not lost) stage after this stay
    advanced_at = models.DateTimeField(null=True)
    #: the lead's previous entry into the same stage (empty for its first): a stay is the
    #: lead's first entry into the stage within a window iff this is before the window,
    #: so move rates count rows instead of distinct leads
    previous_entry_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lead", "seq"], name="stay_lead_seq")]
        indexes = [
            models.Index(fields=["pipeline", "stage", "entered_at"]),
            # covering: move rates read only these columns of the stays entered in a window
            models.Index(
                fields=[
                    "pipeline",
                    "entered_at",
                    "stage",
                    "previous_entry_at",
                    "advanced_at",
                    "lead",
                ],
                name="stay_window_cover",
            ),
            # covering, driven from a set of leads (a cohort, a team's leads): durations
            # sum (stage, entered_us, left_us); move rates read the window columns
            models.Index(
                fields=[
                    "lead",
                    "stage",
                    "entered_us",
                    "left_us",
                    "entered_at",
                    "previous_entry_at",
                    "advanced_at",
                    "pipeline",
                ],
                name="stay_lead_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}#{self.seq}: {self.stage_id}"


class LeadProgress(models.Model):
    """How far a lead got in its pipeline: the highest order of a non-lost stage it
    reached, when it first reached a won stage (and the cycle from capture in
    microseconds), and when it was last abandoned."""

    lead = models.OneToOneField(
        "leads.Lead", on_delete=models.CASCADE, related_name="progress", primary_key=True
    )
    pipeline = models.ForeignKey("pipeline.Pipeline", on_delete=models.CASCADE, related_name="+")
    first_at = models.DateTimeField()
    max_order = models.PositiveSmallIntegerField(default=0)
    won_at = models.DateTimeField(null=True)
    cycle_us = models.BigIntegerField(null=True)
    lost_at = models.DateTimeField(null=True)
    lost_reason = models.ForeignKey(
        "pipeline.LostReason", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["pipeline", "max_order"]),
            models.Index(fields=["pipeline", "won_at"]),
            # The won leads' deals (aggregates.kept_deals) read from the index alone on
            # PostgreSQL instead of scanning every lead's progress.
            models.Index(
                fields=["lead"],
                include=["cycle_us"],
                condition=models.Q(won_at__isnull=False),
                name="progress_won_lead",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.max_order}"


# Company-wide aggregates (ADR 0017): counts kept in the transaction of every write that
# changes them (loudou.analytics.services.aggregates), rebuildable from the ledger. Plain
# integer keys (0 = none) so that a unique constraint holds on both databases.


class CohortStage(models.Model):
    """Leads of a pipeline (with a ledger, not merged) per local capture day, current
    stage, highest non-lost order reached, won / lost at any time and region."""

    pipeline_id = models.IntegerField()
    day = models.DateField()
    stage_id = models.IntegerField()
    max_order = models.SmallIntegerField()
    won = models.BooleanField()
    lost = models.BooleanField()
    region_id = models.IntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline_id", "day", "stage_id", "max_order", "won", "lost", "region_id"],
                name="cohort_stage_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.stage_id}/{self.max_order}: {self.n}"


class CohortGroup(models.Model):
    """Per local capture day: the leads (`lost_reason_id` 0) of each group of a dimension
    (`kind` all / region / product, `key` 0 = not filled) and how many were won; with a
    lost reason, the distinct leads of the group that were ever lost for it."""

    pipeline_id = models.IntegerField()
    day = models.DateField()
    kind = models.CharField(max_length=16)
    key = models.IntegerField()
    lost_reason_id = models.IntegerField()
    won = models.BooleanField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline_id", "day", "kind", "key", "lost_reason_id", "won"],
                name="cohort_group_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.key}/{self.lost_reason_id}: {self.n}"


class StayDays(models.Model):
    """Histogram of the calendar days a cohort's leads spent in each stage (re-entries
    summed). Closed (`open` false): `value` is the days. The lead's current stage (`open`
    true): `value` is the ordinal of the local day it entered, less its earlier days there,
    so its days on `today` are `today.toordinal() - value`."""

    pipeline_id = models.IntegerField()
    day = models.DateField()
    stage_id = models.IntegerField()
    open = models.BooleanField()
    value = models.IntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline_id", "day", "stage_id", "open", "value"],
                name="stay_days_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.stage_id} {self.value}: {self.n}"


class StageEntry(models.Model):
    """Stays per local day they were entered, stage, local day of the lead's previous
    entry into that stage and local day the stay advanced (its `advanced_at`; both as
    date ordinals, 0 = none): the company's move rates of any period of whole days. Only
    stays of leads not merged, in the lead's own pipeline (as `funnel.move_rates` reads)."""

    pipeline_id = models.IntegerField()
    entered = models.DateField()
    stage_id = models.IntegerField()
    previous = models.IntegerField()
    advanced = models.IntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline_id", "entered", "stage_id", "previous", "advanced"],
                name="stage_entry_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.entered} {self.stage_id} {self.previous}/{self.advanced}: {self.n}"


class WonDeal(models.Model):
    """Deals per local day they were first won (`LeadProgress.won_at`), their lead's
    pipeline and the lead's amount in cents (0 for none): the company's deals and revenue
    of any month (trends), as `trends.monthly_trends` counts them from the leads."""

    pipeline_id = models.IntegerField()
    day = models.DateField()
    amount_cents = models.BigIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline_id", "day", "amount_cents"], name="won_deal_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.amount_cents}: {self.n}"


# The director's home figures precomputed by the worker (ADR 0022).


class FiguresEncoder(json.JSONEncoder):
    """JSON that keeps the types the figures hold: Decimal, date and datetime as tagged
    objects (`FiguresDecoder` turns them back), numpy scalars as plain numbers."""

    def default(self, o):
        if isinstance(o, Decimal):
            return {"$decimal": str(o)}
        if isinstance(o, datetime):
            return {"$datetime": o.isoformat()}
        if isinstance(o, date):
            return {"$date": o.isoformat()}
        if hasattr(o, "item"):  # a numpy scalar
            return o.item()
        return super().default(o)


def _tagged(found: dict):
    if len(found) == 1:
        ((tag, text),) = found.items()
        if tag == "$decimal":
            return Decimal(text)
        if tag == "$datetime":
            return datetime.fromisoformat(text)
        if tag == "$date":
            return date.fromisoformat(text)
    return found


class FiguresDecoder(json.JSONDecoder):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("object_hook", _tagged)
        super().__init__(*args, **kwargs)


class DirectorSnapshot(models.Model):
    """The director's home targets, quarter board and quarter forecast as computed at
    `computed_at` (by the worker every few minutes, or by the first request when there
    is none): the same figures for every viewer who sees all, so one row serves them."""

    computed_at = models.DateTimeField(db_index=True)
    figures = models.JSONField(encoder=FiguresEncoder, decoder=FiguresDecoder)

    def __str__(self) -> str:
        return f"{self.computed_at:%Y-%m-%d %H:%M}"
