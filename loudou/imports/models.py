"""Import jobs, their rows, and saved column mappings."""

import os
import socket
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loudou.core.models import TimeStampedModel


class JobStatus(models.TextChoices):
    ANALYSING = "analysing", _("分析中")
    UPLOADED = "uploaded", _("已上传")
    PREVIEWED = "previewed", _("已预览")
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    REVERTED = "reverted", _("已撤销")


class RowOutcome(models.TextChoices):
    IMPORTED = "imported", _("已导入")
    MERGED = "merged", _("已合并")
    DUPLICATE = "duplicate", _("已存在")
    REJECTED = "rejected", _("已拒绝")
    REVERTED = "reverted", _("已撤销")


class ImportKind(models.TextChoices):
    """What the rows of a file become."""

    LEADS = "leads", _("线索")
    CUSTOMERS = "customers", _("客户")
    CONTACTS = "contacts", _("联系人")


class ImportJob(TimeStampedModel):
    """One uploaded file imported into leads, customers or contacts (`kind`): its mapping,
    target, progress and counts.

    `owner` is the target owner; None with `to_pool` puts the leads in the pool (公海).
    `sample`: the first data rows, kept when the file is read (`readers.read_all`), which
    the preview dry-runs without opening the file again; None for a job from before.
    `distinct`: per column, its first distinct values (read from the whole file at the
    same time, `readers.DISTINCT_VALUES` at most, {"values": [...], "more": bool}), which
    the value mapping offers. `value_mapping`: {column: {value in the file: target key}}
    (`imports.values`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    kind = models.CharField(
        _("导入类型"), max_length=10, choices=ImportKind, default=ImportKind.LEADS
    )
    file = models.CharField(_("文件路径"), max_length=500)
    original_name = models.CharField(_("原文件名"), max_length=255)
    encoding = models.CharField(_("编码"), max_length=20, blank=True)
    delimiter = models.CharField(_("分隔符"), max_length=1, blank=True)
    headers = models.JSONField(_("表头"), default=list)
    mapping = models.JSONField(_("列映射"), default=dict)
    value_mapping = models.JSONField(_("值映射"), default=dict, blank=True)
    distinct = models.JSONField(_("各列的不同值"), null=True, blank=True, default=None)
    sample = models.JSONField(_("前几行"), null=True, blank=True, default=None)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("目标负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_pool = models.BooleanField(_("导入公海"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=JobStatus, default=JobStatus.UPLOADED, db_index=True
    )
    error = models.TextField(_("错误"), blank=True)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    progress = models.PositiveIntegerField(_("已处理行数"), default=0)
    imported = models.PositiveIntegerField(_("已导入"), default=0)
    merged = models.PositiveIntegerField(_("已合并"), default=0)
    duplicates = models.PositiveIntegerField(_("已存在"), default=0)
    rejected = models.PositiveIntegerField(_("已拒绝"), default=0)
    warned = models.PositiveIntegerField(_("有提醒"), default=0)
    worker = models.CharField(_("执行进程"), max_length=120, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.progress * 100 // self.total)

    @property
    def is_interrupted(self) -> bool:
        """A run whose worker is gone: it holds no lease, its lease (`updated_at`, bumped
        with every batch) is older than LOUDOU_IMPORT_LEASE_SECONDS, or its worker was a
        process on this machine that no longer exists. Such a job may be resumed."""
        if self.status != JobStatus.RUNNING:
            return False
        if not self.worker:
            return True
        lease = timedelta(seconds=getattr(settings, "LOUDOU_IMPORT_LEASE_SECONDS", 120))
        if self.updated_at is None or self.updated_at < timezone.now() - lease:
            return True
        host, _sep, pid = self.worker.rpartition(":")
        return host == socket.gethostname() and pid.isdigit() and not _process_exists(int(pid))


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class ImportRow(models.Model):
    """What became of one data row: imported (the lead, customer or contact it created), a
    duplicate of a record already there, merged, or rejected with the reasons. `warning`:
    what an imported row's data made the import decide (a date moved to keep the stage
    history in order, a closed deal kept as history without a contact, …)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("行号"))
    fingerprint = models.CharField(_("指纹"), max_length=64, db_index=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=RowOutcome)
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("原因"), blank=True)
    warning = models.TextField(_("提醒"), blank=True)
    values = models.JSONField(_("原始值"), default=dict)

    class Meta:
        verbose_name = _("导入行")
        verbose_name_plural = _("导入行")
        ordering = ["job", "line"]
        constraints = [
            models.UniqueConstraint(fields=["job", "line"], name="importrow_job_line"),
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=models.Q(outcome="imported"),
                name="importrow_imported_fingerprint",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line} {self.outcome}"


class ColumnMapping(models.Model):
    """A user's last mapping for a header in one kind of import (suggested again next time)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="column_mappings"
    )
    kind = models.CharField(
        _("导入类型"), max_length=10, choices=ImportKind, default=ImportKind.LEADS
    )
    header = models.CharField(_("列名"), max_length=200)
    field = models.CharField(_("字段"), max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("列映射")
        verbose_name_plural = _("列映射")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "header"], name="columnmapping_user_kind_header"
            )
        ]

    def __str__(self) -> str:
        return f"{self.header} → {self.field}"


class ValueMapping(models.Model):
    """A user's last choice for a value of a mapped field in one kind of import ("Won" →
    the stage 签约客户, "Moses Frase" → a user): suggested again for the same field."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="value_mappings"
    )
    kind = models.CharField(
        _("导入类型"), max_length=10, choices=ImportKind, default=ImportKind.LEADS
    )
    field = models.CharField(_("字段"), max_length=40)
    raw = models.CharField(_("文件中的值"), max_length=200)
    target = models.CharField(_("对应"), max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("值映射")
        verbose_name_plural = _("值映射")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "field", "raw"], name="valuemapping_user_kind_field_raw"
            )
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.raw} → {self.target}"
