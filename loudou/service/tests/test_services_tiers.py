"""Customer tiers from the annual purchase: the boundaries, the daily scan, the override."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from loudou.core.models import Event
from loudou.service import services
from loudou.service.choices import Tier
from loudou.service.models import CustomerTier, TierThreshold
from loudou.service.services.tiers import tier_for
from loudou.service.tests.factories import local, make_customer, make_order

pytestmark = pytest.mark.django_db

NOW = local(2026, 6, 1, 3, 0)


@pytest.mark.parametrize(
    ("amount", "tier"),
    [
        ("0", Tier.NORMAL),
        ("199999.99", Tier.NORMAL),
        ("200000", Tier.KEY),
        ("499999.99", Tier.KEY),
        ("500000", Tier.VIP),
        ("3000000", Tier.VIP),
    ],
)
def test_the_default_thresholds_include_their_lower_bound(amount, tier):
    # when / then: VIP ≥ 50万, 重点 20万-50万, 普通 < 20万
    assert tier_for(Decimal(amount)) == tier


@pytest.mark.parametrize(
    ("orders", "tier", "purchase"),
    [
        ([("150000", date(2026, 2, 1)), ("50000", date(2026, 5, 1))], Tier.KEY, "200000.00"),
        ([("199999.99", date(2026, 2, 1))], Tier.NORMAL, "199999.99"),
        ([("300000", date(2026, 1, 5)), ("200000", date(2026, 5, 30))], Tier.VIP, "500000.00"),
        # last year's 60万 outweighs this year's 10万
        ([("600000", date(2025, 11, 1)), ("100000", date(2026, 3, 1))], Tier.VIP, "600000.00"),
    ],
)
def test_the_daily_scan_tiers_customers_by_their_annual_purchase(rep, orders, tier, purchase):
    # given
    customer = make_customer(owner=rep)
    for amount, day in orders:
        make_order(customer=customer, amount=amount, ordered_on=day)
    # when
    changed = services.refresh_tiers(NOW)
    # then
    row = CustomerTier.objects.get(customer=customer)
    assert changed == 1
    assert (row.tier, row.computed_tier, row.annual_purchase, row.year) == (
        tier,
        tier,
        Decimal(purchase),
        2026,
    )


def test_a_prospect_without_purchases_gets_no_tier_and_a_repeat_scan_changes_nothing(rep):
    # given one buyer, one prospect
    buyer = make_customer(owner=rep)
    make_customer(owner=rep, name="无订单客户")
    make_order(customer=buyer, amount="250000", ordered_on=date(2026, 4, 1))
    # when
    first = services.refresh_tiers(NOW)
    second = services.refresh_tiers(NOW)
    # then
    assert (first, second) == (1, 0)
    assert list(CustomerTier.objects.values_list("customer__name", "tier")) == [
        ("杭州示例机械有限公司", Tier.KEY)
    ]


def test_edited_thresholds_apply_at_the_next_scan(rep, director):
    # given 25万 is 重点 under the defaults
    customer = make_customer(owner=rep)
    make_order(customer=customer, amount="250000", ordered_on=date(2026, 4, 1))
    services.refresh_tiers(NOW)
    # when VIP starts at 25万 and 重点 at 10万
    services.update_thresholds(actor=director, vip=Decimal("250000"), key=Decimal("100000"))
    services.refresh_tiers(NOW)
    # then
    assert CustomerTier.objects.get(customer=customer).tier == Tier.VIP
    assert Event.objects.filter(verb="service.tier_computed").count() == 1


@pytest.mark.parametrize(
    ("vip", "key", "field"),
    [("200000", "200000", "vip"), ("100000", "200000", "vip"), ("500000", "0", "key")],
)
def test_thresholds_out_of_order_are_refused(director, vip, key, field):
    # when
    with pytest.raises(ValidationError) as refused:
        services.update_thresholds(actor=director, vip=Decimal(vip), key=Decimal(key))
    # then nothing changed
    assert field in refused.value.message_dict
    assert dict(TierThreshold.objects.values_list("tier", "min_amount")) == {
        "vip": Decimal("500000.00"),
        "key": Decimal("200000.00"),
        "normal": Decimal("0.00"),
    }


@pytest.mark.parametrize("who", ["rep", "manager", "marketing"])
def test_only_directors_and_admins_edit_thresholds(cast, who):
    with pytest.raises(PermissionDenied):
        services.update_thresholds(actor=cast[who], vip=Decimal("1"), key=Decimal("2"))
    assert not Event.objects.filter(verb="service.tiers_changed").exists()


def test_an_override_wins_over_the_scan_until_cleared_and_keeps_its_reason(rep, manager):
    # given a 普通 customer
    customer = make_customer(owner=rep)
    make_order(customer=customer, amount="1000", ordered_on=date(2026, 4, 1))
    services.refresh_tiers(NOW)
    # when the manager makes it VIP, and the scan runs again
    services.override_tier(customer=customer, actor=manager, tier=Tier.VIP, reason="战略客户")
    services.refresh_tiers(NOW)
    row = CustomerTier.objects.get(customer=customer)
    # then
    assert (row.tier, row.computed_tier, row.override_reason) == (Tier.VIP, Tier.NORMAL, "战略客户")
    event = Event.objects.get(verb="service.tier_overridden")
    assert (event.actor, event.reason) == (manager, "战略客户")
    assert event.changes == [{"field": "tier", "before": "normal", "after": "vip"}]
    # when cleared
    services.override_tier(customer=customer, actor=manager, tier="", reason="")
    assert CustomerTier.objects.get(customer=customer).tier == Tier.NORMAL


def test_an_override_needs_a_reason(rep, director):
    customer = make_customer(owner=rep)
    with pytest.raises(ValidationError) as refused:
        services.override_tier(customer=customer, actor=director, tier=Tier.VIP, reason=" ")
    assert "reason" in refused.value.message_dict
    assert not CustomerTier.objects.exists()


@pytest.mark.parametrize("who", ["rep", "teammate", "other_manager"])
def test_reps_and_other_teams_managers_cannot_override(cast, other_manager, rep, who):
    customer = make_customer(owner=rep)
    actor = other_manager if who == "other_manager" else cast[who]
    with pytest.raises(PermissionDenied):
        services.override_tier(customer=customer, actor=actor, tier=Tier.VIP, reason="x")
    assert not CustomerTier.objects.exists()
