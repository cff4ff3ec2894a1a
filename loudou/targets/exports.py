"""The target list as a spreadsheet (销售目标分解与跟踪表): the page's rows, numbers as
numbers, written by the imports app's .csv/.xlsx writers."""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from loudou.imports.exports import neutralise
from loudou.targets.services.listing import TargetRow


def header() -> list[str]:
    return [
        _("编号"),
        _("周期"),
        _("开始日期"),
        _("结束日期"),
        _("目标维度"),
        _("对象"),
        _("指标"),
        _("目标值"),
        _("实际"),
        _("完成率(%)"),
        _("分解情况"),
        _("上级目标编号"),
        _("备注"),
    ]


def _number(value: Decimal | None) -> Any:
    if value is None:
        return ""
    return int(value) if value == value.to_integral_value() else float(value)


def rows(found: list[TargetRow]) -> Iterator[list[Any]]:
    for row in found:
        t = row.target
        yield [
            t.pk,
            t.period_label,
            t.start.isoformat(),
            t.end.isoformat(),
            str(t.get_scope_kind_display()),
            neutralise(t.scope_name),
            str(t.get_metric_display()),
            _number(t.value),
            _number(row.actual),
            "" if row.completion_pct is None else row.completion_pct,
            row.rollup_text,
            t.parent_id or "",
            neutralise(t.notes),
        ]
