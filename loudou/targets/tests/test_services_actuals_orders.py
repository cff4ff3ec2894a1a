"""Actuals where orders exist (ADR 0020): a lead with an order counts through its orders,
at their dates and amounts; a won lead without an order still counts by itself.

The book (Asia/Shanghai), rep and teammate in team A:
- A: rep's lead won 2026-01-15, amount 100, no order — customer CA's only deal
- B: rep's lead won 2026-02-10 with amount 500; its contract is signed 2026-02-12 for 480
  (order 480) — the won lead itself no longer counts; customer CB
- a direct order of CB, 2026-05-20, 200 (rep) — CB's repeat purchase, in Q2
- a direct order of CB, 2026-03-01, 999, cancelled — counts nowhere
- C: teammate's lead (never won); a direct order 2026-03-31, 50, for its customer CC
"""

from datetime import date
from decimal import Decimal

import pytest

from loudou.commerce import services
from loudou.commerce.selectors import annual_purchase, repurchase_rate
from loudou.commerce.tests.factories import make_contract, make_customer_lead, make_order, sign
from loudou.targets.choices import Metric, Period
from loudou.targets.services.actuals import actual_of
from loudou.targets.tests.factories import at, make_target, won_deal

pytestmark = pytest.mark.django_db

Q1, Q2 = date(2026, 1, 1), date(2026, 4, 1)


@pytest.fixture
def book(rep, teammate):
    a = won_deal(owner=rep, when=at(2026, 1, 15), amount=100)
    b = won_deal(owner=rep, when=at(2026, 2, 10), amount=500)
    sign(make_contract(actor=rep, lead=b, amount="480.00"), actor=rep, on=date(2026, 2, 12))
    make_order(actor=rep, customer=b.customer, on=date(2026, 5, 20), amount=200)
    cancelled = make_order(actor=rep, customer=b.customer, on=date(2026, 3, 1), amount=999)
    services.cancel_order(order=cancelled, actor=rep, reason="录入错误")
    c = make_customer_lead(owner=teammate)
    make_order(actor=teammate, customer=c.customer, lead=c, on=date(2026, 3, 31), amount=50)
    return {"a": a, "b": b, "c": c}


def _value(director, **values) -> Decimal | None:
    return actual_of(make_target(actor=director, **values)).value


def test_revenue_takes_orders_where_they_exist_and_won_leads_elsewhere(book, director):
    # when
    q1 = _value(director, period=Period.QUARTERLY, start=Q1)
    q2 = _value(director, period=Period.QUARTERLY, start=Q2)
    # then  Q1: A 100 + B's order 480 + C's order 50 (not B's 500, not the cancelled 999)
    assert (q1, q2) == (Decimal("630.00"), Decimal("200.00"))


def test_orders_count_orders_and_won_leads_without_one(book, director):
    # when
    q1 = _value(director, period=Period.QUARTERLY, start=Q1, metric=Metric.ORDERS)
    q2 = _value(director, period=Period.QUARTERLY, start=Q2, metric=Metric.ORDERS)
    # then
    assert (q1, q2) == (Decimal(3), Decimal(1))


def test_an_order_counts_on_its_local_order_date(book, director):
    # when  C's order is dated 31 March
    march = _value(director, period=Period.MONTHLY, start=date(2026, 3, 1))
    feb = _value(director, period=Period.MONTHLY, start=date(2026, 2, 1))
    # then  February: B's order of 12 February (not its 500 won on 10 February)
    assert (march, feb) == (Decimal("50.00"), Decimal("480.00"))


def test_new_customers_and_repurchase_count_orders(book, director):
    # when
    new_q1 = _value(director, period=Period.QUARTERLY, start=Q1, metric=Metric.NEW_CUSTOMERS)
    new_q2 = _value(director, period=Period.QUARTERLY, start=Q2, metric=Metric.NEW_CUSTOMERS)
    rate_q1 = _value(
        director, period=Period.QUARTERLY, start=Q1, metric=Metric.REPURCHASE_RATE, value=30
    )
    rate_year = _value(director, metric=Metric.REPURCHASE_RATE, value=Decimal(30))
    # then  CA, CB, CC are new in Q1; by the end of Q1 none bought twice; by the end of the
    # year CB has two orders: 1 of 3 customers = 33.3 %
    assert (new_q1, new_q2) == (Decimal(3), Decimal(0))
    assert (rate_q1, rate_year) == (Decimal("0.0"), Decimal("33.3"))


def test_a_persons_actual_follows_the_orders_owner(book, director, rep, teammate):
    # when
    mine = _value(director, period=Period.QUARTERLY, start=Q1, scope_kind="person", person=rep)
    theirs = _value(
        director, period=Period.QUARTERLY, start=Q1, scope_kind="person", person=teammate
    )
    # then
    assert (mine, theirs) == (Decimal("580.00"), Decimal("50.00"))


def test_annual_purchase_and_repurchase_rate_read_orders_only(book):
    # when
    year = annual_purchase(2026)
    some = annual_purchase(2026, customer_ids=[book["c"].customer_id])
    # then  CA's won lead without an order is not a purchase
    assert year == {
        book["b"].customer_id: Decimal("680.00"),
        book["c"].customer_id: Decimal("50.00"),
    }
    assert some == {book["c"].customer_id: Decimal("50.00")}
    assert annual_purchase(2025) == {}
    assert repurchase_rate() == Decimal("50.0")
