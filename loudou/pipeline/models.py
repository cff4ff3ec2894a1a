"""Pipelines, their stages with the ideal state (理想状态), and the stage-change ledger."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from loudou.core.models import AppendOnlyError, ReferenceItem, localized_name
from loudou.pipeline.choices import MoveVia, StageKind


class Pipeline(models.Model):
    """A sales pipeline: one per product line or business, as needed."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=60, blank=True)
    product_line = models.ForeignKey(
        "org.ProductLine",
        verbose_name=_("产品线"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    is_default = models.BooleanField(_("默认"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("销售漏斗")
        verbose_name_plural = _("销售漏斗")
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return localized_name(self)


class Stage(models.Model):
    """One layer of a pipeline, with its entry criteria, methods and ideal state."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"))
    kind = models.CharField(_("类型"), max_length=10, choices=StageKind, default=StageKind.OPEN)
    probability = models.PositiveSmallIntegerField(
        _("赢单概率(%)"), default=0, validators=[MaxValueValidator(100)]
    )
    entry_criteria = models.TextField(_("客户标准状态"), blank=True)
    work_standards = models.TextField(_("工作标准"), blank=True)
    sales_methods = models.TextField(_("推荐销售方法"), blank=True)
    ideal_days = models.PositiveSmallIntegerField(_("理想移动天数"), null=True, blank=True)
    ideal_move_rate = models.DecimalField(
        _("理想移动率(%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    ideal_count_per_rep = models.PositiveSmallIntegerField(
        _("每人理想客户数"), null=True, blank=True
    )
    is_opportunity = models.BooleanField(
        _("商机阶段"),
        default=False,
        help_text=_("从此阶段起，线索作为商机填写金额、产品、预计成交日期和决策链"),
    )

    class Meta:
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        ordering = ["pipeline_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "code"], name="stage_code_unique"),
            models.UniqueConstraint(fields=["pipeline", "order"], name="stage_order_unique"),
        ]

    def __str__(self) -> str:
        return localized_name(self)

    @property
    def is_won(self) -> bool:
        return self.kind == StageKind.WON

    @property
    def is_lost(self) -> bool:
        return self.kind == StageKind.LOST


class LostReason(ReferenceItem):
    """A structured reason for abandoning an engagement (放弃原因)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("放弃原因")
        verbose_name_plural = _("放弃原因")


class WinFactor(ReferenceItem):
    """A structured factor behind a win (赢单因素)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("赢单因素")
        verbose_name_plural = _("赢单因素")


class StageChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the stage ledger cannot be changed")

    def delete(self):
        raise AppendOnlyError("the stage ledger cannot be deleted")


class StageChange(models.Model):
    """One row of the append-only stage ledger: time in stage, move rates and cycle lengths
    are computed from these rows, never stored by hand."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.PROTECT, related_name="stage_changes")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="+")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("当时负责人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("原因"), blank=True)
    via = models.CharField(_("途径"), max_length=10, choices=MoveVia)
    lost_reason = models.ForeignKey(
        LostReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    win_factors = models.JSONField(_("赢单因素"), default=list, blank=True)

    objects = StageChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["lead", "at"]),
            models.Index(fields=["pipeline", "to_stage", "at"]),
            # covering for a window's rows by rep and move (health: move rates)
            models.Index(fields=["at", "owner", "from_stage", "to_stage", "lead"]),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_stage_id} → {self.to_stage_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("the stage ledger cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the stage ledger cannot be deleted")
