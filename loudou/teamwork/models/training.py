"""Training evaluation (销售培训效果评估): courses and one record per attendee."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from loudou.core.models import TimeStampedModel
from loudou.teamwork.models.common import (
    USER,
    pct_field,
    rating_field,
    score_field,
    within_years,
)


class Course(TimeStampedModel):
    """A training course (销售培训) whose effect is evaluated per attendee."""

    title = models.CharField(_("课程名称"), max_length=200)
    trainer = models.ForeignKey(
        USER,
        verbose_name=_("培训师"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courses_given",
    )
    trainer_name = models.CharField(
        _("外部培训师"), max_length=60, blank=True, help_text=_("培训师不在系统中时填写")
    )
    held_on = models.DateField(_("培训日期"), validators=[within_years])
    team = models.ForeignKey(
        "org.Team",
        verbose_name=_("团队"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.TextField(_("培训内容"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("培训课程")
        verbose_name_plural = _("培训课程")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("teamwork:course", args=[self.pk])


class TrainingRecord(models.Model):
    """One person's evaluation in one course (销售培训效果评估表): attendance and
    participation, pre- and post-test, behaviour change, and business results before and
    after the course read from the ledger."""

    course = models.ForeignKey(
        Course, verbose_name=_("课程"), on_delete=models.CASCADE, related_name="records"
    )
    person = models.ForeignKey(
        USER, verbose_name=_("学员"), on_delete=models.PROTECT, related_name="training_records"
    )
    attended = models.BooleanField(_("出勤"), default=True)
    participation = rating_field(_("参与度(1-5)"))
    pre_score = score_field(_("培训前测试"))
    post_score = score_field(_("培训后测试"))
    behaviour_rating = rating_field(_("行为改变(1-5)"))
    behaviour_note = models.TextField(_("行为改变说明"), blank=True)
    behaviour_rated_by = models.ForeignKey(
        USER,
        verbose_name=_("行为评价人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    timeliness_before = pct_field(_("培训前首次响应及时率(%)"))
    timeliness_after = pct_field(_("培训后首次响应及时率(%)"))
    conversion_before = pct_field(_("培训前转化率(%)"))
    conversion_after = pct_field(_("培训后转化率(%)"))
    results = models.JSONField(_("业务结果明细"), default=dict, blank=True)
    results_measured_at = models.DateTimeField(_("业务结果测量时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("培训评估记录")
        verbose_name_plural = _("培训评估记录")
        ordering = ["course", "person__username", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "person"], name="teamwork_record_once"),
            models.CheckConstraint(
                condition=Q(pre_score__isnull=True) | Q(pre_score__gte=0, pre_score__lte=100),
                name="teamwork_record_pre_0_100",
            ),
            models.CheckConstraint(
                condition=Q(post_score__isnull=True) | Q(post_score__gte=0, post_score__lte=100),
                name="teamwork_record_post_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} · {self.person}"

    @property
    def improvement(self) -> Decimal | None:
        """提升 = post − pre (None unless both tests were taken)."""
        if self.pre_score is None or self.post_score is None:
            return None
        return self.post_score - self.pre_score
