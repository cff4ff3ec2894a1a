"""Every analytics report as a spreadsheet, with the page's figures: the tables of a tab
one under another, each under its title, in a .csv (UTF-8 with BOM), or one sheet per
table in an .xlsx. Numbers stay numbers; a text a spreadsheet would evaluate gets a
leading apostrophe (`imports.exports.neutralise`). Pages and API call `download` with
the same context the page renders, so a file holds exactly what the page shows."""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.imports.exports import neutralise

FORMATS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[Any]]


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers as numbers, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    return neutralise(str(value))


def _csv(tables: list[Table]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for i, table in enumerate(tables):
        if i:
            writer.writerow([])
        writer.writerow([cell(table.title)])
        writer.writerow([cell(h) for h in table.header])
        writer.writerows([[cell(v) for v in row] for row in table.rows])
    return ("\ufeff" + out.getvalue()).encode()


def _sheet_title(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title)[:28] or "Sheet"
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[:25]}({n})"
    used.add(name)
    return name


def _xlsx(tables: list[Table]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        sheet.append([cell(h) for h in table.header])
        for row in table.rows:
            sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def check_format(kind: str) -> None:
    if kind not in FORMATS:
        raise ValidationError({"format": [_("格式只能是 csv 或 xlsx。")]})


def download(tables: list[Table], name: str, kind: str) -> HttpResponse:
    """`tables` as `name`-<time>.csv or .xlsx."""
    check_format(kind)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if kind == "xlsx":
        response = HttpResponse(_xlsx(tables), content_type=XLSX)
    else:
        response = HttpResponse(_csv(tables), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{kind}"'
    return response


def scope_table(scope) -> Table:
    """The parameters the figures are for (first table of every file)."""
    rows = [
        [_("开始日期"), scope.start],
        [_("结束日期"), scope.end],
        [_("销售漏斗"), scope.pipeline],
        [_("团队"), scope.team or _("全部")],
        [_("销售员"), scope.rep or _("全部")],
    ]
    return Table(_("统计范围"), [_("参数"), _("值")], rows)


# the tabs ------------------------------------------------------------------------------------


def pct_label(label: str) -> str:
    return f"{label}(%)"


def funnel_tables(context: dict) -> list[Table]:
    result = context["result"]
    stages = Table(
        _("销售漏斗"),
        [
            _("阶段"),
            _("到达"),
            _("当前"),
            pct_label(_("流失率")),
            _("停留天数中位数"),
            _("停留天数P75"),
            _("理想移动天数"),
            pct_label(_("移动率")),
            pct_label(_("理想移动率")),
            _("人均客户数"),
            _("每人理想客户数"),
        ],
        [
            [
                s["name"],
                s["reached"],
                s["current"],
                s["dropoff_pct"],
                s["median_days"],
                s["p75_days"],
                s["ideal_days"],
                s["move_rate"],
                s["ideal_move_rate"],
                s["count_per_rep"],
                s["ideal_count_per_rep"],
            ]
            for s in result["stages"]
        ],
    )
    held = [s for s in result["stages"] if s["held"] is not None]
    reps = Table(
        _("各销售员当前客户数与理想客户数"),
        [_("销售员"), *(s["name"] for s in held)],
        [[r["name"], *(c["count"] for c in r["cells"])] for r in result["reps"]],
    )
    return [stages, reps]


def conversion_header(by_label: str) -> list[str]:
    return [
        by_label,
        _("线索数"),
        _("成交数"),
        pct_label(_("转化率")),
        _("平均转化周期(天)"),
        _("转化周期中位数(天)"),
        _("主要赢单因素"),
        _("主要流失原因"),
        _("建议行动"),
    ]


def _factors(pairs) -> str:
    return "、".join(f"{name} ({n})" for name, n in pairs)


def conversion_tables(context: dict) -> list[Table]:
    by_label = str(dict(context["by_choices"])[context["by"]])
    rows = [
        [
            r["label"],
            r["leads"],
            r["deals"],
            r["rate"],
            r["avg_cycle_days"],
            r["median_cycle_days"],
            _factors(r["win_factors"]),
            _factors(r["loss_factors"]),
            " ".join(r["actions"]),
        ]
        for r in context["rows"]
    ]
    return [Table(_("转化分析表"), conversion_header(by_label), rows)]


def process_tables(context: dict) -> list[Table]:
    p = context["process"]
    rows = [
        [pct_label(_("首次响应及时率")), p["first_response"]["pct"]]
        + [p["first_response"]["met"], p["first_response"]["leads"]],
        [pct_label(_("需求调研完整度")), p["need_research"]["pct"]]
        + [p["need_research"]["complete"], p["need_research"]["leads"]],
        [_("人均每周跟进次数"), p["follow_ups_per_rep_week"]["value"]]
        + [p["follow_ups_per_rep_week"]["follow_ups"], None],
        [pct_label(_("分配后24小时内未跟进占比")), p["not_followed_24h"]["pct"]]
        + [p["not_followed_24h"]["missed"], p["not_followed_24h"]["leads"]],
        [_("跟进3次以上未推进阶段的线索"), p["stuck"]["leads"], None, None],
    ]
    return [Table(_("过程指标"), [_("指标"), _("数值"), _("分子"), _("分母")], rows)]


def quota_tables(context: dict) -> list[Table]:
    quota = context.get("quota")
    if quota is None:
        return []
    stages = Table(
        _("定额"),
        [_("阶段"), pct_label(_("移动率")), _("依据"), _("需要"), _("现有"), _("缺口")],
        [
            [s["name"], s["rate"], s["rate_basis"], s["needed"], s["held"], s["gap"]]
            for s in quota["stages"]
        ],
    )
    names = [s["name"] for s in quota["stages"]]
    header = [_("销售员"), _("签约数"), _("依据")]
    for name in names:
        header += [f"{name} {_('现有')}", f"{name} {_('需要')}"]
    rows = []
    for r in quota["reps"]:
        line = [r["name"], r["deals"], r["basis"]]
        for c in r["cells"]:
            line += [c["held"], c["needed"]]
        rows.append(line)
    return [stages, Table(_("各销售员"), header, rows)]


def trends_tables(context: dict) -> list[Table]:
    header = [_("月份")]
    for name in (_("线索数"), _("成交数"), _("成交金额")):
        header += [name, pct_label(_("环比")), pct_label(_("同比"))]
    rows = []
    for m in context["months"]:
        line = [m["month"]]
        for name in ("leads", "deals", "revenue"):
            line += [m[name], m[f"{name}_mom"], m[f"{name}_yoy"]]
        rows.append(line)
    return [Table(_("月度趋势"), header, rows)]


def forecast_tables(context: dict) -> list[Table]:
    result = context["forecast"]
    sim, target = result["simulation"], result["target"]
    summary = Table(
        _("成交金额预测"),
        [_("指标"), _("数值")],
        [
            [_("开始日期"), result["start"]],
            [_("结束日期"), result["end"]],
            ["P10", sim["p10"]],
            [_("P50（中位数）"), sim["p50"]],
            ["P90", sim["p90"]],
            [_("合计（期望）"), sim["mean"]],
            [_("目标"), target["amount"]],
            [pct_label(_("达成目标概率")), target["probability"]],
            [_("本期已成交"), sim["closed_revenue"]],
            [_("现有未结束线索（期望）"), sim["from_open"]],
            [_("新线索（期望）"), sim["from_new"]],
        ],
    )
    weighted = result["weighted"]
    stages = Table(
        _("加权管道"),
        [
            _("阶段"),
            _("线索数"),
            _("有金额"),
            _("金额"),
            pct_label(_("阶段赢单概率")),
            _("加权金额"),
            pct_label(_("实际赢单率")),
            _("按实际赢单率加权"),
        ],
        [
            [
                s["name"],
                s["leads"],
                s["with_amount"],
                s["amount"],
                s["stage_probability"],
                s["weighted"],
                s["won_probability"],
                s["weighted_measured"],
            ]
            for s in weighted["stages"]
        ]
        + [
            [
                _("合计"),
                weighted["leads"],
                weighted["with_amount"],
                weighted["amount"],
                None,
                weighted["weighted"],
                None,
                weighted["weighted_measured"],
            ]
        ],
    )
    return [summary, stages]


TABLES: dict[str, Callable[[dict], list[Table]]] = {
    "funnel": funnel_tables,
    "conversion": conversion_tables,
    "process": process_tables,
    "quota": quota_tables,
    "trends": trends_tables,
    "forecast": forecast_tables,
}


def period_statuses() -> dict[str, str]:
    return {"complete": _("已结束"), "in_progress": _("进行中"), "future": _("未开始")}


def metric_labels() -> dict[str, str]:
    return {"revenue": _("销售额"), "orders": _("订单数"), "new_customers": _("新客户数")}


def _figure_header(metric_label: str) -> list[str]:
    return [
        f"{metric_label} {_('目标')}",
        f"{metric_label} {_('实际')}",
        f"{metric_label} {pct_label(_('完成率'))}",
        f"{metric_label} {_('上期')}",
        f"{metric_label} {pct_label(_('环比'))}",
        f"{metric_label} {_('去年同期')}",
        f"{metric_label} {pct_label(_('同比'))}",
    ]


def _figure_cells(f: dict) -> list:
    keys = ("target", "actual", "completion_pct", "previous", "previous_pct", "last_year")
    return [f[k] for k in keys] + [f["yoy_pct"]]


def performance_tables(context: dict) -> list[Table]:
    result, labels = context["performance"], metric_labels()
    statuses = period_statuses()
    header = [_("周期"), _("开始日期"), _("结束日期"), _("状态"), _("已过天数"), _("天数")]
    for metric in ("revenue", "orders", "new_customers"):
        header += _figure_header(labels[metric])
    rows = []
    for p in result["periods"]:
        line = [p["label"], p["start"], p["end"], statuses[p["status"]]]
        line += [p["elapsed_days"], p["days"]]
        for metric in ("revenue", "orders", "new_customers"):
            line += _figure_cells(p[metric])
        rows.append(line)
    tables = [Table(_("目标与实际"), header, rows)]
    for dim in result["dimensions"]:
        header = [dim["label"]]
        for metric in ("revenue", "orders"):
            header += _figure_header(labels[metric])
        body = [
            [r["label"], *_figure_cells(r["revenue"]), *_figure_cells(r["orders"])]
            for r in dim["rows"]
        ]
        tables.append(Table(_("按{dimension}").format(dimension=dim["label"]), header, body))
    tables.append(_process_table(result["process"]))
    for dim in result["win_rates"]:
        tables.append(_win_table(dim))
    tables.append(_actions_table(context.get("actions", [])))
    return tables


def _process_table(process: dict) -> Table:
    rows = [
        [_("拜访"), *_counts(process["visits"])],
        [_("电话"), *_counts(process["calls"])],
        [_("跟进次数"), *_counts(process["follow_ups"])],
        *([c["label"], *_counts(c)] for c in process["by_channel"]),
        [_("方案(进入商机阶段)"), *_counts(process["proposals"])],
    ]
    cohort = process["cohort"]
    rows += [
        [_("线索"), cohort["leads"], None, None],
        [_("意向客户(商机)"), cohort["opportunities"], None, None],
        [_("订单"), cohort["orders"], None, None],
        [pct_label(_("线索→意向客户")), cohort["lead_to_opportunity_pct"], None, None],
        [pct_label(_("意向客户→订单")), cohort["opportunity_to_order_pct"], None, None],
        [pct_label(_("线索→订单")), cohort["lead_to_order_pct"], None, None],
    ]
    header = [_("指标"), _("本期"), _("上期"), pct_label(_("环比"))]
    return Table(_("结果与过程指标"), header, rows)


def _counts(figure: dict) -> list:
    return [figure["count"], figure["previous"], figure["previous_pct"]]


def _win_table(dim: dict) -> Table:
    header = [
        dim["label"],
        _("赢单"),
        _("输单"),
        pct_label(_("赢单率")),
        _("线索数"),
        _("成交数"),
        pct_label(_("转化率")),
    ]
    rows = [
        [r["label"], r["won"], r["lost"], r["win_rate"], r["leads"], r["deals"]]
        + [r["conversion_pct"]]
        for r in dim["rows"]
    ]
    return Table(_("赢单率：按{dimension}").format(dimension=dim["label"]), header, rows)


def _actions_table(actions) -> Table:
    header = [
        _("周期"),
        _("团队"),
        _("范围说明"),
        _("差异原因"),
        _("改进措施"),
        _("负责人"),
        _("完成期限"),
        _("状态"),
        _("完成时间"),
    ]
    rows = [
        [
            a.period_label,
            a.team or _("全公司"),
            a.scope,
            a.variance_reason,
            a.action,
            a.owner,
            a.deadline,
            a.get_status_display(),
            a.done_at,
        ]
        for a in actions
    ]
    return Table(_("改进措施"), header, rows)


TABLES["performance"] = performance_tables


def tables_of(tab: str, context: dict) -> list[Table]:
    """The tables of a tab's page context (the scope first)."""
    return [scope_table(context["scope"]), *TABLES[tab](context)]
