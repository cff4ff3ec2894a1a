"""Sales tasks (销售任务分配与跟踪) and the quality-grade bands."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from loudou.core.models import TimeStampedModel
from loudou.teamwork.choices import QualityGrade, TaskStatus
from loudou.teamwork.models.common import (
    DEFAULT_BANDS,
    ONE_DECIMAL,
    USER,
    owner_or_department,
    percent_field,
    within_years,
)


class GradeBands(models.Model):
    """The organisation's quality-grade bands for tasks (one row, pk 1): above
    `excellent_above` % of the target is 优秀, `good_from`..`excellent_above` % 良好,
    `pass_from`..`good_from` % (exclusive) 合格, below `pass_from` % 不合格."""

    excellent_above = percent_field(_("优秀：高于(%)"), DEFAULT_BANDS["excellent_above"])
    good_from = percent_field(_("良好：不低于(%)"), DEFAULT_BANDS["good_from"])
    pass_from = percent_field(_("合格：不低于(%)"), DEFAULT_BANDS["pass_from"])
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("任务质量评级标准")
        verbose_name_plural = _("任务质量评级标准")
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_from__lt=models.F("good_from"))
                & Q(good_from__lte=models.F("excellent_above")),
                name="teamwork_bands_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pass_from}/{self.good_from}/{self.excellent_above}"

    def clean(self) -> None:
        if None in (self.pass_from, self.good_from, self.excellent_above):
            return
        if not self.pass_from < self.good_from <= self.excellent_above:
            raise ValidationError(
                {"good_from": _("须满足：合格下限 < 良好下限 ≤ 优秀界限。")},
                code="bands_unordered",
            )

    @classmethod
    def current(cls) -> "GradeBands":
        """The organisation's row (the defaults, unsaved, should it be missing)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1, **DEFAULT_BANDS)

    def grade(self, completion: Decimal | None) -> str | None:
        """The grade of a completion % (None without one)."""
        if completion is None:
            return None
        if completion > self.excellent_above:
            return QualityGrade.EXCELLENT
        if completion >= self.good_from:
            return QualityGrade.GOOD
        if completion >= self.pass_from:
            return QualityGrade.PASS
        return QualityGrade.FAIL


class Task(TimeStampedModel):
    """A sales task (销售任务分配与跟踪表): goal, sub-items, owner (or a department outside
    the system), planned and actual dates, target and achieved values, a verifier.
    Status open → done (owner) → verified (verifier); the grade is frozen at verification."""

    title = models.CharField(_("任务名称"), max_length=200)
    goal = models.TextField(_("任务目标"), blank=True)
    owner = models.ForeignKey(
        USER,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teamwork_tasks",
    )
    department = models.CharField(
        _("负责部门"), max_length=60, blank=True, help_text=_("负责人不在系统中时填写，如生产部")
    )
    verifier = models.ForeignKey(
        USER, verbose_name=_("验收人"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("分配人"), on_delete=models.PROTECT, related_name="+"
    )
    planned_start = models.DateField(
        _("计划开始"), null=True, blank=True, validators=[within_years]
    )
    planned_end = models.DateField(_("计划完成"), validators=[within_years])
    actual_end = models.DateField(_("实际完成"), null=True, blank=True, validators=[within_years])
    target_value = models.DecimalField(
        _("目标值"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    achieved_value = models.DecimalField(
        _("完成值"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=TaskStatus, default=TaskStatus.OPEN)
    grade = models.CharField(_("完成质量"), max_length=10, choices=QualityGrade, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    reminded_for = models.DateField(_("已提醒的到期日"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("销售任务")
        verbose_name_plural = _("销售任务")
        ordering = ["planned_end", "pk"]
        indexes = [models.Index(fields=["status", "planned_end"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_start__lte=models.F("planned_end")),
                name="teamwork_task_start_before_end",
            ),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | Q(target_value__gt=0),
                name="teamwork_task_target_positive",
            ),
            models.CheckConstraint(
                condition=Q(achieved_value__isnull=True) | Q(achieved_value__gte=0),
                name="teamwork_task_achieved_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("teamwork:task", args=[self.pk])

    def clean(self) -> None:
        owner_or_department(self)
        if self.owner_id is not None and self.owner_id == self.verifier_id:
            raise ValidationError({"verifier": _("验收人不能是负责人本人。")})
        if self.planned_start and self.planned_end and self.planned_start > self.planned_end:
            raise ValidationError({"planned_end": _("计划完成日期不能早于计划开始日期。")})

    @property
    def completion(self) -> Decimal | None:
        """完成率: achieved ÷ target in %, one decimal (None without both values)."""
        if self.target_value is None or self.achieved_value is None or not self.target_value:
            return None
        ratio = self.achieved_value * 100 / self.target_value
        return ratio.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)

    def is_overdue(self, today: date) -> bool:
        return self.status == TaskStatus.OPEN and self.planned_end < today

    @property
    def responsible(self):
        """Who is reminded: the owner, or the person who assigned it to a department."""
        return self.owner if self.owner_id is not None else self.created_by


class TaskItem(models.Model):
    """A sub-item of a task (子项), ticked off when done."""

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="items"
    )
    text = models.CharField(_("子项描述"), max_length=200)
    done = models.BooleanField(_("已完成"), default=False)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("任务子项")
        verbose_name_plural = _("任务子项")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text
