"""Reverse-funnel quota (定额): how many leads each stage needs now for a target.

The deals to sign: a typed signing target (or revenue target ÷ the average deal amount of
the scope's deals) overrides; without one, the stored target of the scope (targets app:
the rep's, the team's, or the company's orders target, else its revenue target) whose
period covers the analysis period, else the shortest one holding its last day, minus
what it has already reached (its actual): the deals still to sign.

Walking back from the won stage: needed(won) = the deals; needed(stage) =
ceil(needed(next stage) / move rate of the stage). The rate is the measured move rate
of the period (funnel.move_rate) or the stage's ideal one (basis="ideal"); a stage
without a measured rate falls back to the ideal (flagged). Held = leads of the scope in
the stage now.

Per rep (docs/domain/analytics.md): a rep with their own stored target takes its deals
still to sign; the rest of the scope's deals are split evenly over the other reps. Each
rep's leads per stage are walked back through the rep's own measured move rates (the
scope's rate where the rep has none, or on basis="ideal"), unrounded, each stage rounded
up for display: needed_r(s) = ceil(deals_r × Π over s…last open stage of 100 / rate_r),
so a rep who converts better needs fewer leads per deal.
"""

import math
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db.models import Avg, Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from loudou.analytics.services.funnel import move_rates
from loudou.analytics.services.scope import Scope
from loudou.org.choices import Role
from loudou.org.models import Team
from loudou.pipeline.choices import StageKind
from loudou.targets.choices import Metric, Period, ScopeKind
from loudou.targets.models import Target
from loudou.targets.selectors import visible_targets
from loudou.targets.services.actuals import actuals

#: The largest signing target a quota is computed for.
MAX_TARGET_DEALS = 1_000_000
#: The metrics a quota reads from stored targets, preferred first.
QUOTA_METRICS = (Metric.ORDERS, Metric.REVENUE)


def average_deal(scope: Scope) -> Decimal | None:
    value = (
        scope.pipeline_leads()
        .filter(progress__won_at__isnull=False, amount__isnull=False)
        .aggregate(avg=Avg("amount"))["avg"]
    )
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


# stored targets -----------------------------------------------------------------------------


def subject_q(scope: Scope) -> Q | None:
    """Whose stored target the scope reads: the rep's, the team's, the company's (a
    director or admin without a team), a manager's one team, a rep's own."""
    viewer = scope.viewer
    if scope.rep is not None:
        return Q(scope_kind=ScopeKind.PERSON, person=scope.rep)
    if scope.team is not None:
        return Q(scope_kind=ScopeKind.TEAM, team=scope.team)
    if viewer.sees_all:
        return Q(scope_kind=ScopeKind.COMPANY)
    if viewer.role == Role.MANAGER:
        teams = list(Team.objects.filter(manager=viewer)[:2])
        return Q(scope_kind=ScopeKind.TEAM, team=teams[0]) if len(teams) == 1 else None
    return Q(scope_kind=ScopeKind.PERSON, person=viewer)


def _candidates(scope: Scope, targets: QuerySet[Target]) -> QuerySet[Target]:
    """Orders or revenue targets covering the period, else holding its last day; the
    covering and shorter ones first, orders before revenue."""
    rank = Case(
        When(period=Period.MONTHLY, then=Value(0)),
        When(period=Period.QUARTERLY, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    covers = Case(
        When(start__lte=scope.start, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    metric = Case(
        When(metric=Metric.ORDERS, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        targets.filter(metric__in=QUOTA_METRICS, start__lte=scope.end, end__gte=scope.end)
        .annotate(covers=covers, rank=rank, metric_rank=metric)
        .order_by("covers", "rank", "metric_rank", "pk")
    )


def stored_target(scope: Scope) -> Target | None:
    """The stored target the quota of `scope` reads when none is typed (see above)."""
    subject = subject_q(scope)
    if subject is None:
        return None
    return _candidates(scope, visible_targets(scope.viewer).filter(subject)).first()


def _rep_targets(scope: Scope, reps: list) -> dict[int, Target]:
    """Each rep's own stored target (the same choice as the scope's), among those the
    viewer sees."""
    found = visible_targets(scope.viewer).filter(
        scope_kind=ScopeKind.PERSON, person__in=[r.pk for r in reps]
    )
    chosen: dict[int, Target] = {}
    for target in _candidates(scope, found):
        chosen.setdefault(target.person_id, target)
    return chosen


def _to_go(target: Target, reached, average: Decimal | None) -> int | None:
    """Deals still to sign for `target` having reached `reached` (None: revenue without
    an average deal to divide by)."""
    left = max(target.value - (reached or 0), Decimal(0))
    if target.metric == Metric.ORDERS:
        return math.ceil(left)
    if not average:
        return None
    return math.ceil(left / average)


# the deals to sign ----------------------------------------------------------------------------


def _typed(scope: Scope, target_deals, target_revenue) -> tuple[int, Decimal | None]:
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


def _stored(scope: Scope, target: Target | None, reached) -> tuple[int, Decimal | None, dict]:
    if target is None:
        raise ValidationError(
            {"target_deals": _("请填写签约目标或收入目标，或先设定本期的订单数或销售额目标。")}
        )
    average = average_deal(scope) if target.metric == Metric.REVENUE else None
    deals = _to_go(target, reached, average)
    if deals is None:
        raise ValidationError({"target_revenue": _("没有已成交的金额，无法按收入换算签约数。")})
    source = {
        "kind": "stored",
        "target_id": target.pk,
        "label": str(target),
        "metric": target.metric,
        "value": target.value,
        "actual": reached,
        "deals_to_go": deals,
    }
    return deals, average, source


# the walk ------------------------------------------------------------------------------------


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
    reps = list(scope.reps().order_by("username"))
    stored = stored_target(scope) if target_deals is None and target_revenue is None else None
    own = _rep_targets(scope, reps)
    reached = actuals([t for t in (stored, *own.values()) if t is not None])
    if target_deals is None and target_revenue is None:
        deals, average, source = _stored(scope, stored, _value(reached, stored))
    else:
        deals, average = _typed(scope, target_deals, target_revenue)
        source = {"kind": "typed"}
    chain = [s for s in scope.stages if s.kind == StageKind.OPEN]
    held = _held(scope)
    needed, rows = deals, []
    measured = move_rates(scope) if basis == "measured" else None
    for stage in reversed(chain):
        rate, rate_basis = _rate(stage, measured)
        needed = None if needed is None or not rate else math.ceil(needed * 100 / rate)
        have = sum(n for (owner, stage_id), n in held.items() if stage_id == stage.pk)
        rows.append(
            {
                "stage_id": stage.pk,
                "name": str(stage),
                "rate": rate,
                "rate_basis": rate_basis,
                "needed": needed,
                "held": have,
                "gap": None if needed is None else max(needed - have, 0),
            }
        )
    rows.reverse()
    rep_average = average
    if rep_average is None and any(t.metric == Metric.REVENUE for t in own.values()):
        rep_average = average_deal(scope)
    rep_deals = _rep_deals(deals, reps, own, reached, rep_average)
    return {
        "target_deals": deals,
        "average_deal": average,
        "basis": basis,
        "source": source,
        "stages": rows,
        "reps": _per_rep(scope, rows, chain, reps, rep_deals, held, basis),
    }


def _value(reached: dict, target: Target | None):
    return None if target is None else reached[target.pk].value


def _rep_deals(deals: int, reps: list, own: dict, reached: dict, average) -> dict[int, dict]:
    """{rep id: {"deals": Fraction, "basis": "own_target" | "split", "target_id"}}."""
    result: dict[int, dict] = {}
    for rep in reps:
        target = own.get(rep.pk)
        to_go = None if target is None else _to_go(target, reached[target.pk].value, average)
        if to_go is not None:
            result[rep.pk] = {"deals": Fraction(to_go), "basis": "own_target", "target": target}
    rest = [rep for rep in reps if rep.pk not in result]
    left = max(deals - sum(int(r["deals"]) for r in result.values()), 0)
    for rep in rest:
        result[rep.pk] = {"deals": Fraction(left, len(rest)), "basis": "split", "target": None}
    return result


def _rep_rates(scope: Scope, rep, chain: list, rows: list, basis: str) -> dict[int, tuple]:
    """{stage id: (rate, "own" | "scope")}: the rep's measured move rate, else the
    scope's (measured or ideal) rate."""
    scope_rates = {row["stage_id"]: row["rate"] for row in rows}
    mine = None
    if basis == "measured":
        mine = move_rates(
            Scope(
                scope.viewer, scope.team, rep, scope.start, scope.end, scope.pipeline, scope.stages
            )
        )
    rates = {}
    for stage in chain:
        own = mine[stage.pk]["rate"] if mine is not None else None
        rates[stage.pk] = (own, "own") if own else (scope_rates[stage.pk], "scope")
    return rates


def _per_rep(scope, rows, chain, reps, rep_deals, held, basis) -> list[dict]:
    result = []
    for rep in reps:
        share = rep_deals[rep.pk]
        rates = _rep_rates(scope, rep, chain, rows, basis)
        cells, x = {}, share["deals"]
        for stage in reversed(chain):
            rate, rate_basis = rates[stage.pk]
            x = None if x is None or not rate else x * 100 / Fraction(str(rate))
            needed = None if x is None else math.ceil(x)
            have = held.get((rep.pk, stage.pk), 0)
            cells[stage.pk] = {
                "stage_id": stage.pk,
                "needed": needed,
                "held": have,
                "gap": None if needed is None else max(needed - have, 0),
                "rate": rate,
                "rate_basis": rate_basis,
            }
        target = share["target"]
        result.append(
            {
                "rep_id": rep.pk,
                "name": str(rep),
                "deals": round(float(share["deals"]), 2),
                "basis": share["basis"],
                "target_id": None if target is None else target.pk,
                "cells": [cells[row["stage_id"]] for row in rows],
            }
        )
    return result
