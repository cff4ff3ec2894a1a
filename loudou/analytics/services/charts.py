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
