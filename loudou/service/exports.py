"""Tickets and the maintenance log as spreadsheet rows (.csv / .xlsx through the imports
app's `_download`); text a spreadsheet would evaluate is neutralised."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.imports.exports import neutralise
from loudou.service.choices import SlaView
from loudou.service.services.sla import breaches, sla_view


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _yes(flag: bool) -> str:
    return _("是") if flag else _("否")


def ticket_headers() -> list[str]:
    return [
        _("编号"),
        _("客户"),
        _("客户级别"),
        _("主题"),
        _("优先级"),
        _("状态"),
        _("处理人"),
        _("提交时间"),
        _("响应截止"),
        _("首次响应时间"),
        _("解决截止"),
        _("解决时间"),
        _("响应超时"),
        _("解决超时"),
        _("时限状态"),
        _("升级"),
        _("满意度(1-5)"),
        _("满意度评价"),
    ]


def ticket_rows(tickets: QuerySet, now: datetime) -> Iterator[list[Any]]:
    for t in tickets.iterator(chunk_size=1000):
        late_response, late_resolution = breaches(t, now)
        yield [
            t.pk,
            neutralise(t.customer.name),
            str(t.get_tier_display()),
            neutralise(t.subject),
            str(t.get_priority_display()),
            str(t.get_status_display()),
            neutralise(str(t.assignee or "")),
            _when(t.opened_at),
            _when(t.response_due),
            _when(t.first_response_at),
            _when(t.resolution_due),
            _when(t.resolved_at),
            _yes(late_response),
            _yes(late_resolution),
            str(SlaView(sla_view(t, now)).label),
            str(t.get_escalation_display()),
            t.satisfaction or "",
            neutralise(t.satisfaction_comment),
        ]


def log_headers() -> list[str]:
    return [
        _("客户"),
        _("维护计划"),
        _("维护动作"),
        _("频率"),
        _("应完成日期"),
        _("状态"),
        _("执行人"),
        _("执行日期"),
        _("执行记录"),
        _("客户反馈"),
    ]


def log_rows(actions: QuerySet) -> Iterator[list[Any]]:
    for a in actions.iterator(chunk_size=1000):
        yield [
            neutralise(a.customer.name),
            neutralise(a.action.plan.name),
            neutralise(a.action.title),
            str(a.action.get_frequency_display()),
            a.due_on.isoformat(),
            str(a.get_status_display()),
            neutralise(str(a.done_by or a.owner or "")),
            a.done_on.isoformat() if a.done_on else "",
            neutralise(a.notes),
            neutralise(a.feedback),
        ]
