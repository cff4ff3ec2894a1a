"""The director's home figures (SPEC §11): the company's targets of this month, quarter
and year with their completion, and this quarter's revenue, completion and win rate per
region and product line. One read of this year's deals serves every figure; the
definitions are the performance tab's (`performance`, `winrate`)."""

from collections import Counter
from datetime import date, datetime

from django.utils import timezone

from loudou.analytics.services.performance import Ledger, Subject, Window
from loudou.analytics.services.stats import pct
from loudou.analytics.services.winrate import closed_leads
from loudou.org.models import ProductLine, Region, User
from loudou.targets.choices import Metric, Period
from loudou.targets.periods import bounds, containing, period_label
from loudou.targets.selectors import visible_targets
from loudou.targets.services.actuals import completion, deals

METRICS = (Metric.REVENUE, Metric.ORDERS)
COMPANY = Subject("company", "", "company")


def _targets(viewer: User, periods: list[Window]) -> dict:
    """{(scope_key, period, start, metric): target} of the company, its regions and
    product lines for `periods` (one query)."""
    starts = {(w.kind, w.start) for w in periods}
    found = visible_targets(viewer).filter(
        scope_kind__in=("company", "region", "product_line"),
        start__in=[s for _k, s in starts],
        metric__in=METRICS,
    )
    return {
        (t.scope_key, t.period, t.start, t.metric): t
        for t in found
        if (t.period, t.start) in starts
    }


def _company_row(window: Window, ledger: Ledger, targets: dict) -> dict:
    row = {
        "period": window.kind,
        "label": period_label(window.kind, window.start),
        "start": window.start,
        "end": window.end,
        "elapsed_pct": pct(window.elapsed or window.days, window.days),
    }
    for metric in METRICS:
        target = targets.get(("company", window.kind, window.start, metric))
        actual = ledger.value(metric, *window.so_far())
        row[metric] = {
            "target": None if target is None else target.value,
            "target_id": None if target is None else target.pk,
            "actual": actual,
            "completion_pct": None if target is None else completion(actual, target.value),
        }
    return row


def _groups(by: str, quarter: Window, ledger: Ledger, targets: dict, closed) -> list[dict]:
    """This quarter per region or product line: revenue, orders, the revenue target's
    completion, won, lost and win rate."""
    prefix, model = ("region", Region) if by == "region" else ("product_line", ProductLine)
    keys = {"region": lambda d: [d.region_id], "product": lambda d: sorted(d.products)}[by]
    revenue: Counter = Counter()
    orders: Counter = Counter()
    for deal in ledger.between(*quarter.so_far()):
        for key in keys(deal):
            revenue[key] += deal.amount or 0
            orders[key] += 1
    wins, losses = Counter(), Counter()
    for lead in closed:
        for key in lead.keys(by):
            (wins if lead.won else losses)[key] += 1
    names = {o.pk: str(o) for o in model.objects.filter(is_active=True)}
    rows = []
    for key in sorted(set(names) | {k for k in revenue if k is not None}):
        target = targets.get((f"{prefix}:{key}", Period.QUARTERLY, quarter.start, Metric.REVENUE))
        won, lost = wins[key], losses[key]
        rows.append(
            {
                "key": key,
                "label": names.get(key, str(key)),
                "revenue": revenue[key],
                "orders": orders[key],
                "target": None if target is None else target.value,
                "completion_pct": None
                if target is None
                else completion(revenue[key], target.value),
                "won": won,
                "lost": lost,
                "win_rate": pct(won, won + lost),
            }
        )
    rows.sort(key=lambda r: (-r["revenue"], -r["orders"], r["label"]))
    return rows


def director_board(viewer: User, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    periods = [
        Window(Period.MONTHLY, containing(Period.MONTHLY, today), today),
        Window(Period.QUARTERLY, containing(Period.QUARTERLY, today), today),
        Window(Period.ANNUAL, date(today.year, 1, 1), today),
    ]
    year = periods[-1]
    since, until = bounds(year.start, year.end)
    ledger = Ledger(deals(until=until, since=since), set())
    targets = _targets(viewer, periods)
    quarter = periods[1]
    closed = closed_leads(COMPANY, ledger, quarter.start, quarter.end)
    return {
        "targets": [_company_row(w, ledger, targets) for w in periods],
        "quarter": {"label": period_label(quarter.kind, quarter.start), "start": quarter.start},
        "regions": _groups("region", quarter, ledger, targets, closed),
        "products": _groups("product", quarter, ledger, targets, closed),
    }
