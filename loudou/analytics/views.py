"""Analytics pages: parse the scope → compute with the services → render (chart + table)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from loudou.analytics.forms import BY_CHOICES, ScopeForm
from loudou.analytics.services import charts
from loudou.analytics.services.conversion import conversion
from loudou.analytics.services.funnel import funnel
from loudou.analytics.services.process import process_indicators
from loudou.analytics.services.quota import MAX_TARGET_DEALS, reverse_funnel
from loudou.analytics.services.trends import monthly_trends


def _page(request, template: str, tab: str, compute):
    form = ScopeForm(request.GET or None, user=request.user)
    context = {"form": form, "tab": tab, "query": request.GET.urlencode()}
    try:
        scope = form.scope() if form.is_bound else ScopeForm({}, user=request.user).scope()
        context["scope"] = scope
        context.update(compute(scope))
    except ValidationError as error:
        context["errors"] = error.messages
        return render(request, template, context, status=400)
    return render(request, template, context)


@login_required
def funnel_view(request):
    def compute(scope):
        result = funnel(scope)
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
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_TARGET_DEALS):
            return {"basis": basis, "target": "", "quota": None}
        quota = reverse_funnel(scope, target_deals=int(raw), basis=basis)
        return {"basis": basis, "target": raw, "quota": quota}

    return _page(request, "analytics/quota.html", "quota", compute)


@login_required
def trends_view(request):
    def compute(scope):
        rows = monthly_trends(scope, months=12)
        return {"months": rows, "chart": charts.trend_chart(rows), "title": _("月度趋势")}

    return _page(request, "analytics/trends.html", "trends", compute)
