"""Exception thresholds, exception cases (意外状态) and the weekly health reports."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from loudou.health.choices import CaseStatus, Rule

#: The editable thresholds with their defaults (the data migration loads the same values).
DEFAULTS = {
    "window_days": 90,
    "min_sample": 10,
    "off_funnel_min": 2,
    "many_opportunities_min": 10,
    "few_signings_max": 1,
    "move_rate_ratio": 70,
    "abandon_rate_max": 50,
    "cycle_ratio": 150,
    "cycle_min_deals": 3,
    "follow_up_hours": 24,
    "no_progress_follow_ups": 3,
    "stalled_grace_days": 0,
    "count_high_ratio": 150,
    "count_low_ratio": 50,
}
THRESHOLD_FIELDS = list(DEFAULTS)


def _small(label, default, *, low=0, high=1000, help_text=""):
    return models.PositiveSmallIntegerField(
        label,
        default=default,
        validators=[MinValueValidator(low), MaxValueValidator(high)],
        help_text=help_text,
    )


class Thresholds(models.Model):
    """The thresholds of the exception rules: one company-wide row (team empty) and
    optional rows overriding it for one team."""

    team = models.OneToOneField(
        "org.Team",
        verbose_name=_("团队"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="health_thresholds",
        help_text=_("留空表示全公司默认值"),
    )
    window_days = _small(_("统计窗口(天)"), 90, low=7, high=730)
    min_sample = _small(_("最少样本数"), 10, low=1)
    off_funnel_min = _small(_("体外签单笔数下限"), 2, low=1)
    many_opportunities_min = _small(_("商机数下限"), 10, low=1)
    few_signings_max = _small(_("签约数上限"), 1)
    move_rate_ratio = _small(
        _("移动率下限(理想值的%)"), 70, low=1, high=100, help_text=_("低于理想移动率的该比例即报警")
    )
    abandon_rate_max = _small(_("放弃率上限(%)"), 50, low=1, high=100)
    cycle_ratio = _small(
        _("周期上限(理想周期的%)"),
        150,
        low=100,
        help_text=_("平均成交周期超过理想周期的该比例即报警"),
    )
    cycle_min_deals = _small(_("周期统计最少成交数"), 3, low=1)
    follow_up_hours = _small(_("分配后跟进时限(小时)"), 24, low=1, high=720)
    no_progress_follow_ups = _small(_("无进展跟进次数"), 3, low=1, high=100)
    stalled_grace_days = _small(_("逾期宽限(天)"), 0, high=365)
    count_high_ratio = _small(_("客户数上限(理想值的%)"), 150, low=100)
    count_low_ratio = _small(_("客户数下限(理想值的%)"), 50, high=100)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("意外状态阈值")
        verbose_name_plural = _("意外状态阈值")
        constraints = [
            models.UniqueConstraint(Coalesce("team", 0), name="health_thresholds_one_per_scope")
        ]

    def __str__(self) -> str:
        return str(self.team) if self.team_id else str(_("全公司"))

    def values(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in THRESHOLD_FIELDS}


class ExceptionCase(models.Model):
    """One exception (意外状态) found by the sweep: a rule, the rep and the leads behind it,
    an owner who should act and a status (open → acknowledged → resolved).

    `key` names the condition (rule, rep, stage); while a case is not resolved the sweep
    updates it instead of opening another, and resolves it when the condition clears.
    """

    rule = models.CharField(_("规则"), max_length=30, choices=Rule)
    key = models.CharField(_("条件键"), max_length=100)
    team = models.ForeignKey(
        "org.Team",
        verbose_name=_("团队"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("销售员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="health_cases",
    )
    stage = models.ForeignKey(
        "pipeline.Stage",
        verbose_name=_("阶段"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_health_cases",
    )
    lead_ids = models.JSONField(_("相关线索"), default=list, blank=True)
    lead_count = models.PositiveIntegerField(_("线索数"), default=0)
    metrics = models.JSONField(_("指标"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=15, choices=CaseStatus, default=CaseStatus.OPEN, db_index=True
    )
    opened_at = models.DateTimeField(_("发现时间"))
    last_seen_at = models.DateTimeField(_("最近检出时间"))
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledge_note = models.TextField(_("确认说明"), blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解决人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolve_note = models.TextField(_("解决说明"), blank=True)
    auto_resolved = models.BooleanField(_("条件消除自动解决"), default=False)

    class Meta:
        verbose_name = _("意外状态")
        verbose_name_plural = _("意外状态")
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=~Q(status=CaseStatus.RESOLVED),
                name="health_case_one_unresolved_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["owner", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("health:case", args=[self.pk])


class HealthReport(models.Model):
    """The weekly sales-process health report (销售流程健康度报告) of a team, or of the company
    when `team` is empty: a frozen JSON snapshot of the figures of one ISO week."""

    scope_key = models.CharField(_("范围"), max_length=30, editable=False)
    team = models.ForeignKey(
        "org.Team",
        verbose_name=_("团队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    iso_year = models.PositiveSmallIntegerField(_("年"))
    iso_week = models.PositiveSmallIntegerField(_("周"))
    period_start = models.DateField(_("开始日期"))
    period_end = models.DateField(_("结束日期"))
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("报告数据"), default=dict)

    class Meta:
        verbose_name = _("销售流程健康度报告")
        verbose_name_plural = _("销售流程健康度报告")
        ordering = ["-period_start", "scope_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_key", "iso_year", "iso_week"], name="health_report_once_per_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope_label} {self.iso_year}-W{self.iso_week:02d}"

    def get_absolute_url(self) -> str:
        return reverse("health:report", args=[self.pk])

    @property
    def scope_label(self) -> str:
        return str(self.team) if self.team_id else str(_("全公司"))

    @staticmethod
    def scope_key_for(team_id: int | None) -> str:
        return f"team:{team_id}" if team_id else "company"
