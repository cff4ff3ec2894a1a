"""Contracts (合同), their payment plan (回款计划), payments (回款记录) and attachments."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from loudou.commerce.choices import ContractStatus, PaymentMethod
from loudou.commerce.models.catalogue import MONEY
from loudou.core.models import TimeStampedModel


class Contract(TimeStampedModel):
    """A contract with a customer; its status moves only through services.contracts."""

    title = models.CharField(_("合同名称"), max_length=120)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("线索"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    quote = models.ForeignKey(
        "commerce.Quote",
        verbose_name=_("报价单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ContractStatus, default=ContractStatus.DRAFT
    )
    amount = models.DecimalField(_("合同金额(元)"), null=True, blank=True, **MONEY)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("合同")
        verbose_name_plural = _("合同")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="commerce_contract_amount_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("commerce:contract", args=[self.pk])

    @property
    def number(self) -> str:
        return f"HT{self.pk or 0:06d}"


class PaymentMilestone(models.Model):
    """One instalment of the payment plan (回款计划)."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="milestones"
    )
    name = models.CharField(_("期次"), max_length=60)
    due_on = models.DateField(_("计划回款日"))
    amount = models.DecimalField(_("计划金额(元)"), **MONEY)

    class Meta:
        verbose_name = _("回款计划")
        verbose_name_plural = _("回款计划")
        ordering = ["contract_id", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="commerce_milestone_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.due_on}"


class Payment(models.Model):
    """Money received on a contract (回款记录)."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="payments"
    )
    paid_on = models.DateField(_("回款日期"))
    amount = models.DecimalField(_("回款金额(元)"), **MONEY)
    method = models.CharField(
        _("回款方式"), max_length=12, choices=PaymentMethod, default=PaymentMethod.TRANSFER
    )
    notes = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回款记录")
        verbose_name_plural = _("回款记录")
        ordering = ["contract_id", "paid_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="commerce_payment_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.amount}"


class Attachment(models.Model):
    """A file kept with a contract, stored under settings.DATA_DIR (never served as a
    static file) and read only through a permission-checked download."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10)
    content_type = models.CharField(_("内容类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("校验值"), max_length=64)
    stored_as = models.CharField(_("存储路径"), max_length=200, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("合同附件")
        verbose_name_plural = _("合同附件")
        ordering = ["contract_id", "id"]

    def __str__(self) -> str:
        return self.name
