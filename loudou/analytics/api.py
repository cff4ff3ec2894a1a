"""Analytics endpoints: the same scope (visibility, period, pipeline) as the pages; with
`format=csv|xlsx` each answers the page's tables as that file (`analytics.exports`)."""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from loudou.analytics import exports
from loudou.analytics.forms import BY_CHOICES
from loudou.analytics.services.conversion import conversion
from loudou.analytics.services.forecast import forecast, resolve_period
from loudou.analytics.services.funnel import funnel
from loudou.analytics.services.performance import default_dates, performance
from loudou.analytics.services.process import process_indicators
from loudou.analytics.services.quota import MAX_TARGET_DEALS, reverse_funnel
from loudou.analytics.services.scope import Scope
from loudou.analytics.services.trends import monthly_trends
from loudou.core.replica import replica_reads

router = Router(tags=["analytics"])
router.add_decorator(replica_reads)  # ADR 0018: reads may come from the read replica


class ScopeParams(Schema):
    start: date | None = None
    end: date | None = None
    pipeline: int | None = None
    team: int | None = None
    rep: int | None = None
    format: Literal["json", "csv", "xlsx"] = Field(
        "json", description="json, or the page's tables as a .csv or .xlsx file"
    )


class ConversionParams(ScopeParams):
    by: Literal[
        "source", "grade", "region", "industry", "team", "rep", "product", "customer_type"
    ] = "source"


class QuotaParams(ScopeParams):
    target_deals: int | None = Field(None, ge=1, le=MAX_TARGET_DEALS)
    target_revenue: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=2)
    basis: Literal["measured", "ideal"] = "measured"


class TrendParams(ScopeParams):
    months: int = Field(12, ge=1, le=36)


def _scope(request, params: ScopeParams) -> Scope:
    return Scope.build(
        request.user,
        team=params.team,
        rep=params.rep,
        start=params.start,
        end=params.end,
        pipeline=params.pipeline,
    )


def _meta(scope: Scope) -> dict:
    return {
        "start": scope.start,
        "end": scope.end,
        "pipeline": scope.pipeline.pk if scope.pipeline else None,
        "team": scope.team.pk if scope.team else None,
        "rep": scope.rep.pk if scope.rep else None,
    }


def _answer(params: ScopeParams, tab: str, scope: Scope, context: dict, body: dict):
    """`body`, or with `format` csv/xlsx the tab's tables from the page's `context`."""
    if params.format == "json":
        return body
    tables = exports.tables_of(tab, {"scope": scope, **context})
    return exports.download(tables, tab, params.format)


@router.get("/funnel")
def funnel_api(request, params: Query[ScopeParams]):
    """Stages with reached/current counts, drop-off, days (median, p75), move rate and
    count per rep against the ideal state, and the lead-list querystrings behind them.
    Days in stage as on the page: the company's in calendar days, a team's or rep's in
    elapsed days (`days_basis`)."""
    scope = _scope(request, params)
    result = funnel(scope, days="calendar")
    return _answer(params, "funnel", scope, {"result": result}, {"scope": _meta(scope), **result})


@router.get("/conversion")
def conversion_api(request, params: Query[ConversionParams]):
    """The conversion table (转化分析表) by the chosen dimension, total row last."""
    scope = _scope(request, params)
    rows = conversion(scope, by=params.by)
    context = {"rows": rows, "by": params.by, "by_choices": BY_CHOICES}
    return _answer(
        params, "conversion", scope, context, {"scope": _meta(scope), "by": params.by, "rows": rows}
    )


@router.get("/process")
def process_api(request, params: Query[ScopeParams]):
    scope = _scope(request, params)
    result = process_indicators(scope)
    body = {"scope": _meta(scope), **result}
    return _answer(params, "process", scope, {"process": result}, body)


@router.get("/quota")
def quota_api(request, params: Query[QuotaParams]):
    """Reverse funnel (定额) for a signing or revenue target."""
    scope = _scope(request, params)
    result = reverse_funnel(
        scope,
        target_deals=params.target_deals,
        target_revenue=params.target_revenue,
        basis=params.basis,
    )
    return _answer(params, "quota", scope, {"quota": result}, {"scope": _meta(scope), **result})


@router.get("/trends")
def trends_api(request, params: Query[TrendParams]):
    scope = _scope(request, params)
    months = monthly_trends(scope, months=params.months)
    body = {"scope": _meta(scope), "months": months}
    return _answer(params, "trends", scope, {"months": months}, body)


class ForecastParams(ScopeParams):
    period: Literal["this_month", "next_month", "this_quarter", "next_quarter"] | None = Field(
        None, description="a preset period; overrides start/end (none of the three: this quarter)"
    )
    target_amount: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=2)


@router.get("/forecast")
def forecast_api(request, params: Query[ForecastParams]):
    """Weighted pipeline and the Monte Carlo forecast of the revenue closed in the period
    (P10/P50/P90, probability of reaching `target_amount` or the stored target)."""
    start, end, _preset = resolve_period(
        preset=params.period, start=params.start, end=params.end, today=timezone.localdate()
    )
    period = params.model_copy(update={"start": start, "end": end})
    scope = _scope(request, period)
    result = forecast(scope, target_amount=params.target_amount)
    body = {"scope": _meta(scope), **result}
    return _answer(params, "forecast", scope, {"forecast": result}, body)


class PerformanceParams(ScopeParams):
    granularity: Literal["month", "quarter", "year"] = Field(
        "month", description="the periods: calendar months, quarters or years"
    )


@router.get("/performance")
def performance_api(request, params: Query[PerformanceParams]):
    """Performance analysis (销售业绩分析): per calendar period overlapping start..end
    (default: the last 12 months / 4 quarters / 3 years to today) the subject's stored
    targets, actuals and completion of revenue, orders and new customers with their
    changes (an in-progress period compared like-for-like); the focus period by region,
    product line, rep, customer type (and team for directors); visits, calls, proposals,
    the cohort's lead → opportunity → order; won, lost and win rate beside the cohort
    conversion by every dimension."""
    if params.start is None and params.end is None:
        start, end = default_dates(params.granularity, timezone.localdate())
        params = params.model_copy(update={"start": start, "end": end})
    scope = _scope(request, params)
    result = performance(scope, granularity=params.granularity)
    body = {"scope": _meta(scope), **result}
    if params.format == "json":
        return body
    from loudou.targets.selectors import actions_for

    span = result["range"]
    actions = actions_for(
        request.user, team=scope.team, owner=scope.rep, start=span["start"], end=span["end"]
    )
    context = {"performance": result, "actions": list(actions[:100])}
    return _answer(params, "performance", scope, context, body)
