"""The product catalogue that quotes and orders draw from."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from loudou.core.models import TimeStampedModel

MONEY = {"max_digits": 14, "decimal_places": 2}


class Product(TimeStampedModel):
    """A product we sell, with its list price in CNY (标准价)."""

    sku = models.CharField(_("产品编码"), max_length=40, unique=True)
    name = models.CharField(_("产品名称"), max_length=120)
    product_line = models.ForeignKey(
        "org.ProductLine", verbose_name=_("产品线"), on_delete=models.PROTECT, related_name="+"
    )
    list_price = models.DecimalField(_("标准价(元)"), **MONEY)
    unit = models.CharField(_("单位"), max_length=10, default="套")
    is_active = models.BooleanField(_("在售"), default=True)

    class Meta:
        verbose_name = _("产品")
        verbose_name_plural = _("产品")
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(list_price__gte=0), name="commerce_product_price_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"
