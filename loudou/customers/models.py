"""Customers (companies) and their contacts."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from loudou.compliance.choices import Purpose
from loudou.core.models import TimeStampedModel, widen_update_fields


class Customer(TimeStampedModel):
    """A company we sell to; leads and contacts hang off it."""

    name = models.CharField(_("公司名称"), max_length=200)
    industry = models.ForeignKey(
        "org.Industry", verbose_name=_("行业"), null=True, blank=True, on_delete=models.PROTECT
    )
    region = models.ForeignKey(
        "org.Region", verbose_name=_("区域"), null=True, blank=True, on_delete=models.PROTECT
    )
    employees = models.PositiveIntegerField(_("员工人数"), null=True, blank=True)
    annual_revenue = models.DecimalField(
        _("年营业额(万元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_customers",
    )
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="captured_customers",
    )
    #: the name's de-duplication key (leads.dedupe.company_key), kept by save()
    company_key = models.CharField(
        _("查重键"), max_length=120, blank=True, editable=False, db_index=True
    )

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the list's order, for everyone and per owner (ADR 0019)
            models.Index(fields=["created_at", "id"], name="customer_list"),
            models.Index(fields=["owner", "created_at", "id"], name="customer_owner_list"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])

    def save(self, *args, **kwargs):
        from loudou.leads.dedupe import company_key

        self.company_key = company_key(self.name)
        widen_update_fields(kwargs, {"name"}, ["company_key"])
        super().save(*args, **kwargs)


class Contact(TimeStampedModel):
    """A person at a customer."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("姓名"), max_length=60)
    title = models.CharField(_("职位"), max_length=60, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    wechat = models.CharField(_("微信"), max_length=60, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    purpose = models.CharField(_("收集用途"), max_length=20, choices=Purpose, default=Purpose.SALES)
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["customer_id", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.customer_id])
