"""Orders as the targets count them (ADR 0020): the `Deal`s of services.actuals.deals().

An order that is not cancelled is a deal at the local midnight of its order date, for its
owner and that person's current team, its customer, the region of its lead (else of its
customer), its lead's customer type and product lines (none without a lead), and its
amount in CNY. A lead with any order (cancelled ones included) counts through its orders
only; a won lead without an order still counts by itself.
"""

from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from loudou.commerce.models import Order
from loudou.commerce.selectors import confirmed_orders
from loudou.targets.services.actuals import Deal, lead_products


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.get_default_timezone())


def ordered_lead_ids() -> QuerySet:
    """The leads that count through their orders (a subquery of lead ids)."""
    return Order.objects.filter(lead__isnull=False).values("lead_id")


def order_deals(*, until: datetime, since: datetime | None, products: bool) -> list[Deal]:
    """The orders dated before `until` (and at or after `since`) as deals, oldest first."""
    tz = timezone.get_default_timezone()
    # a superset by date; the instants are compared below
    orders = confirmed_orders().filter(ordered_on__lte=until.astimezone(tz).date())
    if since is not None:
        orders = orders.filter(ordered_on__gte=since.astimezone(tz).date())
    values = list(
        orders.order_by("ordered_on", "pk").values_list(
            "pk",
            "ordered_on",
            "owner_id",
            "owner__team_id",
            "lead_id",
            "lead__region_id",
            "customer__region_id",
            "lead__customer_type",
            "customer_id",
            "amount",
        )
    )
    lead_ids = [row[4] for row in values if row[4] is not None]
    lines = lead_products(lead_ids) if products else {}
    return [
        Deal(
            lead_id=lead,
            at=local_midnight(day),
            owner_id=owner,
            team_id=team,
            region_id=lead_region if lead is not None else customer_region,
            customer_type=ctype or "",
            customer=customer,
            amount=Decimal(amount),
            products=frozenset(lines.get(lead, ())) if lead is not None else frozenset(),
            order_id=pk,
        )
        for (
            pk, day, owner, team, lead, lead_region, customer_region, ctype, customer, amount
        ) in values
        if local_midnight(day) < until and (since is None or local_midnight(day) >= since)
    ]  # fmt: skip
