"""Review meetings (销售复盘会议) and their action items."""

from datetime import date

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from loudou.core.models import TimeStampedModel
from loudou.teamwork.choices import ActionStatus
from loudou.teamwork.models.common import USER, owner_or_department, within_years


class ReviewMeeting(TimeStampedModel):
    """A sales review meeting (销售复盘会议): topic, time, attendees, agenda, discussion,
    lessons and decisions; its action items are tracked to done."""

    topic = models.CharField(_("会议主题"), max_length=200)
    held_at = models.DateTimeField(_("会议时间"), validators=[within_years])
    team = models.ForeignKey(
        "org.Team",
        verbose_name=_("团队"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organiser = models.ForeignKey(
        USER, verbose_name=_("组织人"), on_delete=models.PROTECT, related_name="+"
    )
    attendees = models.ManyToManyField(
        USER, verbose_name=_("参会人员"), blank=True, related_name="review_meetings"
    )
    other_attendees = models.CharField(
        _("其他参会方"), max_length=200, blank=True, help_text=_("如市场部、产品部")
    )
    agenda = models.TextField(_("会议议程"), blank=True)
    discussion = models.TextField(_("关键讨论内容"), blank=True)
    lessons = models.TextField(_("经验教训"), blank=True)
    decisions = models.TextField(_("会议决议"), blank=True)

    class Meta:
        verbose_name = _("复盘会议")
        verbose_name_plural = _("复盘会议")
        ordering = ["-held_at", "-pk"]

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return reverse("teamwork:meeting", args=[self.pk])


class ActionItem(models.Model):
    """An action of a review meeting (行动计划): what, who, by when, open → done."""

    meeting = models.ForeignKey(
        ReviewMeeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="actions"
    )
    what = models.CharField(_("任务描述"), max_length=200)
    owner = models.ForeignKey(
        USER,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teamwork_actions",
    )
    department = models.CharField(_("负责部门"), max_length=60, blank=True)
    due_on = models.DateField(_("完成时限"), validators=[within_years])
    status = models.CharField(
        _("状态"), max_length=10, choices=ActionStatus, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    reminded_for = models.DateField(_("已提醒的到期日"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("行动项")
        verbose_name_plural = _("行动项")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.what

    def clean(self) -> None:
        owner_or_department(self)

    def is_overdue(self, today: date) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < today

    @property
    def responsible(self):
        return self.owner if self.owner_id is not None else self.meeting.organiser
