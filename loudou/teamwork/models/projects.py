"""Process-optimisation projects (销售流程优化) and their monthly reviews."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from loudou.core.models import TimeStampedModel
from loudou.teamwork.choices import Rollout
from loudou.teamwork.models.common import USER, pct_field, within_years


class ProcessProject(TimeStampedModel):
    """A process-optimisation project (销售流程优化): goal and scope, the process measured
    from the ledger at its start (baseline), a pilot team, the rollout, and KPIs measured
    monthly against their targets."""

    title = models.CharField(_("项目名称"), max_length=200)
    goal = models.TextField(_("优化目标"))
    scope = models.TextField(_("优化范围"), blank=True)
    pipeline = models.ForeignKey(
        "pipeline.Pipeline",
        verbose_name=_("销售漏斗"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("留空为默认漏斗"),
    )
    team = models.ForeignKey(
        "org.Team",
        verbose_name=_("涉及团队"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("留空为全公司"),
    )
    pilot_team = models.ForeignKey(
        "org.Team",
        verbose_name=_("试点团队"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_on = models.DateField(_("开始日期"), validators=[within_years])
    rollout = models.CharField(
        _("推广状态"), max_length=20, choices=Rollout, default=Rollout.PLANNING
    )
    timeliness_target = models.PositiveSmallIntegerField(
        _("首次响应及时率目标(%)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    need_research_target = models.PositiveSmallIntegerField(
        _("需求调研完整度目标(%)"),
        default=85,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    baseline = models.JSONField(_("基线"), default=dict, blank=True)
    baseline_on = models.DateField(_("基线测量日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("流程优化项目")
        verbose_name_plural = _("流程优化项目")
        ordering = ["-started_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("teamwork:project", args=[self.pk])


class ProjectReview(models.Model):
    """The monthly review of a project (月度复盘): the KPIs measured for the month (kept
    as measured) and the review's notes."""

    project = models.ForeignKey(
        ProcessProject, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="reviews"
    )
    month = models.DateField(_("月份"), help_text=_("该月 1 日"))
    team = models.ForeignKey(
        "org.Team",
        verbose_name=_("测量团队"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    timeliness = pct_field(_("首次响应及时率(%)"))
    need_research = pct_field(_("需求调研完整度(%)"))
    kpis = models.JSONField(_("指标明细"), default=dict, blank=True)
    notes = models.TextField(_("复盘记录"), blank=True)
    measured_at = models.DateTimeField(_("测量时间"))
    measured_by = models.ForeignKey(
        USER, verbose_name=_("测量人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("月度复盘")
        verbose_name_plural = _("月度复盘")
        ordering = ["project", "month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="teamwork_review_month")
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.month:%Y-%m}"
