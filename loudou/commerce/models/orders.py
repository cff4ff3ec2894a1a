"""Orders (订单): what a customer bought, from a signed contract or entered directly."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from loudou.commerce.choices import OrderSource, OrderStatus
from loudou.commerce.models.catalogue import MONEY
from loudou.core.models import TimeStampedModel


class Order(TimeStampedModel):
    """A purchase by a customer on `ordered_on` (a local date) for `amount` CNY; one per
    signed contract, or entered directly for repeat purchases. Cancelled orders count
    nowhere (annual purchase, repurchase, target actuals)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    contract = models.OneToOneField(
        "commerce.Contract",
        verbose_name=_("合同"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order",
    )
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("线索"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=OrderSource, default=OrderSource.DIRECT
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=OrderStatus, default=OrderStatus.CONFIRMED
    )
    ordered_on = models.DateField(_("下单日期"), db_index=True)
    amount = models.DecimalField(_("订单金额(元)"), **MONEY)
    description = models.CharField(_("内容"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        ordering = ["-ordered_on", "-id"]
        indexes = [models.Index(fields=["customer", "ordered_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="commerce_order_amount_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.customer}"

    def get_absolute_url(self) -> str:
        return reverse("commerce:order", args=[self.pk])

    @property
    def number(self) -> str:
        return f"DD{self.pk or 0:06d}"
