"""The quote, contract and order lists as spreadsheet rows (.csv / .xlsx through the
imports app's `_download`), and a quote as a PDF. Text a spreadsheet would evaluate is
neutralised; text in the PDF is escaped."""

from collections.abc import Iterable, Iterator
from decimal import Decimal
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from loudou.commerce.models import Contract, Order, Quote
from loudou.imports.exports import neutralise

FORMATS = {"csv", "xlsx"}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(str(value))


def _party(record) -> str:
    if record.customer_id:
        return record.customer.name
    return record.lead.company_name if record.lead_id else ""


def quote_headers() -> list[str]:
    return [
        _("编号"), _("标题"), _("客户"), _("负责人"), _("状态"), _("标准价合计"),
        _("报价合计"), _("整体折让(%)"), _("有效期至"), _("创建时间"),
    ]  # fmt: skip


def quote_rows(quotes: Iterable[Quote]) -> Iterator[list[Any]]:
    for q in quotes:
        yield [_cell(v) for v in (
            q.number, q.title, _party(q), q.owner, q.get_status_display(), q.list_total,
            q.total, q.discount_pct, q.valid_until, q.created_at.date(),
        )]  # fmt: skip


def contract_headers() -> list[str]:
    return [
        _("编号"), _("合同名称"), _("客户"), _("负责人"), _("状态"), _("合同金额(元)"),
        _("签约日期"), _("已回款(元)"),
    ]  # fmt: skip


def contract_rows(contracts: Iterable[Contract]) -> Iterator[list[Any]]:
    for c in contracts:
        yield [_cell(v) for v in (
            c.number, c.title, c.customer.name, c.owner, c.get_status_display(), c.amount,
            c.signed_on, c.paid or Decimal(0),
        )]  # fmt: skip


def order_headers() -> list[str]:
    return [
        _("编号"), _("客户"), _("下单日期"), _("订单金额(元)"), _("来源"), _("状态"),
        _("负责人"), _("合同"), _("内容"),
    ]  # fmt: skip


def order_rows(orders: Iterable[Order]) -> Iterator[list[Any]]:
    for o in orders:
        yield [_cell(v) for v in (
            o.number, o.customer.name, o.ordered_on, o.amount, o.get_source_display(),
            o.get_status_display(), o.owner, o.contract.number if o.contract_id else "",
            o.description,
        )]  # fmt: skip


def quote_pdf(quote: Quote) -> bytes:
    """The quote as an A4 PDF (CID font STSong-Light for Chinese, as health's reports)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=9, leading=13, wordWrap="CJK")
    big = ParagraphStyle("t", parent=body, fontSize=16, leading=22)

    def para(value: Any) -> Paragraph:
        return Paragraph(escape("" if value is None else str(value)), body)

    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=f"{_('报价单')} {quote.number}")
    story = [
        Paragraph(escape(f"{_('报价单')} {quote.number}"), big),
        para(f"{_('标题')}：{quote.title}"),
        para(f"{_('客户')}：{_party(quote)}"),
        para(f"{_('负责人')}：{quote.owner}"),
        para(f"{_('有效期至')}：{quote.valid_until or '—'}"),
        Spacer(1, 8),
    ]
    header = [_("产品编码"), _("产品"), _("数量"), _("标准价(元)"), _("单价(元)"),
              _("行折扣(%)"), _("金额(元)")]  # fmt: skip
    rows = [
        [line.product.sku, line.product.name, line.quantity, line.list_price, line.unit_price,
         line.discount_pct, line.amount]
        for line in quote.lines.select_related("product")
    ]  # fmt: skip
    rows.append(["", _("合计"), "", quote.list_total, "", f"{quote.discount_pct}%", quote.total])
    table = Table([[para(v) for v in row] for row in [header, *rows]], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 8)]
    if quote.notes:
        story.append(para(f"{_('备注')}：{quote.notes}"))
    doc.build(story)
    return out.getvalue()
