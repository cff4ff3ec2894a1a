"""After the signature (SPEC §9): customer tiers, relationship-maintenance plans, service
tickets with response and resolution SLAs in working time."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from loudou.core.models import TimeStampedModel
from loudou.service.choices import (
    ActionKind,
    DueStatus,
    Escalation,
    Frequency,
    OwnerRule,
    Priority,
    TicketStatus,
    Tier,
)

USER = settings.AUTH_USER_MODEL
#: The largest amount a threshold may have (10 亿元): far beyond any customer.
MAX_AMOUNT = Decimal("1000000000")


def rating_field(label, **extra):
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(1), MaxValueValidator(5)], **extra
    )


class TierThreshold(models.Model):
    """The lower bound of annual purchase (元, CNY) for a tier: a customer belongs to the
    highest tier whose bound it reaches. The lowest tier starts at 0, so the bands cover
    every amount without a gap (defaults: VIP ≥ 50万, 重点 ≥ 20万, 普通 below)."""

    tier = models.CharField(_("客户级别"), max_length=10, choices=Tier, unique=True)
    min_amount = models.DecimalField(
        _("年采购额下限(元)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_AMOUNT)],
    )

    class Meta:
        verbose_name = _("客户分级标准")
        verbose_name_plural = _("客户分级标准")
        ordering = ["-min_amount"]
        constraints = [
            models.CheckConstraint(condition=Q(min_amount__gte=0), name="service_tier_min_gte_0")
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} ≥ {self.min_amount}"


class SlaPolicy(models.Model):
    """Response and resolution time of a tier's tickets, in working hours (the cadence
    calendar: weekly working hours, holidays, 调休 workdays)."""

    tier = models.CharField(_("客户级别"), max_length=10, choices=Tier, unique=True)
    response_hours = models.DecimalField(
        _("响应时限(工作小时)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(999)],
    )
    resolution_hours = models.DecimalField(
        _("解决时限(工作小时)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(999)],
    )

    class Meta:
        verbose_name = _("服务时限")
        verbose_name_plural = _("服务时限")
        ordering = ["resolution_hours"]
        constraints = [
            models.CheckConstraint(
                condition=Q(response_hours__lte=models.F("resolution_hours")),
                name="service_sla_response_within_resolution",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} {self.response_hours}h/{self.resolution_hours}h"

    def clean(self) -> None:
        if self.response_hours is None or self.resolution_hours is None:
            return
        if self.response_hours > self.resolution_hours:
            raise ValidationError({"response_hours": _("响应时限不能长于解决时限。")})


class CustomerTier(models.Model):
    """A customer's current tier: computed from its annual purchase by the daily scan, or
    set by hand (with a reason, audited). `tier` is what applies (the override when there
    is one) and what lists filter on."""

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.CASCADE,
        related_name="service_tier",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    annual_purchase = models.DecimalField(
        _("年采购额(元)"), max_digits=14, decimal_places=2, default=0
    )
    computed_tier = models.CharField(_("计算级别"), max_length=10, choices=Tier)
    override_tier = models.CharField(_("手工级别"), max_length=10, choices=Tier, blank=True)
    override_reason = models.CharField(_("调整原因"), max_length=200, blank=True)
    overridden_by = models.ForeignKey(
        USER, verbose_name=_("调整人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    overridden_at = models.DateTimeField(_("调整时间"), null=True, blank=True)
    tier = models.CharField(_("客户级别"), max_length=10, choices=Tier, db_index=True)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("客户级别")
        verbose_name_plural = _("客户级别")
        constraints = [
            models.CheckConstraint(
                condition=Q(override_tier="") | ~Q(override_reason=""),
                name="service_override_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.tier}"


class MaintenancePlan(TimeStampedModel):
    """客户关系维护计划 of a tier: its goals (repurchase rate, satisfaction, referrals) and
    the actions every customer of the tier gets."""

    tier = models.CharField(_("客户级别"), max_length=10, choices=Tier, unique=True)
    name = models.CharField(_("计划名称"), max_length=100)
    goals = models.TextField(_("维护目标"), blank=True)
    target_repurchase_pct = models.PositiveSmallIntegerField(
        _("目标复购率(%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    target_satisfaction = models.DecimalField(
        _("目标满意度(1-5)"),
        max_digits=2,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    target_referrals = models.PositiveSmallIntegerField(
        _("目标转介绍数(每年)"), null=True, blank=True, validators=[MaxValueValidator(1000)]
    )

    class Meta:
        verbose_name = _("客户关系维护计划")
        verbose_name_plural = _("客户关系维护计划")
        ordering = ["tier"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("service:plan", args=[self.pk])


class PlanAction(models.Model):
    """One action of a plan (节日问候, 行业报告, 季度拜访, 培训 …) with its frequency and who
    carries it out."""

    plan = models.ForeignKey(
        MaintenancePlan,
        verbose_name=_("维护计划"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    kind = models.CharField(_("动作类型"), max_length=10, choices=ActionKind)
    title = models.CharField(_("动作名称"), max_length=100)
    frequency = models.CharField(_("频率"), max_length=10, choices=Frequency)
    owner_rule = models.CharField(
        _("执行人"), max_length=20, choices=OwnerRule, default=OwnerRule.CUSTOMER_OWNER
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("维护动作")
        verbose_name_plural = _("维护动作")
        ordering = ["plan", "pk"]

    def __str__(self) -> str:
        return self.title


class DueAction(TimeStampedModel):
    """A plan action due for one customer in one period (the month, quarter or year it
    falls in), and its execution log: done on, by whom, notes, the customer's feedback."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.CASCADE,
        related_name="service_actions",
    )
    action = models.ForeignKey(
        PlanAction, verbose_name=_("维护动作"), on_delete=models.CASCADE, related_name="due"
    )
    period_start = models.DateField(_("周期开始"))
    due_on = models.DateField(_("应完成日期"))
    owner = models.ForeignKey(
        USER,
        verbose_name=_("执行人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=10, choices=DueStatus, default=DueStatus.OPEN)
    done_on = models.DateField(_("执行日期"), null=True, blank=True)
    done_by = models.ForeignKey(
        USER,
        verbose_name=_("执行人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField(_("执行记录"), blank=True)
    feedback = models.TextField(_("客户反馈"), blank=True)
    #: the last reminder sent: "" none, "due" (due within the week), "overdue"
    reminded = models.CharField(_("已提醒"), max_length=10, blank=True, editable=False)

    class Meta:
        verbose_name = _("维护执行记录")
        verbose_name_plural = _("维护执行记录")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "action", "period_start"], name="service_due_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} · {self.customer_id} · {self.period_start}"

    def is_overdue(self, today) -> bool:
        return self.status == DueStatus.OPEN and self.due_on < today


class Evaluation(models.Model):
    """The evaluation of a customer's maintenance in a quarter: a rating and a comment."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.CASCADE,
        related_name="service_evaluations",
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2099)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    rating = rating_field(_("评分(1-5)"))
    comment = models.TextField(_("评价"), blank=True)
    evaluated_by = models.ForeignKey(USER, verbose_name=_("评估人"), on_delete=models.PROTECT)
    evaluated_at = models.DateTimeField(_("评估时间"))

    class Meta:
        verbose_name = _("维护效果评估")
        verbose_name_plural = _("维护效果评估")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "year", "quarter"], name="service_evaluation_per_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.year}Q{self.quarter}"


class Ticket(TimeStampedModel):
    """A service ticket (服务工单): new → in progress → resolved → closed, reopenable.

    Its deadlines are fixed when it is opened, from the customer's tier's `SlaPolicy` in
    working time; the breach flags are set when the response or resolution comes late,
    or by the escalation scan once a deadline has passed."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("联系人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("主题"), max_length=200)
    description = models.TextField(_("问题描述"), blank=True)
    priority = models.CharField(
        _("优先级"), max_length=10, choices=Priority, default=Priority.NORMAL
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=TicketStatus, default=TicketStatus.NEW
    )
    assignee = models.ForeignKey(
        USER,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_tickets",
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    tier = models.CharField(_("客户级别"), max_length=10, choices=Tier)
    opened_at = models.DateTimeField(_("提交时间"))
    response_due = models.DateTimeField(_("响应截止"))
    resolution_due = models.DateTimeField(_("解决截止"))
    first_response_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    response_breached = models.BooleanField(_("响应超时"), default=False)
    resolution_breached = models.BooleanField(_("解决超时"), default=False)
    escalation = models.PositiveSmallIntegerField(
        _("升级"), choices=Escalation, default=Escalation.NONE
    )
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    satisfaction = rating_field(_("满意度(1-5)"), null=True, blank=True)
    satisfaction_comment = models.TextField(_("满意度评价"), blank=True)
    reopened = models.PositiveSmallIntegerField(_("重开次数"), default=0)

    class Meta:
        verbose_name = _("服务工单")
        verbose_name_plural = _("服务工单")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["status", "resolution_due"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("service:ticket", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in {TicketStatus.NEW, TicketStatus.IN_PROGRESS}


class TicketNote(models.Model):
    """A reply or an internal note on a ticket."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(USER, verbose_name=_("记录人"), on_delete=models.PROTECT)
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("工单记录")
        verbose_name_plural = _("工单记录")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:40]
