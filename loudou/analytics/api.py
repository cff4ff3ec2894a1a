"""Analytics endpoints: the same scope (visibility, period, pipeline) as the pages."""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from loudou.analytics.services.conversion import conversion
from loudou.analytics.services.forecast import forecast, resolve_period
from loudou.analytics.services.funnel import funnel
from loudou.analytics.services.process import process_indicators
from loudou.analytics.services.quota import MAX_TARGET_DEALS, reverse_funnel
from loudou.analytics.services.scope import Scope
from loudou.analytics.services.trends import monthly_trends

router = Router(tags=["analytics"])


class ScopeParams(Schema):
    start: date | None = None
    end: date | None = None
    pipeline: int | None = None
    team: int | None = None
    rep: int | None = None


class ConversionParams(ScopeParams):
    by: Literal["source", "grade", "region", "industry", "team", "rep", "product"] = "source"


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


@router.get("/funnel")
def funnel_api(request, params: Query[ScopeParams]):
    """Stages with reached/current counts, drop-off, days (median, p75), move rate and
    count per rep against the ideal state, and the lead-list querystrings behind them."""
    scope = _scope(request, params)
    return {"scope": _meta(scope), **funnel(scope)}


@router.get("/conversion")
def conversion_api(request, params: Query[ConversionParams]):
    """The conversion table (转化分析表) by the chosen dimension, total row last."""
    scope = _scope(request, params)
    return {"scope": _meta(scope), "by": params.by, "rows": conversion(scope, by=params.by)}


@router.get("/process")
def process_api(request, params: Query[ScopeParams]):
    scope = _scope(request, params)
    return {"scope": _meta(scope), **process_indicators(scope)}


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
    return {"scope": _meta(scope), **result}


@router.get("/trends")
def trends_api(request, params: Query[TrendParams]):
    scope = _scope(request, params)
    return {"scope": _meta(scope), "months": monthly_trends(scope, months=params.months)}


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
    return {"scope": _meta(scope), **result}
