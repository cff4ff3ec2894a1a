"""The weekly report as a PDF (reportlab, CID font STSong-Light for Chinese glyphs) and as
an Excel workbook (openpyxl). Both are drawn from the stored JSON snapshot only."""

from io import BytesIO

from django.utils.translation import gettext as _

from loudou.analytics.services.conversion import group_label
from loudou.health.models import HealthReport
from loudou.health.services.reports import bottleneck_action, bottleneck_label
from loudou.health.services.texts import rule_label
from loudou.leads.models import SourceChannel
from loudou.pipeline.models import Stage


def pct(label: str) -> str:
    """A column of percentages: the figure's name (the analytics pages' msgid) + "(%)"."""
    return f"{label}(%)"


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class _Names:
    """Names in the active language for what the snapshot names by id (stages, sources):
    the current record's localized name, else the snapshot's own words."""

    def __init__(self, data: dict):
        stage_ids = {s.get("stage_id") for s in data.get("funnel", {}).get("stages", [])}
        stage_ids |= {b.get("stage_id") for b in data.get("bottlenecks", [])}
        sources = {r.get("key") for r in data.get("conversion", {}).get("source", [])}
        self.stages = {s.pk: str(s) for s in Stage.objects.filter(pk__in=_ids(stage_ids))}
        self.sources = {s.pk: str(s) for s in SourceChannel.objects.filter(pk__in=_ids(sources))}

    def stage(self, item: dict, stored: str) -> str:
        return self.stages.get(item.get("stage_id"), stored)

    def group(self, by: str, row: dict) -> str:
        """A conversion row's group: "not filled", the total and the grades are words of
        the source language in the snapshot; sources are records."""
        key = row.get("key")
        if key is None:
            return _("合计")
        models = self.sources if by == "source" else {}
        return group_label(by, None if key == "none" else key, models, default=row["label"])

    def bottleneck(self, item: dict) -> tuple[str, str]:
        """(what, suggested action) of a bottleneck."""
        if item.get("stage_id") is not None:
            item = {**item, "stage": self.stage(item, item.get("stage", ""))}
        return bottleneck_label(item), bottleneck_action(item)


def _ids(values) -> list[int]:
    return [v for v in values if isinstance(v, int)]


def sections(report: HealthReport) -> list[tuple[str, list[str], list[list]]]:
    """(title, header, rows) per section: the same tables in the page, PDF and workbook."""
    data = report.data
    names = _Names(data)
    stages = data.get("funnel", {}).get("stages", [])
    process = data.get("process", {})
    funnel_rows = [
        [
            names.stage(s, s["name"]),
            s["reached"],
            s["current"],
            s["dropoff_pct"],
            s["median_days"],
            s["ideal_days"],
            s["move_rate"],
            s["ideal_move_rate"],
            s["count_per_rep"],
            s["ideal_count_per_rep"],
        ]
        for s in stages
    ]

    def conversion_rows(by: str) -> list[list]:
        return [
            [
                names.group(by, r),
                r["leads"],
                r["deals"],
                r["rate"],
                r["avg_cycle_days"],
                r["median_cycle_days"],
            ]
            for r in data.get("conversion", {}).get(by, [])
        ]

    conv_header = [
        _("分组"),
        _("线索数"),
        _("成交数"),
        pct(_("转化率")),
        _("平均转化周期(天)"),
        _("转化周期中位数(天)"),
    ]
    return [
        (
            _("漏斗与理想状态对比"),
            [
                _("阶段"),
                _("到达"),
                _("当前"),
                pct(_("流失率")),
                _("停留天数中位数"),
                _("理想天数"),
                pct(_("移动率")),
                pct(_("理想移动率")),
                _("人均客户数"),
                _("理想人均客户数"),
            ],
            funnel_rows,
        ),
        (_("按线索来源的转化与周期"), conv_header, conversion_rows("source")),
        (_("按意向等级的转化与周期"), conv_header, conversion_rows("grade")),
        (
            _("跟进及时性"),
            [_("指标"), _("数值")],
            [
                [label, process.get(key, {}).get(figure)]
                for label, key, figure in (
                    (pct(_("首次响应及时率")), "first_response", "pct"),
                    (pct(_("分配后24小时内未跟进占比")), "not_followed_24h", "pct"),
                    (_("人均每周跟进次数"), "follow_ups_per_rep_week", "value"),
                    (pct(_("需求调研完整度")), "need_research", "pct"),
                    (_("跟进3次以上未推进阶段的线索"), "stuck", "leads"),
                )
            ],
        ),
        (
            _("意外状态"),
            [_("规则"), _("未解决")],
            [
                [rule_label(r["rule"], r["label"]), r["count"]]
                for r in data.get("exceptions", {}).get("by_rule", [])
            ],
        ),
        (
            _("三大瓶颈与建议"),
            [_("序号"), _("瓶颈"), _("建议行动")],
            [[i, *names.bottleneck(b)] for i, b in enumerate(data.get("bottlenecks", []), 1)],
        ),
    ]


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filename(report: HealthReport, ext: str) -> str:
    scope = report.scope_key.replace(":", "-")
    return f"health-{scope}-{report.iso_year}-W{report.iso_week:02d}.{ext}"


def title(report: HealthReport) -> str:
    return _("销售流程健康度报告 · {scope} · {start} 至 {end}").format(
        scope=report.scope_label, start=report.period_start, end=report.period_end
    )


def pdf_bytes(report: HealthReport) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=8, leading=11, wordWrap="CJK")
    heading = ParagraphStyle("h", parent=body, fontSize=12, leading=16, spaceBefore=8)
    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), title=title(report))
    story = [Paragraph(title(report), ParagraphStyle("t", parent=body, fontSize=15, leading=20))]
    for name, header, rows in sections(report):
        story += [Paragraph(name, heading), Spacer(1, 3)]
        cells = [[Paragraph(_fmt(v), body) for v in row] for row in [header, *rows]]
        table = Table(cells, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    doc.build(story)
    return out.getvalue()


def xlsx_bytes(report: HealthReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    summary.title = _("概览")
    summary.append([title(report)])
    summary.append([_("生成时间"), report.generated_at.isoformat()])
    for name, header, rows in sections(report):
        sheet = book.create_sheet(name[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([v if isinstance(v, int | float) or v is None else str(v) for v in row])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
