from django.db import models
from django.utils.translation import gettext_lazy as _


class Period(models.TextChoices):
    """How long a target runs: a calendar year, quarter or month (start on its first day)."""

    ANNUAL = "annual", _("年度")
    QUARTERLY = "quarterly", _("季度")
    MONTHLY = "monthly", _("月度")


class Metric(models.TextChoices):
    """What a target counts (销售目标分解与跟踪表 量化指标)."""

    REVENUE = "revenue", _("销售额")
    ORDERS = "orders", _("订单数")
    NEW_CUSTOMERS = "new_customers", _("新客户数")
    REPURCHASE_RATE = "repurchase_rate", _("复购率")


class ScopeKind(models.TextChoices):
    """Whose target it is (目标维度)."""

    COMPANY = "company", _("全公司")
    REGION = "region", _("区域")
    PRODUCT_LINE = "product_line", _("产品线")
    CUSTOMER_TYPE = "customer_type", _("客户类型")
    TEAM = "team", _("团队")
    PERSON = "person", _("个人")


class MilestoneStatus(models.TextChoices):
    OPEN = "open", _("未完成")
    DONE = "done", _("已完成")


class ActionStatus(models.TextChoices):
    """Where an improvement action stands."""

    OPEN = "open", _("未完成")
    DONE = "done", _("已完成")


#: Months in each period.
PERIOD_MONTHS = {Period.ANNUAL: 12, Period.QUARTERLY: 3, Period.MONTHLY: 1}
#: Metrics whose children add up to their parent (a rate does not).
SUMMED = {Metric.REVENUE, Metric.ORDERS, Metric.NEW_CUSTOMERS}
#: Metrics counted in whole units.
WHOLE = {Metric.ORDERS, Metric.NEW_CUSTOMERS}
#: The scope field that names each kind's subject (company has none).
SCOPE_FIELDS = {
    ScopeKind.REGION: "region",
    ScopeKind.PRODUCT_LINE: "product_line",
    ScopeKind.CUSTOMER_TYPE: "customer_type",
    ScopeKind.TEAM: "team",
    ScopeKind.PERSON: "person",
}
#: Scopes of the company as a whole, not of a team or a person.
COMPANY_WIDE = {
    ScopeKind.COMPANY,
    ScopeKind.REGION,
    ScopeKind.PRODUCT_LINE,
    ScopeKind.CUSTOMER_TYPE,
}
