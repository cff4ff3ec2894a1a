"""The list filters of tickets, customers and the maintenance log: one definition for the
pages, the exports and the API."""

from datetime import date, datetime

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from loudou.customers.selectors import clean_search
from loudou.org.models import User
from loudou.service.choices import DueStatus, Priority, SlaView, TicketStatus, Tier
from loudou.service.services.sla import filter_sla

ALL = [("", _("全部"))]
TICKET_SCOPES = [*ALL, ("mine", _("我处理的")), ("open", _("未解决"))]


def filter_tickets(
    tickets: QuerySet,
    user: User,
    *,
    now: datetime,
    scope: str = "",
    status: str = "",
    priority: str = "",
    tier: str = "",
    sla: str = "",
    q: str = "",
    customer: int | None = None,
) -> QuerySet:
    """`tickets` (already visible to `user`) narrowed by the list's filters."""
    if scope == "mine":
        tickets = tickets.filter(assignee=user)
    elif scope == "open":
        tickets = tickets.filter(status__in=[TicketStatus.NEW, TicketStatus.IN_PROGRESS])
    if status:
        tickets = tickets.filter(status=status)
    if priority:
        tickets = tickets.filter(priority=priority)
    if tier:
        tickets = tickets.filter(tier=tier)
    if customer:
        tickets = tickets.filter(customer_id=customer)
    tickets = filter_sla(tickets, sla, now) if sla else tickets
    q = clean_search(q or "")
    if q:
        tickets = tickets.filter(Q(subject__icontains=q) | Q(customer__name__icontains=q))
    return tickets


def filter_customers(customers: QuerySet, *, tier: str = "", q: str = "") -> QuerySet:
    """Customers with a tier (those served after signing), by tier and name."""
    customers = customers.filter(service_tier__isnull=False)
    if tier:
        customers = customers.filter(service_tier__tier=tier)
    q = clean_search(q or "")
    return customers.filter(name__icontains=q) if q else customers


def filter_log(
    actions: QuerySet,
    *,
    today: date,
    status: str = "",
    overdue: bool = False,
    customer: int | None = None,
    q: str = "",
) -> QuerySet:
    if status:
        actions = actions.filter(status=status)
    if overdue:
        actions = actions.filter(status=DueStatus.OPEN, due_on__lt=today)
    if customer:
        actions = actions.filter(customer_id=customer)
    q = clean_search(q or "")
    return actions.filter(customer__name__icontains=q) if q else actions


class Params(forms.Form):
    def params(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


class TicketFilterForm(Params):
    scope = forms.ChoiceField(label=_("范围"), choices=TICKET_SCOPES, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=ALL + TicketStatus.choices, required=False)
    priority = forms.ChoiceField(label=_("优先级"), choices=ALL + Priority.choices, required=False)
    tier = forms.ChoiceField(label=_("客户级别"), choices=ALL + Tier.choices, required=False)
    sla = forms.ChoiceField(label=_("时限状态"), choices=ALL + SlaView.choices, required=False)
    q = forms.CharField(label=_("搜索"), max_length=100, required=False)


class CustomerFilterForm(Params):
    tier = forms.ChoiceField(label=_("客户级别"), choices=ALL + Tier.choices, required=False)
    q = forms.CharField(label=_("搜索"), max_length=100, required=False)


class LogFilterForm(Params):
    status = forms.ChoiceField(label=_("状态"), choices=ALL + DueStatus.choices, required=False)
    overdue = forms.BooleanField(label=_("仅逾期"), required=False)
    q = forms.CharField(label=_("搜索"), max_length=100, required=False)
