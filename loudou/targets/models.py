"""Sales targets (销售目标分解与跟踪), their adjustments, strategy plans (销售策略规划表)
with milestones, and improvement actions on the variances of performance (销售业绩分析)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from loudou.core.models import TimeStampedModel
from loudou.leads.choices import CustomerType
from loudou.targets.choices import (
    SCOPE_FIELDS,
    WHOLE,
    ActionStatus,
    Metric,
    MilestoneStatus,
    Period,
    ScopeKind,
)
from loudou.targets.periods import check_start, period_end, period_label, start_errors

#: The largest target value (the column's 14 digits with 2 decimals).
MAX_VALUE = Decimal("999999999999.99")


def _only(kind: str, field: str | None) -> Q:
    """The scope columns of `kind`: its own one set, every other one empty."""
    q = Q(scope_kind=kind)
    for name in ("region", "product_line", "team", "person"):
        q &= Q(**{f"{name}__isnull": name != field})
    return q & (~Q(customer_type="") if field == "customer_type" else Q(customer_type=""))


def _scope_check() -> Q:
    q = _only(ScopeKind.COMPANY, None)
    for kind, field in SCOPE_FIELDS.items():
        q |= _only(kind, field)
    return q


class Target(TimeStampedModel):
    """A target (目标): a metric's value for a period and a scope (the company, a region,
    product line, customer type, team or person), maybe one part of a parent target."""

    period = models.CharField(_("周期"), max_length=10, choices=Period)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), editable=False)
    metric = models.CharField(_("指标"), max_length=20, choices=Metric)
    value = models.DecimalField(
        _("目标值"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    scope_kind = models.CharField(_("目标维度"), max_length=20, choices=ScopeKind)
    region = models.ForeignKey(
        "org.Region",
        verbose_name=_("区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    product_line = models.ForeignKey(
        "org.ProductLine",
        verbose_name=_("产品线"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    customer_type = models.CharField(_("客户类型"), max_length=10, choices=CustomerType, blank=True)
    team = models.ForeignKey(
        "org.Team",
        verbose_name=_("团队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
    )
    #: "company", "region:3", "customer_type:trial", …: one target per scope, metric and
    #: period (kept by save())
    scope_key = models.CharField(max_length=40, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级目标"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    notes = models.TextField(_("备注"), blank=True, help_text=_("如市场变化说明"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("销售目标")
        verbose_name_plural = _("销售目标")
        ordering = ["start", "period", "metric", "scope_kind", "scope_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "start", "metric", "scope_key"],
                name="target_unique_scope",
                violation_error_message=_("该周期、指标和维度的目标已存在。"),
            ),
            models.CheckConstraint(condition=_scope_check(), name="target_scope_columns"),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_value_not_negative"),
        ]
        indexes = [models.Index(fields=["scope_kind", "start", "end"])]

    def __str__(self) -> str:
        return f"{self.scope_name} · {self.period_label} · {self.get_metric_display()}"

    def save(self, *args, **kwargs):
        self.end = period_end(self.period, self.start)
        self.scope_key = self.compute_scope_key()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("targets:detail", args=[self.pk])

    def compute_scope_key(self) -> str:
        field = SCOPE_FIELDS.get(self.scope_kind)
        if field is None:
            return str(ScopeKind.COMPANY.value)
        if field == "customer_type":
            return f"{field}:{self.customer_type}"
        return f"{field}:{getattr(self, f'{field}_id')}"

    @property
    def period_label(self) -> str:
        return period_label(self.period, self.start)

    @property
    def scope_name(self) -> str:
        """Whose target, in words: 全公司, the region's, team's, person's name…"""
        if self.scope_kind == ScopeKind.COMPANY:
            return gettext("全公司")
        if self.scope_kind == ScopeKind.CUSTOMER_TYPE:
            return str(self.get_customer_type_display())
        subject = getattr(self, SCOPE_FIELDS[self.scope_kind])
        return str(subject) if subject is not None else ""

    @property
    def is_rate(self) -> bool:
        return self.metric == Metric.REPURCHASE_RATE

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.period in Period.values and self.start is not None:
            try:
                check_start(self.period, self.start)
                self.end = period_end(self.period, self.start)  # for the constraints' checks
            except ValidationError as error:
                errors.update(error.message_dict)
        self.scope_key = self.compute_scope_key()
        if self.value is not None:
            errors.update(self._value_errors())
        errors.update(self._scope_errors())
        if errors:
            raise ValidationError(errors)
        if self.parent_id is not None and self.start is not None and self.end is not None:
            self._check_parent()

    def _value_errors(self) -> dict[str, list[str]]:
        if self.metric == Metric.REPURCHASE_RATE and self.value > 100:
            return {"value": [gettext("复购率目标不能超过 100%。")]}
        if self.metric in WHOLE and self.value != self.value.to_integral_value():
            return {"value": [gettext("订单数和新客户数须为整数。")]}
        return {}

    def _scope_errors(self) -> dict[str, list[str]]:
        field = SCOPE_FIELDS.get(self.scope_kind)
        if field is None:
            return {}
        value = self.customer_type if field == "customer_type" else getattr(self, f"{field}_id")
        if not value:
            return {field: [gettext("请选择该维度的对象。")]}
        return {}

    def _check_parent(self) -> None:
        parent = self.parent
        if parent.metric != self.metric:
            raise ValidationError({"parent": gettext("分解目标须与上级目标的指标相同。")})
        if self.start < parent.start or self.end > parent.end:
            raise ValidationError({"parent": gettext("分解目标的周期须在上级目标的周期之内。")})
        if parent.scope_kind == ScopeKind.PERSON and (
            self.scope_kind != ScopeKind.PERSON or self.person_id != parent.person_id
        ):
            raise ValidationError({"parent": gettext("个人目标只能按时间分解给本人。")})
        if parent.scope_kind == ScopeKind.TEAM and not self._within_team(parent.team_id):
            raise ValidationError({"parent": gettext("团队目标只能分解给本团队或其成员。")})
        ancestor = parent
        while ancestor is not None:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": gettext("上级目标不能是自己或自己的分解目标。")})
            ancestor = ancestor.parent

    def _within_team(self, team_id: int) -> bool:
        if self.scope_kind == ScopeKind.TEAM:
            return self.team_id == team_id
        return self.scope_kind == ScopeKind.PERSON and self.person.team_id == team_id


class TargetAdjustment(models.Model):
    """One change of a target's value (目标调整): who, when, before, after and why."""

    target = models.ForeignKey(
        Target, verbose_name=_("目标"), on_delete=models.CASCADE, related_name="adjustments"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调整人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("调整时间"))
    before = models.DecimalField(_("调整前"), max_digits=14, decimal_places=2)
    after = models.DecimalField(_("调整后"), max_digits=14, decimal_places=2)
    reason = models.TextField(_("调整原因"))

    class Meta:
        verbose_name = _("目标调整")
        verbose_name_plural = _("目标调整")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.before} → {self.after}"


class StrategyPlan(TimeStampedModel):
    """A strategy plan (销售策略规划表): a goal, the 4P core strategy, resources,
    milestones with owners, the expected effect, how it is measured and how it went."""

    title = models.CharField(_("名称"), max_length=200)
    goal = models.TextField(_("策略目标"))
    target = models.ForeignKey(
        Target,
        verbose_name=_("关联目标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
    )
    team = models.ForeignKey(
        "org.Team",
        verbose_name=_("团队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="strategy_plans",
        help_text=_("留空为全公司的策略"),
    )
    product = models.TextField(_("产品策略"), blank=True)
    price = models.TextField(_("价格策略"), blank=True)
    place = models.TextField(_("渠道策略"), blank=True)
    promotion = models.TextField(_("推广策略"), blank=True)
    resources = models.TextField(_("资源需求"), blank=True)
    expected_effect = models.TextField(_("预期效果"), blank=True)
    evaluation_metrics = models.TextField(_("评估指标"), blank=True)
    evaluation = models.TextField(_("效果评估"), blank=True, help_text=_("执行后的结果"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("销售策略规划")
        verbose_name_plural = _("销售策略规划")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("targets:plan", args=[self.pk])


class Milestone(models.Model):
    """A milestone of a plan's timeline (执行时间节点): what, who, by when, and whether done.

    `reminded_for` is the due date its owner was last reminded of (written only by the
    reminder scan's conditional UPDATE): one reminder per milestone and due date."""

    plan = models.ForeignKey(
        StrategyPlan, verbose_name=_("策略"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("事项"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.PROTECT,
        related_name="milestones",
    )
    due_date = models.DateField(_("截止日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=MilestoneStatus, default=MilestoneStatus.OPEN
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    reminded_for = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("里程碑")
        verbose_name_plural = _("里程碑")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=MilestoneStatus.OPEN, done_at=None)
                | Q(status=MilestoneStatus.DONE, done_at__isnull=False),
                name="milestone_done_at_iff_done",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ImprovementAction(TimeStampedModel):
    """A variance reason and the improvement action taken on it (差异原因与改进措施), for a
    performance period of a team (empty: the company) and maybe one target: who does
    what by when, and whether it is done.

    `reminded_for` is the deadline its owner was last reminded of as overdue (written only
    by the reminder scan's conditional UPDATE): one reminder per action and deadline."""

    target = models.ForeignKey(
        Target,
        verbose_name=_("关联目标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    team = models.ForeignKey(
        "org.Team",
        verbose_name=_("团队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="improvement_actions",
        help_text=_("留空为全公司"),
    )
    scope = models.CharField(
        _("范围说明"), max_length=200, blank=True, help_text=_("如区域、产品线或客户类型")
    )
    period = models.CharField(_("周期"), max_length=10, choices=Period)
    period_start = models.DateField(_("周期开始日期"))
    variance_reason = models.TextField(_("差异原因"))
    action = models.TextField(_("改进措施"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.PROTECT,
        related_name="improvement_actions",
    )
    deadline = models.DateField(_("完成期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ActionStatus, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("改进措施")
        verbose_name_plural = _("改进措施")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ActionStatus.OPEN, done_at=None)
                | Q(status=ActionStatus.DONE, done_at__isnull=False),
                name="action_done_at_iff_done",
            )
        ]

    def __str__(self) -> str:
        return self.action[:60]

    def get_absolute_url(self) -> str:
        return reverse("targets:action", args=[self.pk])

    @property
    def period_label(self) -> str:
        return period_label(self.period, self.period_start)

    def is_overdue(self, today) -> bool:
        return self.status == ActionStatus.OPEN and self.deadline < today

    def clean(self) -> None:
        if self.period in Period.values and self.period_start is not None:
            errors = start_errors(self.period, self.period_start)
            if errors:
                raise ValidationError({"period_start": errors})
        target = self.target
        if target is not None and (target.period, target.start) != (
            self.period,
            self.period_start,
        ):
            raise ValidationError({"target": gettext("关联目标的周期须与措施的周期相同。")})
