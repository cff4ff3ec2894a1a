"""Reverse-funnel quota (定额): how many leads each stage needs now for a target.

Walking back from the won stage: needed(won) = target deals (or the revenue target
divided by the average deal amount of the scope's deals); needed(stage) =
ceil(needed(next stage) / move rate of the stage). The rate is the measured move rate
of the period (funnel.move_rate) or the stage's ideal one (basis="ideal"); a stage
without a measured rate falls back to the ideal (flagged). Held = leads of the scope in
the stage now; per rep the target is split evenly over the scope's reps.
"""

import math
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count
from django.utils.translation import gettext as _

from loudou.analytics.services.funnel import move_rates
from loudou.analytics.services.scope import Scope
from loudou.pipeline.choices import StageKind

#: The largest signing target a quota is computed for.
MAX_TARGET_DEALS = 1_000_000


def average_deal(scope: Scope) -> Decimal | None:
    value = (
        scope.pipeline_leads()
        .filter(progress__won_at__isnull=False, amount__isnull=False)
        .aggregate(avg=Avg("amount"))["avg"]
    )
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def _target(scope: Scope, target_deals, target_revenue) -> tuple[int, Decimal | None]:
    if target_deals is None and target_revenue is None:
        raise ValidationError({"target_deals": _("请填写签约目标或收入目标。")})
    if target_deals is not None:
        if int(target_deals) < 1:
            raise ValidationError({"target_deals": _("签约目标必须大于 0。")})
        return int(target_deals), None
    revenue = Decimal(str(target_revenue))
    if revenue <= 0:
        raise ValidationError({"target_revenue": _("收入目标必须大于 0。")})
    average = average_deal(scope)
    if not average:
        raise ValidationError({"target_revenue": _("没有已成交的金额，无法按收入换算签约数。")})
    return math.ceil(revenue / average), average


def _rate(stage, measured: dict | None) -> tuple[float | None, str]:
    ideal = None if stage.ideal_move_rate is None else float(stage.ideal_move_rate)
    if measured is not None and measured[stage.pk]["rate"]:
        return measured[stage.pk]["rate"], "measured"
    return ideal, "ideal"


def _held(scope: Scope) -> dict[tuple[int | None, int], int]:
    rows = scope.pipeline_leads().order_by().values("stage_id", "owner_id").annotate(n=Count("*"))
    return {(r["owner_id"], r["stage_id"]): r["n"] for r in rows}


def reverse_funnel(
    scope: Scope, target_deals=None, target_revenue=None, basis: str = "measured"
) -> dict:
    if basis not in {"measured", "ideal"}:
        raise ValidationError({"basis": _("依据只能是 measured 或 ideal。")})
    deals, average = _target(scope, target_deals, target_revenue)
    chain = [s for s in scope.stages if s.kind == StageKind.OPEN]
    reps = list(scope.reps().order_by("username"))
    held = _held(scope)
    needed, rows = deals, []
    measured = move_rates(scope) if basis == "measured" else None
    for stage in reversed(chain):
        rate, source = _rate(stage, measured)
        needed = None if needed is None or not rate else math.ceil(needed * 100 / rate)
        have = sum(n for (owner, stage_id), n in held.items() if stage_id == stage.pk)
        rows.append(
            {
                "stage_id": stage.pk,
                "name": str(stage),
                "rate": rate,
                "rate_basis": source,
                "needed": needed,
                "held": have,
                "gap": None if needed is None else max(needed - have, 0),
            }
        )
    rows.reverse()
    return {
        "target_deals": deals,
        "average_deal": average,
        "basis": basis,
        "stages": rows,
        "reps": _per_rep(rows, reps, held),
    }


def _per_rep(rows: list[dict], reps: list, held: dict) -> list[dict]:
    share = len(reps) or 1
    result = []
    for rep in reps:
        cells = []
        for row in rows:
            needed = None if row["needed"] is None else math.ceil(row["needed"] / share)
            have = held.get((rep.pk, row["stage_id"]), 0)
            gap = None if needed is None else max(needed - have, 0)
            cells.append({"stage_id": row["stage_id"], "needed": needed, "held": have, "gap": gap})
        result.append({"rep_id": rep.pk, "name": str(rep), "cells": cells})
    return result
