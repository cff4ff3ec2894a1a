"""Quotes (报价单): lines, totals, and the discount approval.

Totals (all Decimal, CNY, rounded half-up to the fen at each line):
- a line's amount = quantity × unit price × (100 − line discount %) / 100;
- the quote's list total = Σ quantity × list price, its total = Σ line amounts, and its
  discount off list (%) = (list total − total) / list total × 100, two decimals.
Submitting a quote approves it when that discount is at most
settings.LOUDOU_QUOTE_APPROVAL_DISCOUNT_PCT; above it the quote waits (待审批) for the
owner's team manager, a director or an administrator, who approve, or reject with a
reason. A rejected quote may be edited and submitted again.

Who may do what: create and edit: the owner and whoever sees the quote (manager of the
owner's team, director/admin) while it is a draft or rejected; marketing nothing.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.commerce.choices import QuoteStatus
from loudou.commerce.models import Quote, QuoteLine
from loudou.core.audit import record, save_with_audit
from loudou.customers.selectors import visible_customers
from loudou.leads.selectors import visible_leads
from loudou.org.choices import Role
from loudou.org.models import User
from loudou.org.selectors import ensure_assignable

FEN = Decimal("0.01")
QUOTE_FIELDS = frozenset({"title", "lead", "customer", "owner", "valid_until", "notes"})
MAX_LINES = 100


def line_amount(quantity: int, unit_price: Decimal, discount_pct: Decimal) -> Decimal:
    gross = Decimal(quantity) * unit_price * (Decimal(100) - discount_pct) / Decimal(100)
    return gross.quantize(FEN, rounding=ROUND_HALF_UP)


def totals(lines: list[QuoteLine]) -> tuple[Decimal, Decimal, Decimal]:
    """(list total, total, discount off list in %) of `lines`."""
    list_total = sum((Decimal(x.quantity) * x.list_price for x in lines), Decimal(0)).quantize(
        FEN, rounding=ROUND_HALF_UP
    )
    total = sum((x.amount for x in lines), Decimal(0))
    if not list_total:
        return list_total, total, Decimal("0.00")
    off = ((list_total - total) * 100 / list_total).quantize(FEN, rounding=ROUND_HALF_UP)
    return list_total, total, off


def approval_threshold() -> Decimal:
    return Decimal(settings.LOUDOU_QUOTE_APPROVAL_DISCOUNT_PCT)


def needs_approval(quote: Quote) -> bool:
    return quote.discount_pct > approval_threshold()


def may_sell(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role != Role.MARKETING


def may_approve_quote(user: User, quote: Quote) -> bool:
    """The owner's team manager (not for their own quote), a director or an admin."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.sees_all:
        return True
    team = quote.owner.team
    return (
        user.role == Role.MANAGER
        and quote.owner_id != user.pk
        and team is not None
        and team.manager_id == user.pk
    )


def _check_parties(actor: User, values: dict[str, Any]) -> None:
    lead, customer = values.get("lead"), values.get("customer")
    if lead is None and customer is None:
        raise ValidationError({"customer": [_("请选择线索或客户。")]})
    if lead is not None and not visible_leads(actor).filter(pk=lead.pk).exists():
        raise ValidationError({"lead": [_("找不到该线索。")]})
    if customer is not None and not visible_customers(actor).filter(pk=customer.pk).exists():
        raise ValidationError({"customer": [_("找不到该客户。")]})
    ensure_assignable(actor, values.get("owner"))


def _write_lines(quote: Quote, lines: list[dict[str, Any]]) -> None:
    if not lines:
        raise ValidationError({"lines": [_("报价单至少需要一行产品。")]})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": [_("报价单最多 {n} 行。").format(n=MAX_LINES)]})
    quote.lines.all().delete()
    made = []
    for line in lines:
        product = line["product"]
        price = line.get("unit_price")
        price = product.list_price if price is None else price
        discount = line.get("discount_pct") or Decimal(0)
        if not Decimal(0) <= discount <= Decimal(100) or price < 0 or line["quantity"] < 1:
            raise ValidationError({"lines": [_("数量、单价或折扣不正确。")]})
        made.append(
            QuoteLine(
                quote=quote,
                product=product,
                quantity=line["quantity"],
                unit_price=price,
                list_price=product.list_price,
                discount_pct=discount,
                amount=line_amount(line["quantity"], price, discount),
            )
        )
    QuoteLine.objects.bulk_create(made)
    quote.list_total, quote.total, quote.discount_pct = totals(made)
    quote.save(update_fields=["list_total", "total", "discount_pct", "updated_at"])


@transaction.atomic
def create_quote(*, actor: User, values: dict[str, Any], lines: list[dict[str, Any]]) -> Quote:
    """A draft quote with its lines; the owner defaults to the actor."""
    if not may_sell(actor):
        raise PermissionDenied(_("您不能创建报价单。"))
    values = {**values, "owner": values.get("owner") or actor}
    _check_parties(actor, values)
    quote = Quote()
    save_with_audit(obj=quote, actor=actor, verb="quote.created", values=values)
    _write_lines(quote, lines)
    return quote


@transaction.atomic
def update_quote(
    *, quote: Quote, actor: User, values: dict[str, Any], lines: list[dict[str, Any]] | None
) -> Quote:
    """Change a draft or rejected quote (a rejected one becomes a draft again)."""
    if not quote.is_editable():
        raise ValidationError(_("只有草稿或已驳回的报价单可以修改。"))
    merged = {"lead": quote.lead, "customer": quote.customer, "owner": quote.owner, **values}
    _check_parties(actor, merged)
    values = {**values, "status": QuoteStatus.DRAFT}
    save_with_audit(obj=quote, actor=actor, verb="quote.updated", values=values)
    if lines is not None:
        before = str(quote.total)
        _write_lines(quote, lines)
        change = {"field": "total", "before": before, "after": str(quote.total)}
        record(obj=quote, actor=actor, verb="quote.lines_changed", changes=[change])
    return quote


def _move(quote: Quote, *, frm: set[str], to: str, actor: User, reason: str, **extra) -> Quote:
    moved = Quote.objects.filter(pk=quote.pk, status__in=frm).update(
        status=to, updated_at=timezone.now(), **extra
    )
    if moved != 1:
        raise ValidationError(_("报价单状态已变化，请刷新后重试。"))
    change = {"field": "status", "before": quote.status, "after": to}
    quote.refresh_from_db()
    record(obj=quote, actor=actor, verb=f"quote.{to}", changes=[change], reason=reason)
    return quote


@transaction.atomic
def submit_quote(*, quote: Quote, actor: User) -> Quote:
    """Draft → approved (discount within the threshold) or pending approval."""
    if not quote.lines.exists():
        raise ValidationError({"lines": [_("报价单至少需要一行产品。")]})
    editable = {QuoteStatus.DRAFT, QuoteStatus.REJECTED}
    if needs_approval(quote):
        return _move(quote, frm=editable, to=QuoteStatus.PENDING, actor=actor, reason="")
    reason = _("折让 {pct}% 不超过 {limit}%，自动批准").format(
        pct=quote.discount_pct, limit=approval_threshold()
    )
    return _move(
        quote, frm=editable, to=QuoteStatus.APPROVED, actor=actor, reason=reason,
        decided_by=None, decided_at=timezone.now(), decision_reason=reason,
    )  # fmt: skip


@transaction.atomic
def decide_quote(*, quote: Quote, actor: User, approve: bool, reason: str = "") -> Quote:
    """The approver's decision on a pending quote; a rejection needs a reason."""
    if not may_approve_quote(actor, quote):
        raise PermissionDenied(_("只有负责人的经理、销售总监或管理员可以审批该报价单。"))
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": [_("驳回时请填写原因。")]})
    to = QuoteStatus.APPROVED if approve else QuoteStatus.REJECTED
    return _move(
        quote, frm={QuoteStatus.PENDING}, to=to, actor=actor, reason=reason,
        decided_by=actor, decided_at=timezone.now(), decision_reason=reason,
    )  # fmt: skip
