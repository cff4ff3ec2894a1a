"""Actuals of targets, computed from the system's own data (ADR 0013).

A **deal** is a lead (not merged away) at its first entry into a won stage (签约客户 or
later), read from the stage ledger (`pipeline.StageChange`, the same instant as
`analytics.LeadProgress.won_at`). It belongs to the period that holds that instant
(local days, settings.TIME_ZONE) and to these scopes: the company; the lead's region,
customer type and each of its product lines; the owner recorded on that ledger row (the
lead's owner when the row has none) and that person's current team.

- revenue (销售额): the sum of the deals' `Lead.amount` in CNY (deals without an amount
  or in another currency add nothing);
- orders (订单数): the number of deals;
- new customers (新客户数): customers whose first deal with the company (ever, any
  scope) falls in the period and in the scope; a lead without a customer record counts
  as a customer of its own;
- repurchase rate (复购率, %): of the customers with at least one deal in the scope up to
  the end of the period (since the beginning of the data), the share with two or more;
  none without any customer. One decimal.
Completion (完成率, %) = actual / target × 100, one decimal; none for a target of 0 or
without an actual.

Orders (ADR 0020): where a lead has orders (commerce.Order), its orders are the deals
instead of its won-stage entry, each at its order date (local midnight), and orders
entered without a lead count too; a won lead without any order still counts as above.
See loudou/commerce/deals.py for how an order fills a deal's scopes.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from loudou.leads.models import Lead
from loudou.pipeline.choices import Currency, StageKind
from loudou.pipeline.models import StageChange
from loudou.targets.choices import Metric, ScopeKind
from loudou.targets.models import Target
from loudou.targets.periods import bounds

CHUNK = 5000
RATE_STEP = Decimal("0.1")


@dataclass(frozen=True)
class Deal:
    """One won lead or one order, as the targets count it."""

    lead_id: int | None  # None for an order without a lead
    at: datetime
    owner_id: int | None
    team_id: int | None
    region_id: int | None
    customer_type: str
    customer: int  # the customer's id, or -lead id for a lead without one
    amount: Decimal | None  # None without an amount or in a currency other than CNY
    products: frozenset[int]
    order_id: int | None = None  # set for an order (ADR 0020)

    @property
    def key(self) -> int:
        """Tells deals apart: the lead id of a won lead, −order id of an order."""
        return -self.order_id if self.order_id is not None else self.lead_id

    def scope_keys(self) -> list[str]:
        """The `Target.scope_key`s this deal counts for."""
        keys = ["company", f"customer_type:{self.customer_type}"]
        for kind, value in (
            ("region", self.region_id),
            ("team", self.team_id),
            ("person", self.owner_id),
        ):
            if value is not None:
                keys.append(f"{kind}:{value}")
        keys += [f"product_line:{p}" for p in sorted(self.products)]
        return keys


@dataclass(frozen=True)
class Actual:
    """A target's actual and completion (None when there is nothing to divide)."""

    value: Decimal | None
    completion_pct: float | None


def first_won_rows():
    """Each lead's first ledger row into a won stage (ties broken by id), not merged."""
    won = StageChange.objects.filter(to_stage__kind=StageKind.WON)
    earlier = won.filter(lead=OuterRef("lead")).filter(
        Q(at__lt=OuterRef("at")) | Q(at=OuterRef("at"), pk__lt=OuterRef("pk"))
    )
    return won.filter(~Exists(earlier), lead__merged_into__isnull=True)


def lead_products(lead_ids: list[int]) -> dict[int, set[int]]:
    through = Lead.products.through
    found: dict[int, set[int]] = defaultdict(set)
    for start in range(0, len(lead_ids), CHUNK):
        rows = through.objects.filter(lead_id__in=lead_ids[start : start + CHUNK])
        for lead_id, product_id in rows.values_list("lead_id", "productline_id"):
            found[lead_id].add(product_id)
    return found


def deals(*, until: datetime, since: datetime | None = None, products: bool = True) -> list[Deal]:
    """The deals won before `until` (and at or after `since`), oldest first: won leads
    without an order, and orders (ADR 0020)."""
    from loudou.commerce.deals import order_deals, ordered_lead_ids  # ADR 0007

    rows = first_won_rows().filter(at__lt=until).exclude(lead_id__in=ordered_lead_ids())
    if since is not None:
        rows = rows.filter(at__gte=since)
    values = list(
        rows.order_by("at", "pk").values_list(
            "lead_id",
            "at",
            "owner_id",
            "owner__team_id",
            "lead__owner_id",
            "lead__owner__team_id",
            "lead__region_id",
            "lead__customer_type",
            "lead__customer_id",
            "lead__amount",
            "lead__currency",
        )
    )
    lines = lead_products([row[0] for row in values]) if products else {}
    result = []
    for (
        lead,
        at,
        owner,
        team,
        lead_owner,
        lead_team,
        region,
        ctype,
        customer,
        amount,
        cur,
    ) in values:
        if owner is None:
            owner, team = lead_owner, lead_team
        result.append(
            Deal(
                lead_id=lead,
                at=at,
                owner_id=owner,
                team_id=team,
                region_id=region,
                customer_type=ctype,
                customer=customer if customer is not None else -lead,
                amount=amount if cur == Currency.CNY else None,
                products=frozenset(lines.get(lead, ())),
            )
        )
    result += order_deals(until=until, since=since, products=products)
    result.sort(key=lambda deal: deal.at)  # stable: ties keep the ledger's order
    return result


def _index(found: list[Deal]) -> dict[str, list[Deal]]:
    by_scope: dict[str, list[Deal]] = defaultdict(list)
    for deal in found:
        for key in deal.scope_keys():
            by_scope[key].append(deal)
    return by_scope


def first_deals(found: list[Deal]) -> set[int]:
    """The keys (`Deal.key`) of each customer's first deal (`found` is oldest first)."""
    first: dict[int, int] = {}
    for deal in found:
        first.setdefault(deal.customer, deal.key)
    return set(first.values())


def measure(target: Target, mine: list[Deal], first: set[int]) -> Decimal | None:
    """The actual of `target` from the deals of its scope (`mine`, up to any end) and the
    first deals of every customer."""
    start_at, end_at = bounds(target.start, target.end)
    if target.metric == Metric.REPURCHASE_RATE:
        per_customer = Counter(d.customer for d in mine if d.at < end_at)
        if not per_customer:
            return None
        repeat = sum(1 for n in per_customer.values() if n >= 2)
        return (Decimal(repeat * 100) / len(per_customer)).quantize(RATE_STEP)
    period = [d for d in mine if start_at <= d.at < end_at]
    if target.metric == Metric.REVENUE:
        return sum((d.amount for d in period if d.amount is not None), Decimal(0))
    if target.metric == Metric.ORDERS:
        return Decimal(len(period))
    return Decimal(len({d.customer for d in period if d.key in first}))


def completion(actual: Decimal | None, value: Decimal) -> float | None:
    if actual is None or not value:
        return None
    return round(float(actual * 100 / value), 1)


def actuals(targets: Iterable[Target]) -> dict[int, Actual]:
    """{target id: Actual} for `targets`, from one read of the deals they need."""
    targets = list(targets)
    if not targets:
        return {}
    until = max(bounds(t.start, t.end)[1] for t in targets)
    history = any(t.metric in {Metric.NEW_CUSTOMERS, Metric.REPURCHASE_RATE} for t in targets)
    since = None if history else min(bounds(t.start, t.end)[0] for t in targets)
    products = any(t.scope_kind == ScopeKind.PRODUCT_LINE for t in targets)
    found = deals(until=until, since=since, products=products)
    by_scope, first = _index(found), (first_deals(found) if history else set())
    result = {}
    for target in targets:
        value = measure(target, by_scope.get(target.scope_key, []), first)
        result[target.pk] = Actual(value=value, completion_pct=completion(value, target.value))
    return result


def actual_of(target: Target) -> Actual:
    return actuals([target])[target.pk]
