"""Analytics pages: parse the scope → compute with the services → render (chart + table)."""

from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loudou.analytics import exports
from loudou.analytics.forms import BY_CHOICES, ScopeForm
from loudou.analytics.services import charts
from loudou.analytics.services.conversion import conversion
from loudou.analytics.services.forecast import PRESETS, forecast, preset_period
from loudou.analytics.services.funnel import funnel
from loudou.analytics.services.performance import GRANULARITIES, default_dates, performance
from loudou.analytics.services.process import process_indicators
from loudou.analytics.services.quota import MAX_TARGET_DEALS, reverse_funnel
from loudou.analytics.services.trends import monthly_trends
from loudou.core.replica import replica_reads

PRESET_CHOICES = [
    ("this_month", gettext_lazy("本月")),
    ("next_month", gettext_lazy("下月")),
    ("this_quarter", gettext_lazy("本季度")),
    ("next_quarter", gettext_lazy("下季度")),
    ("custom", gettext_lazy("自定义日期")),
]


def _page(request, template: str, tab: str, compute, query: QueryDict | None = None):
    """The tab's page; with `format=csv|xlsx`, its tables as that file (same figures)."""
    query = (request.GET if query is None else query).copy()
    kind = query.pop("format", [""])[-1]
    form = ScopeForm(query or None, user=request.user)
    context = {"form": form, "tab": tab, "query": query.urlencode()}
    try:
        scope = form.scope() if form.is_bound else ScopeForm({}, user=request.user).scope()
        form.initial.update(start=scope.start, end=scope.end)  # the period shown is the one used
        context["scope"] = scope
        with replica_reads():  # ADR 0018: the figures may come from the read replica
            context.update(compute(scope))
    except ValidationError as error:
        context["errors"] = error.messages
        return render(request, template, context, status=400)
    if kind in exports.FORMATS:
        return exports.download(exports.tables_of(tab, context), tab, kind)
    return render(request, template, context)


@login_required
def funnel_view(request):
    def compute(scope):
        # the company's days in stage in calendar days, from the kept histogram, as on
        # the director's home (ADR 0017); a team's or rep's in elapsed days
        result = funnel(scope, days="calendar")
        return {"result": result, "chart": charts.funnel_chart(result)}

    return _page(request, "analytics/funnel.html", "funnel", compute)


@login_required
def conversion_view(request):
    by = request.GET.get("by") or "source"
    by = by if by in dict(BY_CHOICES) else "source"

    def compute(scope):
        rows = conversion(scope, by=by)
        return {
            "rows": rows,
            "by": by,
            "by_choices": BY_CHOICES,
            "chart": charts.conversion_chart(rows),
        }

    return _page(request, "analytics/conversion.html", "conversion", compute)


@login_required
def process_view(request):
    return _page(
        request,
        "analytics/process.html",
        "process",
        lambda scope: {"process": process_indicators(scope)},
    )


@login_required
def quota_view(request):
    basis = "ideal" if request.GET.get("basis") == "ideal" else "measured"
    raw = (request.GET.get("target_deals") or "").strip()

    def compute(scope):
        typed = raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_TARGET_DEALS
        try:  # without a typed number, the scope's stored target (targets app)
            quota = reverse_funnel(scope, target_deals=int(raw) if typed else None, basis=basis)
        except ValidationError as error:
            if typed:
                raise
            return {"basis": basis, "target": "", "quota": None, "hint": error.messages}
        return {"basis": basis, "target": raw if typed else "", "quota": quota}

    return _page(request, "analytics/quota.html", "quota", compute)


@login_required
def trends_view(request):
    def compute(scope):
        rows = monthly_trends(scope, months=12)
        return {"months": rows, "chart": charts.trend_chart(rows), "title": _("月度趋势")}

    return _page(request, "analytics/trends.html", "trends", compute)


def _forecast_query(request) -> tuple[QueryDict, str]:
    """The filters with the period resolved: a preset's dates are put in the date fields
    (so the form shows the period used); without `period` (a link from another tab, whose
    dates are a past analysis period) this quarter; `custom` takes the dates given."""
    query, today = request.GET.copy(), timezone.localdate()
    preset = query.get("period", "")
    if preset not in (*PRESETS, "custom"):
        preset = "this_quarter"
    if preset == "custom":
        first, last = preset_period("this_quarter", today)
        query["start"] = query.get("start") or first.isoformat()
        query["end"] = query.get("end") or last.isoformat()
    else:
        start, end = preset_period(preset, today)
        query["start"], query["end"] = start.isoformat(), end.isoformat()
    query["period"] = preset
    return query, preset


def _amount(raw: str) -> Decimal | None:
    """A positive amount of at most 12 digits and 2 decimals, else None (no target)."""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    ok = value.is_finite() and Decimal("0") < value < Decimal("1e12")
    return value.quantize(Decimal("0.01")) if ok else None


@login_required
def forecast_view(request):
    query, preset = _forecast_query(request)
    raw = (query.get("target") or "").strip()
    target = _amount(raw)

    def compute(scope):
        result = forecast(scope, target_amount=target)
        return {
            "forecast": result,
            "chart": charts.forecast_chart(result),
            "period": preset,
            "presets": PRESET_CHOICES,
            "target": raw if target is not None else "",
        }

    return _page(request, "analytics/forecast.html", "forecast", compute, query)


METRIC_NAMES = [
    ("revenue", gettext_lazy("销售额")),
    ("orders", gettext_lazy("订单数")),
    ("new_customers", gettext_lazy("新客户数")),
]
GRANULARITY_CHOICES = [
    ("month", gettext_lazy("月度")),
    ("quarter", gettext_lazy("季度")),
    ("year", gettext_lazy("年度")),
]


def _performance_query(request) -> tuple[QueryDict, str]:
    """The filters with the granularity checked and, when no date is given, the default
    periods of that granularity up to today (so the form shows the dates used)."""
    query = request.GET.copy()
    granularity = query.get("granularity", "")
    granularity = granularity if granularity in GRANULARITIES else "month"
    query["granularity"] = granularity
    if not query.get("start") and not query.get("end"):
        start, end = default_dates(granularity, timezone.localdate())
        query["start"], query["end"] = start.isoformat(), end.isoformat()
    return query, granularity


@login_required
def performance_view(request):
    from loudou.targets.forms import ActionForm
    from loudou.targets.selectors import (
        action_teams,
        actions_for,
        visible_targets,
        with_action_permissions,
    )

    query, granularity = _performance_query(request)
    user = request.user

    def compute(scope):
        result = performance(scope, granularity=granularity)
        span = result["range"]
        found = actions_for(
            user, team=scope.team, owner=scope.rep, start=span["start"], end=span["end"]
        )
        focus = result["periods"][result["focus"]]
        initial = {"period": GRANULARITIES[granularity], "period_start": focus["start"]}
        return {
            "performance": result,
            "focus": focus,
            "granularity": granularity,
            "granularities": GRANULARITY_CHOICES,
            "metric_names": METRIC_NAMES,
            "dimension_metrics": METRIC_NAMES[:2],
            "charts": charts.performance_charts(result),
            "actions": with_action_permissions(user, found[:100]),
            "may_add_action": user.sees_all or action_teams(user).exists(),
            "action_form": ActionForm(
                user=user,
                targets=visible_targets(user).filter(start__range=(span["start"], span["end"])),
                initial={**initial, "team": scope.team},
            ),
            "today": timezone.localdate(),
            "here": f"{request.path}?{query.urlencode()}",
        }

    return _page(request, "analytics/performance.html", "performance", compute, query)


@login_required
def director_targets_view(request):
    """The director's home targets, quarter board and forecast (loaded by the home) from
    the worker's latest snapshot (ADR 0022)."""
    from loudou.analytics.services.dashboards import role_of
    from loudou.analytics.services.snapshot import director_targets

    if role_of(request.user) != "director":
        raise PermissionDenied
    context = {"targets": replica_reads(director_targets)(request.user)}  # ADR 0018
    return render(request, "analytics/_director_targets.html", context)
