"""In-app notifications, their outbox of deliveries, team robots and the worker's schedule."""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loudou.core.models import TimeStampedModel
from loudou.notifications.choices import Channel, DeliveryStatus, RobotKind


class Notification(models.Model):
    """One message to one user, shown under the bell; `dedupe_key` makes `notify()` idempotent.

    The caller chooses the key (e.g. ``"overdue:action:42:2026-11-23"``): a second
    `notify()` with the same key writes nothing.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.SlugField(_("类型"), max_length=50)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    """The outbox: one notification to one channel target, sent exactly once by the worker.

    A worker claims a row with a conditional UPDATE (status → sending, a lease in
    `claimed_until`), sends it, then marks it sent or schedules a retry with backoff.
    A claim whose lease expired (its worker was killed) can be claimed again.
    """

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("通知"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel)
    target = models.CharField(
        _("目标"), max_length=254, help_text=_("邮箱地址，或群机器人配置的编号")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=DeliveryStatus, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    claimed_until = models.DateTimeField(_("占用至"), null=True, blank=True)
    claimed_by = models.CharField(_("处理进程"), max_length=100, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("投递")
        verbose_name_plural = _("投递")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel", "target"], name="delivery_once_per_target"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.target}"


class RobotConfig(TimeStampedModel):
    """A team's group robot (WeCom, DingTalk or Feishu webhook) that receives its reminders.

    `secret` signs DingTalk and Feishu requests; WeCom robots have none (the key is in
    the URL). The secret is write-only in the admin and the API.
    """

    team = models.ForeignKey(
        "org.Team", verbose_name=_("团队"), on_delete=models.CASCADE, related_name="robots"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=RobotKind)
    name = models.CharField(_("名称"), max_length=60, blank=True)
    webhook_url = models.URLField(
        _("Webhook 地址"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
    )
    secret = models.CharField(
        _("加签密钥"), max_length=200, blank=True, help_text=_("钉钉、飞书加签时填写")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["team", "kind", "id"]

    def __str__(self) -> str:
        return self.name or f"{self.team} · {self.get_kind_display()}"


class PeriodicJob(models.Model):
    """When a periodic background job (a dotted task path) is next due.

    Workers claim a run with a conditional UPDATE on `next_run_at`, so two workers
    enqueue each run once; the schedule survives restarts.
    """

    path = models.CharField(_("任务"), max_length=200, unique=True)
    next_run_at = models.DateTimeField(_("下次运行"), default=timezone.now)
    last_run_at = models.DateTimeField(_("上次运行"), null=True, blank=True)
    last_run_by = models.CharField(_("上次运行进程"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.path
