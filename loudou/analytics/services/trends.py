"""Monthly trends: leads captured, deals won and their revenue per month, with
month-on-month (环比) and year-on-year (同比) changes in percent.

A deal counts in the month it first reached a won stage; revenue is the sum of those
deals' amounts. Months are calendar months in settings.TIME_ZONE ending with the month
of the scope's end.
"""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import BigIntegerField, CharField, Count, F, Sum, Value

from loudou.analytics.models import LeadProgress, WonDeal
from loudou.analytics.services import aggregates
from loudou.analytics.services.scope import Scope, local_midnight


def _month(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _change(current, previous) -> float | None:
    if previous in (None, 0):
        return None
    return round((float(current) - float(previous)) * 100 / float(previous), 1)


def _per_month(rows, field: str, bounds: list[tuple], count=None, **sums):
    """One aggregate per month over its own index range: no per-row date function (which
    SQLite runs in Python) and no row tested against every month. The months' aggregates
    are the arms of one UNION ALL (one query, each arm keeps its own range). `count` and
    `sums`: aggregate expressions (default COUNT(*); a name sums that column)."""
    sums = {name: Sum(value) if isinstance(value, str) else value for name, value in sums.items()}
    arms = [
        rows.filter(**{f"{field}__gte": low, f"{field}__lt": high})
        .order_by()
        .annotate(month=Value(f"{month:%Y%m}", output_field=CharField()))
        .values("month")
        .annotate(rows_counted=count or Count("*"), **sums)
        .values("month", "rows_counted", *sums)
        for month, low, high in bounds
    ]
    found = {}
    for row in arms[0].union(*arms[1:], all=True).order_by():
        found[f"n{row['month']}"] = row["rows_counted"]
        for name in sums:
            found[f"{name}{row['month']}"] = row[name]
    return found


def _deals(scope, bounds: list[tuple[date, datetime, datetime]]) -> dict:
    """{"n202603": deals, "revenue202603": their amounts, …}: deals per month of first
    win; the company's from the kept WonDeal rows (ADR 0017), others' from the leads."""
    if aggregates.answers(scope):
        days = [(month, month, _month(month, -1)) for month, _low, _high in bounds]
        kept = WonDeal.objects.filter(pipeline_id=scope.pipeline.pk)
        revenue = Sum(F("n") * F("amount_cents"), output_field=BigIntegerField())
        found = _per_month(kept, "day", days, count=Sum("n"), revenue=revenue)
        return {
            key: (Decimal(value) / 100 if key.startswith("revenue") and value else value)
            for key, value in found.items()
        }
    deals = LeadProgress.objects.filter(scope.lead_q())
    return _per_month(deals, "won_at", bounds, revenue="lead__amount")


def monthly_trends(scope: Scope, months: int = 12) -> list[dict]:
    last = _month(scope.end, 0)
    firsts = [_month(last, back) for back in range(months - 1 + 12, -2, -1)]
    bounds = [
        (first, local_midnight(first), local_midnight(after))
        for first, after in zip(firsts, firsts[1:], strict=False)
    ]
    # each month adds its own range (a second range on the column would drive the scan)
    lead_counts = _per_month(scope.leads(), "captured_at", bounds)
    deal_counts = _deals(scope, bounds)
    counts = {m: lead_counts[f"n{m:%Y%m}"] for m, _low, _high in bounds}
    won = {
        m: (deal_counts[f"n{m:%Y%m}"] or 0, deal_counts[f"revenue{m:%Y%m}"] or 0)
        for m, _low, _high in bounds
    }
    rows = []
    for back in range(months - 1, -1, -1):
        month = _month(last, back)
        row = _figures(month, counts, won)
        prev = _figures(_month(month, 1), counts, won)
        year = _figures(_month(month, 12), counts, won)
        for name in ("leads", "deals", "revenue"):
            row[f"{name}_mom"] = _change(row[name], prev[name])
            row[f"{name}_yoy"] = _change(row[name], year[name])
        rows.append(row)
    return rows


def _figures(month: date, counts: dict, won: dict) -> dict:
    deals, revenue = won.get(month, (0, 0))
    return {
        "month": month.strftime("%Y-%m"),
        "leads": counts.get(month, 0),
        "deals": deals,
        "revenue": float(revenue),
    }
