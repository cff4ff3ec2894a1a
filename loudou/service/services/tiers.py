"""Customer tiers (客户分级) from the annual purchase, and the manual override.

A customer's tier for year Y is the tier of the larger of its purchases in Y and in Y-1
(`commerce.selectors.annual_purchase`, CNY per local calendar year): a customer who bought
60万 last year stays VIP while this year's orders come in. Only customers who bought
something in either year (or whose tier was set by hand) get a tier row: a prospect is no
customer to maintain yet. The daily scan (`refresh_tiers`) stores the result on
`CustomerTier`, so that lists filter on it; an override wins until it is cleared.
"""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.core.audit import record
from loudou.org.models import User
from loudou.service.choices import TIER_ORDER, Tier
from loudou.service.models import CustomerTier
from loudou.service.services.rules import may_override_tier
from loudou.service.services.settings import thresholds


def tier_for(amount: Decimal, bounds: dict[str, Decimal] | None = None) -> str:
    """The highest tier whose lower bound `amount` reaches (a bound is inclusive)."""
    bounds = bounds or thresholds()
    for tier in TIER_ORDER:
        if amount >= bounds[tier]:
            return tier
    return Tier.NORMAL


def purchases(year: int, customer_ids: list[int] | None = None) -> dict[int, Decimal]:
    """customer id → the larger of its purchases in `year` and `year - 1`."""
    from loudou.commerce.selectors import annual_purchase

    this_year = annual_purchase(year, customer_ids=customer_ids)
    last_year = annual_purchase(year - 1, customer_ids=customer_ids)
    return {
        pk: max(this_year.get(pk, Decimal(0)), last_year.get(pk, Decimal(0)))
        for pk in set(this_year) | set(last_year)
    }


def _store(row: CustomerTier | None, pk: int, year: int, amount: Decimal, tier: str, now) -> bool:
    """Upsert the computed tier; True when a row was created or its applied tier changed
    (audited). A row whose figures did not change is not written."""
    if row is None:
        CustomerTier.objects.create(
            customer_id=pk,
            year=year,
            annual_purchase=amount,
            computed_tier=tier,
            tier=tier,
            computed_at=now,
        )
        return True
    applied = row.override_tier or tier
    if (row.year, row.annual_purchase, row.computed_tier, row.tier) == (
        year,
        amount,
        tier,
        applied,
    ):
        return False
    CustomerTier.objects.filter(pk=row.pk).update(
        year=year, annual_purchase=amount, computed_tier=tier, tier=applied, computed_at=now
    )
    if applied == row.tier:
        return False
    change = {"field": "tier", "before": row.tier, "after": applied}
    record(obj=row.customer, actor=None, verb="service.tier_computed", changes=[change])
    return True


def refresh_tiers(now: datetime, customer_ids: list[int] | None = None) -> int:
    """Recompute the tiers of the customers who bought something this or last year and of
    those who already have a tier; returns how many rows were created or changed tier."""
    year = timezone.localdate(now).year
    amounts = purchases(year, customer_ids)
    existing = CustomerTier.objects.select_related("customer")
    if customer_ids is not None:
        existing = existing.filter(customer_id__in=customer_ids)
    rows = {row.customer_id: row for row in existing}
    for pk in rows:
        amounts.setdefault(pk, Decimal(0))
    bounds = thresholds()
    changed = 0
    for pk, amount in sorted(amounts.items()):
        with transaction.atomic():
            changed += _store(rows.get(pk), pk, year, amount, tier_for(amount, bounds), now)
    return changed


def current_tier(customer) -> str:
    """The tier that applies to `customer` now (普通 without a row)."""
    row = CustomerTier.objects.filter(customer=customer).values_list("tier", flat=True).first()
    return row or Tier.NORMAL


@transaction.atomic
def override_tier(
    *, customer, actor: User, tier: str, reason: str, now: datetime | None = None
) -> CustomerTier:
    """Set (`tier`) or clear (`tier=""`) a manual tier; setting one needs a reason. Events
    `service.tier_overridden` / `service.tier_override_cleared` keep the reason."""
    if not may_override_tier(actor, customer):
        raise PermissionDenied(_("您不能调整该客户的级别。"))
    reason = (reason or "").strip()
    if tier and tier not in Tier.values:
        raise ValidationError({"tier": [_("不存在的客户级别。")]})
    if tier and not reason:
        raise ValidationError({"reason": [_("手工调整级别须填写原因。")]})
    if len(reason) > 200:
        raise ValidationError({"reason": [_("原因最多 200 个字。")]})
    now = now or timezone.now()
    row = CustomerTier.objects.filter(customer=customer).first() or CustomerTier(
        customer=customer,
        year=timezone.localdate(now).year,
        computed_tier=Tier.NORMAL,
        tier=Tier.NORMAL,
        computed_at=now,
    )
    before = row.tier
    row.override_tier = tier
    row.override_reason = reason if tier else ""
    row.overridden_by = actor if tier else None
    row.overridden_at = now if tier else None
    row.tier = tier or row.computed_tier
    row.save()
    verb = "service.tier_overridden" if tier else "service.tier_override_cleared"
    change = {"field": "tier", "before": before, "after": row.tier}
    record(obj=customer, actor=actor, verb=verb, changes=[change], reason=reason)
    return row
