"""Chart data for the pages (ECharts options are built in static/analytics/charts.js from
these plain lists, passed through json_script: the CSP allows no inline script)."""

from django.utils.translation import gettext as _

from loudou.pipeline.choices import StageKind


def funnel_chart(result: dict) -> dict:
    stages = [s for s in result["stages"] if s["kind"] != StageKind.LOST]
    return {
        "kind": "funnel",
        "series": [
            {"name": s["name"], "value": s["reached"], "drop": s["dropoff_pct"]} for s in stages
        ],
        "label": _("到达"),
    }


def conversion_chart(rows: list[dict]) -> dict:
    body = [r for r in rows if r["key"] is not None]
    return {
        "kind": "bars",
        "categories": [r["label"] for r in body],
        "series": [
            {"name": _("线索数"), "type": "bar", "data": [r["leads"] for r in body]},
            {"name": _("成交数"), "type": "bar", "data": [r["deals"] for r in body]},
            {
                "name": _("转化率") + "(%)",
                "type": "line",
                "axis": 1,
                "data": [r["rate"] for r in body],
            },
        ],
    }


def trend_chart(rows: list[dict]) -> dict:
    return {
        "kind": "lines",
        "categories": [r["month"] for r in rows],
        "series": [
            {"name": _("线索数"), "type": "line", "data": [r["leads"] for r in rows]},
            {"name": _("成交数"), "type": "line", "data": [r["deals"] for r in rows]},
            {"name": _("成交金额"), "type": "bar", "axis": 1, "data": [r["revenue"] for r in rows]},
        ],
    }


def forecast_chart(result: dict) -> dict:
    """The simulated distribution of the period's revenue, its P10-P90 band, the median
    and the target (drawn by static/analytics/forecast.js)."""
    simulation = result["simulation"]
    return {
        "kind": "forecast",
        "density": simulation["density"],
        "p10": simulation["p10"],
        "p50": simulation["p50"],
        "p90": simulation["p90"],
        "target": result["target"]["amount"],
        "labels": {
            "series": _("模拟分布"),
            "band": _("P10-P90 区间"),
            "target": _("目标"),
            "x": _("期间成交金额"),
            "y": _("模拟次数占比(%)"),
        },
    }


def _number(value) -> float | None:
    return None if value is None else float(value)


def performance_chart(periods: list[dict], metric: str) -> dict:
    """Target against actual over the periods (lines), completion on the second axis."""
    return {
        "kind": "lines",
        "categories": [p["label"] for p in periods],
        "series": [
            {
                "name": _("目标"),
                "type": "line",
                "data": [_number(p[metric]["target"]) for p in periods],
            },
            {
                "name": _("实际"),
                "type": "line",
                "data": [_number(p[metric]["actual"]) for p in periods],
            },
            {
                "name": _("完成率") + "(%)",
                "type": "bar",
                "axis": 1,
                "data": [p[metric]["completion_pct"] for p in periods],
            },
        ],
    }


def dimension_chart(rows: list[dict], metric: str = "revenue") -> dict:
    """A dimension's groups (the total left out): this period, the previous one and the
    same period last year, as bars."""
    body = [r for r in rows if r["key"] is not None]
    return {
        "kind": "bars",
        "categories": [r["label"] for r in body],
        "series": [
            {
                "name": _("本期"),
                "type": "bar",
                "data": [_number(r[metric]["actual"]) for r in body],
            },
            {
                "name": _("上期"),
                "type": "bar",
                "data": [_number(r[metric]["previous"]) for r in body],
            },
            {
                "name": _("去年同期"),
                "type": "bar",
                "data": [_number(r[metric]["last_year"]) for r in body],
            },
        ],
    }


def win_rate_chart(rows: list[dict]) -> dict:
    """Win rate and cohort conversion rate per group (bars)."""
    body = [r for r in rows if r["key"] is not None]
    return {
        "kind": "bars",
        "categories": [r["label"] for r in body],
        "series": [
            {"name": _("赢单率") + "(%)", "type": "bar", "data": [r["win_rate"] for r in body]},
            {
                "name": _("转化率") + "(%)",
                "type": "bar",
                "data": [r["conversion_pct"] for r in body],
            },
        ],
    }


def cohort_funnel_chart(cohort: dict) -> dict:
    """Lead → opportunity → order of the cohort, as a funnel."""
    steps = [
        (_("线索"), cohort["leads"]),
        (_("意向客户(商机)"), cohort["opportunities"]),
        (_("订单"), cohort["orders"]),
    ]
    previous = None
    series = []
    for name, value in steps:
        drop = None if not previous else round((previous - value) * 100 / previous, 1)
        series.append({"name": name, "value": value, "drop": drop})
        previous = value
    return {"kind": "funnel", "series": series, "label": _("到达")}


def performance_charts(result: dict) -> dict:
    """Every chart of the performance tab, by the id its json_script gets."""
    found = {
        "perf-revenue-chart": performance_chart(result["periods"], "revenue"),
        "perf-orders-chart": performance_chart(result["periods"], "orders"),
        "perf-cohort-chart": cohort_funnel_chart(result["process"]["cohort"]),
    }
    for dim in result["dimensions"]:
        found[f"perf-{dim['by']}-chart"] = dimension_chart(dim["rows"])
    for dim in result["win_rates"]:
        found[f"win-{dim['by']}-chart"] = win_rate_chart(dim["rows"])
    return found
