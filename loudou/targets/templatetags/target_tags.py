"""Target figures as people read them: 1,200,000.00 (revenue), 12 (counts), 30.0% (rates)."""

from decimal import Decimal

from django import template

from loudou.targets.choices import WHOLE, Metric

register = template.Library()


@register.filter
def metric_value(value: Decimal | None, metric: str) -> str:
    if value is None:
        return "—"
    if metric == Metric.REPURCHASE_RATE:
        return f"{value:.1f}%"
    if metric in WHOLE:
        return f"{int(value):,}"
    return f"{value:,.2f}"


@register.filter
def bar_width(pct: float | None) -> int:
    """A completion as the width of its bar (0 to 100)."""
    return 0 if pct is None else max(0, min(100, round(pct)))
