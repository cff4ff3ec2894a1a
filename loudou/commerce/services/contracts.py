"""Contracts (合同): status moves with their checks, the payment plan and payments.

draft → review → signed → paid → accepted; draft and review may go back/forward, and
draft, review and signed may be cancelled (with a reason; a signed contract's order is
cancelled with it). Checks:
- signed needs a signing date and an amount above zero; signing creates the contract's
  order (services.orders.order_for_contract) in the same transaction;
- paid needs the payments to cover the amount; recording the payment that covers it
  moves a signed contract to paid by itself;
- payments only on signed, paid or accepted contracts, never beyond the amount.
Each move is a conditional UPDATE on the status read, with an audit event.
Who: whoever sees the contract (owner, the owner's team manager, director/admin).
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.commerce.choices import CONTRACT_MOVES, ContractStatus
from loudou.commerce.models import Contract, Payment, PaymentMilestone
from loudou.commerce.services.orders import cancel_contract_order, order_for_contract
from loudou.commerce.services.quotes import may_sell
from loudou.core.audit import record, save_with_audit
from loudou.customers.selectors import visible_customers
from loudou.leads.selectors import visible_leads
from loudou.org.models import User
from loudou.org.selectors import ensure_assignable

CONTRACT_FIELDS = frozenset(
    {"title", "customer", "lead", "quote", "owner", "amount", "signed_on", "notes"}
)
#: Before signing every field may change; afterwards only the notes.
OPEN = {ContractStatus.DRAFT, ContractStatus.REVIEW}
PAYABLE = {ContractStatus.SIGNED, ContractStatus.PAID, ContractStatus.ACCEPTED}


def paid_total(contract: Contract) -> Decimal:
    total = contract.payments.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return Decimal(total).quantize(Decimal("0.01"))


def _check_parties(actor: User, values: dict[str, Any]) -> None:
    customer, lead, quote = values.get("customer"), values.get("lead"), values.get("quote")
    if customer is None or not visible_customers(actor).filter(pk=customer.pk).exists():
        raise ValidationError({"customer": [_("找不到该客户。")]})
    if lead is not None and not visible_leads(actor).filter(pk=lead.pk).exists():
        raise ValidationError({"lead": [_("找不到该线索。")]})
    if quote is not None:
        from loudou.commerce.selectors import visible_quotes

        if not visible_quotes(actor).filter(pk=quote.pk).exists():
            raise ValidationError({"quote": [_("找不到该报价单。")]})
    ensure_assignable(actor, values.get("owner"))


@transaction.atomic
def create_contract(*, actor: User, values: dict[str, Any]) -> Contract:
    """A draft contract; its amount defaults to the quote's total, its owner to the actor."""
    if not may_sell(actor):
        raise PermissionDenied(_("您不能创建合同。"))
    values = {**values, "owner": values.get("owner") or actor}
    if values.get("amount") is None and values.get("quote") is not None:
        values["amount"] = values["quote"].total
    _check_parties(actor, values)
    contract = Contract()
    save_with_audit(obj=contract, actor=actor, verb="contract.created", values=values)
    return contract


@transaction.atomic
def update_contract(*, contract: Contract, actor: User, values: dict[str, Any]) -> Contract:
    if contract.status not in OPEN and set(values) - {"notes"}:
        raise ValidationError(_("合同签约后只能修改备注。"))
    if set(values) - {"notes"}:
        merged = {
            "customer": contract.customer,
            "lead": contract.lead,
            "quote": contract.quote,
            "owner": contract.owner,
            **values,
        }
        _check_parties(actor, merged)
    save_with_audit(obj=contract, actor=actor, verb="contract.updated", values=values)
    return contract


def _sign_checks(contract: Contract, signed_on: date | None, amount: Decimal | None) -> dict:
    signed_on = signed_on or contract.signed_on
    amount = amount if amount is not None else contract.amount
    errors = {}
    if signed_on is None:
        errors["signed_on"] = [_("签约需要签约日期。")]
    if amount is None or amount <= 0:
        errors["amount"] = [_("签约需要大于零的合同金额。")]
    if errors:
        raise ValidationError(errors)
    return {"signed_on": signed_on, "amount": amount}


@transaction.atomic
def move_contract(
    *,
    contract: Contract,
    to: str,
    actor: User,
    reason: str = "",
    signed_on: date | None = None,
    amount: Decimal | None = None,
) -> Contract:
    """Move `contract` to status `to` after the checks above."""
    frm = contract.status
    if to not in CONTRACT_MOVES.get(frm, set()):
        raise ValidationError({"to": [_("合同不能从“{a}”变为“{b}”。").format(
            a=ContractStatus(frm).label, b=to)]})  # fmt: skip
    extra: dict[str, Any] = {}
    if to == ContractStatus.SIGNED:
        extra = _sign_checks(contract, signed_on, amount)
    if to == ContractStatus.PAID and paid_total(contract) < (contract.amount or 0):
        raise ValidationError({"to": [_("回款尚未覆盖合同金额，不能标记为已回款。")]})
    if to == ContractStatus.CANCELLED and not reason.strip():
        raise ValidationError({"reason": [_("取消合同时请填写原因。")]})
    moved = Contract.objects.filter(pk=contract.pk, status=frm).update(
        status=to, updated_at=timezone.now(), **extra
    )
    if moved != 1:
        raise ValidationError(_("合同状态已变化，请刷新后重试。"))
    contract.refresh_from_db()
    changes = [{"field": "status", "before": frm, "after": to}]
    changes += [{"field": k, "before": None, "after": str(v)} for k, v in extra.items()]
    record(obj=contract, actor=actor, verb=f"contract.{to}", changes=changes, reason=reason)
    if to == ContractStatus.SIGNED:
        order_for_contract(contract=contract, actor=actor)
    if to == ContractStatus.CANCELLED and frm == ContractStatus.SIGNED:
        cancel_contract_order(contract=contract, actor=actor, reason=reason)
    return contract


@transaction.atomic
def add_milestone(*, contract: Contract, actor: User, values: dict[str, Any]) -> PaymentMilestone:
    if contract.status == ContractStatus.CANCELLED:
        raise ValidationError(_("已取消的合同不能添加回款计划。"))
    milestone = PaymentMilestone(contract=contract, **values)
    milestone.full_clean()
    milestone.save()
    change = {"field": "milestone", "before": None, "after": f"{milestone} {milestone.amount}"}
    record(obj=contract, actor=actor, verb="contract.milestone_added", changes=[change])
    return milestone


@transaction.atomic
def remove_milestone(*, milestone: PaymentMilestone, actor: User) -> None:
    contract = milestone.contract
    change = {"field": "milestone", "before": f"{milestone} {milestone.amount}", "after": None}
    milestone.delete()
    record(obj=contract, actor=actor, verb="contract.milestone_removed", changes=[change])


@transaction.atomic
def record_payment(*, contract: Contract, actor: User, values: dict[str, Any]) -> Payment:
    """A payment received; the one that covers the amount moves a signed contract to paid."""
    if contract.status not in PAYABLE:
        raise ValidationError(_("只有已签约的合同可以登记回款。"))
    amount = values.get("amount")
    if amount is not None and paid_total(contract) + amount > contract.amount:
        raise ValidationError({"amount": [_("回款合计不能超过合同金额。")]})
    payment = Payment(contract=contract, recorded_by=actor, **values)
    payment.full_clean()
    payment.save()
    change = {"field": "payment", "before": None, "after": f"{payment.paid_on} {payment.amount}"}
    record(obj=contract, actor=actor, verb="contract.payment_recorded", changes=[change])
    if contract.status == ContractStatus.SIGNED and paid_total(contract) >= contract.amount:
        move_contract(contract=contract, to=ContractStatus.PAID, actor=actor)
    return payment
