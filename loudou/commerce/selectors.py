"""Protected reads of commerce records, and the purchase figures other apps use.

Visibility follows the owner of each record (org.selectors.visibility_q): a rep sees
their own, a manager the team's, a director or admin everything; marketing sees none.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from loudou.commerce.choices import ContractStatus, OrderStatus
from loudou.commerce.models import (
    Attachment,
    Contract,
    Order,
    PaymentMilestone,
    Product,
    Quote,
)
from loudou.org.choices import Role
from loudou.org.models import User
from loudou.org.selectors import visibility_q


def confirmed_orders() -> QuerySet[Order]:
    """Orders that count: every order but the cancelled ones."""
    return Order.objects.exclude(status=OrderStatus.CANCELLED)


def annual_purchase(year: int, customer_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """Sum of the orders' amounts (CNY) per customer id for the local calendar year."""
    orders = confirmed_orders().filter(
        ordered_on__gte=date(year, 1, 1), ordered_on__lte=date(year, 12, 31)
    )
    if customer_ids is not None:
        orders = orders.filter(customer_id__in=_ids(customer_ids))
    rows = orders.values("customer_id").annotate(total=Sum("amount")).order_by("customer_id")
    return {row["customer_id"]: row["total"] for row in rows}


def _ids(customer_ids: Iterable[int]) -> QuerySet | list[int]:
    return customer_ids if isinstance(customer_ids, QuerySet) else list(customer_ids)


def repurchase_rate(
    customer_ids: Iterable[int] | None = None, *, orders: QuerySet[Order] | None = None
) -> Decimal | None:
    """Of the customers with an order (of `customer_ids` when given; among `orders` when
    given, else all), the share in percent with two or more (one decimal); None without
    any buyer. Cancelled orders do not count."""
    orders = confirmed_orders() if orders is None else orders.exclude(status=OrderStatus.CANCELLED)
    if customer_ids is not None:
        orders = orders.filter(customer_id__in=_ids(customer_ids))
    counts = list(
        orders.order_by().values("customer_id").annotate(n=Count("id")).values_list("n", flat=True)
    )
    if not counts:
        return None
    repeat = sum(1 for n in counts if n >= 2)
    return (Decimal(repeat * 100) / len(counts)).quantize(Decimal("0.1"))


def _sees_commerce(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role != Role.MARKETING


def visible_products(user: User) -> QuerySet[Product]:
    """The catalogue: readable by every signed-in user."""
    if not (user.is_authenticated and user.is_active):
        return Product.objects.none()
    return Product.objects.select_related("product_line")


def visible_quotes(user: User) -> QuerySet[Quote]:
    if not _sees_commerce(user):
        return Quote.objects.none()
    return Quote.objects.filter(visibility_q(user)).select_related(
        "owner", "customer", "lead", "decided_by"
    )


def visible_contracts(user: User) -> QuerySet[Contract]:
    if not _sees_commerce(user):
        return Contract.objects.none()
    return Contract.objects.filter(visibility_q(user)).select_related(
        "owner", "customer", "lead", "quote"
    )


def visible_orders(user: User) -> QuerySet[Order]:
    if not _sees_commerce(user):
        return Order.objects.none()
    return Order.objects.filter(visibility_q(user)).select_related(
        "owner", "customer", "contract", "lead"
    )


def _one(queryset: QuerySet, pk: int):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def access_product(user: User, pk: int) -> Product:
    return _one(visible_products(user), pk)


def access_quote(user: User, pk: int) -> Quote:
    """The quote, or Http404 when it is missing or not visible to `user`."""
    return _one(visible_quotes(user), pk)


def access_contract(user: User, pk: int) -> Contract:
    """The contract, or Http404 when it is missing or not visible to `user`."""
    return _one(visible_contracts(user), pk)


def access_order(user: User, pk: int) -> Order:
    """The order, or Http404 when it is missing or not visible to `user`."""
    return _one(visible_orders(user), pk)


def access_attachment(user: User, contract_pk: int, pk: int) -> Attachment:
    """An attachment of a contract `user` sees, or Http404."""
    contract = access_contract(user, contract_pk)
    return _one(contract.attachments.all(), pk)


def clean_search(q: str) -> str:
    return q.replace("\x00", "").strip()[:100]


def listed_quotes(user: User, *, status: str = "", q: str = "") -> QuerySet[Quote]:
    """The quote list for `user` (page, API and export): status and title/company search."""
    quotes = visible_quotes(user)
    if status:
        quotes = quotes.filter(status=status)
    q = clean_search(q)
    if q:
        quotes = quotes.filter(
            Q(title__icontains=q)
            | Q(customer__name__icontains=q)
            | Q(lead__company_name__icontains=q)
        )
    return quotes


def listed_contracts(user: User, *, status: str = "", q: str = "") -> QuerySet[Contract]:
    contracts = visible_contracts(user)
    if status:
        contracts = contracts.filter(status=status)
    q = clean_search(q)
    if q:
        contracts = contracts.filter(Q(title__icontains=q) | Q(customer__name__icontains=q))
    return contracts


def listed_orders(
    user: User, *, status: str = "", q: str = "", year: int | None = None
) -> QuerySet[Order]:
    orders = visible_orders(user)
    if status:
        orders = orders.filter(status=status)
    if year is not None:
        orders = orders.filter(ordered_on__year=year)
    q = clean_search(q)
    if q:
        orders = orders.filter(Q(description__icontains=q) | Q(customer__name__icontains=q))
    return orders


def listed_products(user: User, *, q: str = "", active_only: bool = False) -> QuerySet[Product]:
    products = visible_products(user)
    if active_only:
        products = products.filter(is_active=True)
    q = clean_search(q)
    if q:
        products = products.filter(Q(sku__icontains=q) | Q(name__icontains=q))
    return products


@dataclass(frozen=True)
class MilestoneState:
    """A payment-plan instalment with what has come in against it (plan order: the
    payments cover the instalments by due date, oldest first)."""

    milestone: PaymentMilestone
    covered: Decimal
    overdue: bool

    @property
    def outstanding(self) -> Decimal:
        return self.milestone.amount - self.covered


def milestone_states(contract: Contract, today: date) -> list[MilestoneState]:
    """The contract's instalments; one is overdue when its due date has passed and the
    payments do not cover it (cancelled contracts have nothing overdue)."""
    left = contract.payments.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    states = []
    for milestone in contract.milestones.all():
        covered = min(left, milestone.amount)
        left -= covered
        overdue = (
            contract.status != ContractStatus.CANCELLED
            and milestone.due_on < today
            and covered < milestone.amount
        )
        states.append(MilestoneState(milestone=milestone, covered=covered, overdue=overdue))
    return states


def overdue_milestones(user: User, today: date) -> list[MilestoneState]:
    """The overdue instalments of the contracts `user` sees, oldest due first."""
    contracts = (
        visible_contracts(user)
        .filter(
            status__in=[ContractStatus.SIGNED, ContractStatus.ACCEPTED, ContractStatus.REVIEW],
            milestones__due_on__lt=today,
        )
        .distinct()
        .prefetch_related("milestones")
    )
    found = [s for c in contracts for s in milestone_states(c, today) if s.overdue]
    return sorted(found, key=lambda s: (s.milestone.due_on, s.milestone.pk))


@dataclass(frozen=True)
class PurchaseHistory:
    """A customer's orders as `user` sees them, with the totals per calendar year."""

    orders: list[Order]
    by_year: list[tuple[int, Decimal, int]]  # (year, amount, number of orders), newest first
    repeat_buyer: bool


def purchase_history(user: User, customer_id: int) -> PurchaseHistory:
    orders = list(visible_orders(user).filter(customer_id=customer_id))
    years: dict[int, list[Decimal]] = {}
    for order in orders:
        if order.status != OrderStatus.CANCELLED:
            years.setdefault(order.ordered_on.year, []).append(order.amount)
    by_year = [(y, sum(a, Decimal(0)), len(a)) for y, a in sorted(years.items(), reverse=True)]
    counted = sum(n for _y, _a, n in by_year)
    return PurchaseHistory(orders=orders, by_year=by_year, repeat_buyer=counted >= 2)


def with_paid(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """`contracts` with `paid`: the sum of their payments (None without any)."""
    return contracts.annotate(paid=Sum("payments__amount")).order_by("-created_at", "-id")
