"""Orders (订单): one per signed contract, or entered directly (repeat purchases).

An order from a contract takes the contract's customer, lead, owner, amount and signing
date; it changes only with the contract (cancelling a signed contract cancels it). A
direct order may be changed by whoever sees it, and cancelled with a reason.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.commerce.choices import OrderSource, OrderStatus
from loudou.commerce.models import Contract, Order
from loudou.core.audit import record, save_with_audit
from loudou.customers.selectors import visible_customers
from loudou.leads.selectors import visible_leads
from loudou.org.choices import Role
from loudou.org.models import User
from loudou.org.selectors import ensure_assignable

ORDER_FIELDS = frozenset({"customer", "lead", "owner", "ordered_on", "amount", "description"})


def order_for_contract(*, contract: Contract, actor: User) -> Order:
    """The signed contract's order (made once: a second call returns the first)."""
    order, made = Order.objects.get_or_create(
        contract=contract,
        defaults={
            "customer_id": contract.customer_id,
            "lead_id": contract.lead_id,
            "owner_id": contract.owner_id,
            "source": OrderSource.CONTRACT,
            "ordered_on": contract.signed_on,
            "amount": contract.amount,
            "description": contract.title[:200],
        },
    )
    if made:
        record(obj=order, actor=actor, verb="order.created", reason=contract.number)
    return order


def cancel_contract_order(*, contract: Contract, actor: User, reason: str) -> None:
    order = Order.objects.filter(contract=contract).first()
    if order is not None:
        _cancel(order, actor, reason)


def _check_parties(actor: User, values: dict[str, Any]) -> None:
    customer, lead = values.get("customer"), values.get("lead")
    if customer is None or not visible_customers(actor).filter(pk=customer.pk).exists():
        raise ValidationError({"customer": [_("找不到该客户。")]})
    if lead is not None and not visible_leads(actor).filter(pk=lead.pk).exists():
        raise ValidationError({"lead": [_("找不到该线索。")]})
    ensure_assignable(actor, values.get("owner"))


@transaction.atomic
def create_order(*, actor: User, values: dict[str, Any]) -> Order:
    """A direct order (a repeat purchase without a contract in the system)."""
    if not (actor.is_active and actor.role != Role.MARKETING):
        raise PermissionDenied(_("您不能录入订单。"))
    values = {**values, "owner": values.get("owner") or actor}
    _check_parties(actor, values)
    order = Order(source=OrderSource.DIRECT)
    save_with_audit(obj=order, actor=actor, verb="order.created", values=values)
    return order


@transaction.atomic
def update_order(*, order: Order, actor: User, values: dict[str, Any]) -> Order:
    if order.source != OrderSource.DIRECT or order.status == OrderStatus.CANCELLED:
        raise ValidationError(_("合同订单随合同变化；已取消的订单不能修改。"))
    merged = {"customer": order.customer, "lead": order.lead, "owner": order.owner, **values}
    _check_parties(actor, merged)
    save_with_audit(obj=order, actor=actor, verb="order.updated", values=values)
    return order


def _cancel(order: Order, actor: User, reason: str) -> Order:
    moved = Order.objects.filter(pk=order.pk, status=OrderStatus.CONFIRMED).update(
        status=OrderStatus.CANCELLED, updated_at=timezone.now()
    )
    if moved != 1:
        raise ValidationError(_("订单已取消。"))
    order.refresh_from_db()
    change = {"field": "status", "before": OrderStatus.CONFIRMED, "after": order.status}
    record(obj=order, actor=actor, verb="order.cancelled", changes=[change], reason=reason)
    return order


@transaction.atomic
def cancel_order(*, order: Order, actor: User, reason: str) -> Order:
    """Cancel a direct order (a contract's order goes with its contract)."""
    if order.source != OrderSource.DIRECT:
        raise ValidationError(_("合同订单请通过取消合同来取消。"))
    if not reason.strip():
        raise ValidationError({"reason": [_("取消订单时请填写原因。")]})
    return _cancel(order, actor, reason.strip())
