"""Quotes (报价单) and their lines; totals are kept by services.quotes."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from loudou.commerce.choices import QuoteStatus
from loudou.commerce.models.catalogue import MONEY
from loudou.core.models import TimeStampedModel

PERCENT = {"max_digits": 5, "decimal_places": 2}


class Quote(TimeStampedModel):
    """A priced offer to a lead or customer. A discount off list above the threshold
    (settings.COMMERCE_DISCOUNT_APPROVAL_PCT) needs the owner's manager or a director."""

    title = models.CharField(_("标题"), max_length=120)
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("线索"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=QuoteStatus, default=QuoteStatus.DRAFT
    )
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    list_total = models.DecimalField(_("标准价合计"), default=0, editable=False, **MONEY)
    total = models.DecimalField(_("报价合计"), default=0, editable=False, **MONEY)
    discount_pct = models.DecimalField(_("整体折让(%)"), default=0, editable=False, **PERCENT)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True, editable=False)
    decision_reason = models.TextField(_("审批意见"), blank=True, editable=False)

    class Meta:
        verbose_name = _("报价单")
        verbose_name_plural = _("报价单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lead__isnull=False) | models.Q(customer__isnull=False),
                name="commerce_quote_for_lead_or_customer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("commerce:quote", args=[self.pk])

    @property
    def number(self) -> str:
        return f"BJ{self.pk or 0:06d}"

    def is_editable(self) -> bool:
        return self.status in {QuoteStatus.DRAFT, QuoteStatus.REJECTED}


class QuoteLine(models.Model):
    """One product on a quote: quantity, unit price (list price unless changed) and a
    line discount in percent; `amount` is kept by services.quotes."""

    quote = models.ForeignKey(
        Quote, verbose_name=_("报价单"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        "commerce.Product", verbose_name=_("产品"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    unit_price = models.DecimalField(_("单价(元)"), **MONEY)
    list_price = models.DecimalField(_("标准价(元)"), editable=False, **MONEY)
    discount_pct = models.DecimalField(_("行折扣(%)"), default=0, **PERCENT)
    amount = models.DecimalField(_("金额(元)"), default=0, editable=False, **MONEY)

    class Meta:
        verbose_name = _("报价明细")
        verbose_name_plural = _("报价明细")
        ordering = ["quote_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(discount_pct__gte=0, discount_pct__lte=100),
                name="commerce_quoteline_discount_range",
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="commerce_quoteline_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"
