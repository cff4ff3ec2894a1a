"""Follow-up records with their next actions, cadence rules, the working calendar, script
templates and per-user calendar feeds."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from loudou.activities.choices import Channel, Result, Weekday
from loudou.core.models import ReferenceItem
from loudou.leads.choices import Grade


class ObjectionType(ReferenceItem):
    """A kind of customer feedback or objection (客户反馈/异议): a configurable list."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("客户异议类型")
        verbose_name_plural = _("客户异议类型")


class FollowUp(models.Model):
    """One follow-up record (跟进记录) of a lead, with the next action it leaves behind.

    The next action is open while `next_action` is set and `next_action_done_at` is empty.
    """

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="follow_ups")
    occurred_at = models.DateTimeField(_("跟进时间"), db_index=True)
    channel = models.CharField(_("方式"), max_length=10, choices=Channel, default=Channel.PHONE)
    summary = models.TextField(_("内容摘要"))
    feedback_category = models.ForeignKey(
        ObjectionType,
        verbose_name=_("客户反馈/异议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    feedback_text = models.TextField(_("客户反馈说明"), blank=True)
    objection_handling = models.TextField(_("异议处理"), blank=True)
    next_action = models.CharField(_("下一步行动"), max_length=200, blank=True)
    next_action_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("行动负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_actions",
    )
    next_action_due = models.DateTimeField(_("截止时间"), null=True, blank=True)
    next_action_done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    result = models.CharField(_("结果"), max_length=10, choices=Result, default=Result.PENDING)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("跟进记录")
        verbose_name_plural = _("跟进记录")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["lead", "occurred_at"]),
            models.Index(fields=["next_action_owner", "next_action_done_at", "next_action_due"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_action_due__isnull=True) | ~Q(next_action=""),
                name="followup_due_needs_action",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.occurred_at:%Y-%m-%d}: {self.summary[:30]}"

    def clean(self) -> None:
        if self.next_action_due is not None and not self.next_action.strip():
            raise ValidationError({"next_action": _("设置了截止时间，请填写下一步行动。")})

    @property
    def is_open(self) -> bool:
        return bool(self.next_action) and self.next_action_done_at is None


class CadenceRule(models.Model):
    """Follow-up cadence per intent grade: the first-response SLA and the touch interval."""

    grade = models.CharField(_("意向等级"), max_length=1, choices=Grade, unique=True)
    first_response_hours = models.PositiveSmallIntegerField(
        _("首次响应时限(工作小时)"), help_text=_("分配后多少个工作小时内必须首次跟进")
    )
    touch_interval_days = models.PositiveSmallIntegerField(
        _("跟进间隔(天)"), help_text=_("两次跟进之间的最长间隔")
    )

    class Meta:
        verbose_name = _("跟进节奏")
        verbose_name_plural = _("跟进节奏")
        ordering = ["grade"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_response_hours__gte=1, touch_interval_days__gte=1),
                name="cadence_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grade}: {self.first_response_hours}h / {self.touch_interval_days}d"


class WorkingHours(models.Model):
    """One working interval of a weekday (周一 09:00-18:00); a day may have several."""

    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday)
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))

    class Meta:
        verbose_name = _("工作时间")
        verbose_name_plural = _("工作时间")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="hours_start_lt_end"
            ),
            models.UniqueConstraint(fields=["weekday", "start"], name="hours_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class Holiday(models.Model):
    """A public holiday, or — with `is_workday` — a weekend day worked instead (调休)."""

    date = models.DateField(_("日期"), unique=True)
    name = models.CharField(_("名称"), max_length=60)
    is_workday = models.BooleanField(
        _("调休上班"), default=False, help_text=_("勾选表示这一天（通常是周末）按工作日上班")
    )

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ScriptTemplate(models.Model):
    """A communication script (话术模板) for an industry and/or stage; empty means any."""

    industry = models.ForeignKey(
        "org.Industry",
        verbose_name=_("行业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("留空表示适用所有行业"),
    )
    stage = models.ForeignKey(
        "pipeline.Stage",
        verbose_name=_("阶段"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("留空表示适用所有阶段"),
    )
    title = models.CharField(_("标题"), max_length=100)
    opening = models.TextField(_("开场白"), blank=True)
    discovery_questions = models.TextField(_("需求挖掘问题"), blank=True)
    value_points = models.TextField(_("价值要点"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("话术模板")
        verbose_name_plural = _("话术模板")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A user's secret .ics feed address; regenerating the token revokes the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

    def __str__(self) -> str:
        return str(self.user)
