"""Actuals from the system's own data: a hand-counted book of deals, and an independent
computation (pandas over the raw ledger and lead rows) for every scope, metric and period.

The book (Asia/Shanghai): rep and teammate are team A, other_team_rep team B.
- d0: rep, 2025-12-20, 70, 华南 — customer C3's first deal
- d1: rep, 2026-01-15, 100, 华东, 转介绍, 标准版 — C1; moved on to 已实施 2026-02-01
- d2: rep, 2026-02-10, 200, 华东, 转介绍, 标准版+企业版 — C1 again
- d3: teammate, 2026-02-20, 300, 华南, 企业版 — C2; handed to other_team_rep afterwards
- d4: other_team_rep, 2026-04-02, 400 USD, 华南 — C3 again
- d5: other_team_rep, 2026-03-31 23:30, 50, 华南 — C2 again
- d6: rep, 2026-03-05, 1000 — merged into d1 (not counted)
- an opportunity of 999 (not won) and an abandoned lead.
"""

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from django.db.models import F

from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead
from loudou.org.models import ProductLine, Region, User
from loudou.pipeline.models import LostReason, StageChange
from loudou.pipeline.services import move_stage
from loudou.targets.choices import Metric, Period, ScopeKind
from loudou.targets.periods import bounds, parts
from loudou.targets.services.actuals import actual_of, actuals, completion
from loudou.targets.tests.factories import at, make_target, stage, won_deal

pytestmark = pytest.mark.django_db

Q1, Q2 = date(2026, 1, 1), date(2026, 4, 1)


@pytest.fixture
def book(rep, teammate, other_team_rep):
    east, south = Region.objects.get(name="华东"), Region.objects.get(name="华南")
    std, ent = ProductLine.objects.get(name="标准版"), ProductLine.objects.get(name="企业版")
    d0 = won_deal(owner=rep, when=at(2025, 12, 20), amount=70, region=south)
    d1 = won_deal(
        owner=rep,
        when=at(2026, 1, 15),
        amount=100,
        region=east,
        customer_type="referral",
        products=[std],
    )
    move_stage(lead=d1, to_stage=stage("implemented"), actor=rep, via="form", at=at(2026, 2, 1))
    won_deal(  # d2
        owner=rep,
        when=at(2026, 2, 10),
        amount=200,
        region=east,
        customer_type="referral",
        products=[std, ent],
        customer=d1.customer,
    )
    d3 = won_deal(owner=teammate, when=at(2026, 2, 20), amount=300, region=south, products=[ent])
    Lead.objects.filter(pk=d3.pk).update(owner=other_team_rep)  # handed over after the win
    won_deal(  # d4
        owner=other_team_rep,
        when=at(2026, 4, 2),
        amount=400,
        currency="USD",
        region=south,
        customer=d0.customer,
    )
    won_deal(  # d5
        owner=other_team_rep,
        when=at(2026, 3, 31, 23, 30),
        amount=50,
        region=south,
        customer=d3.customer,
    )
    d6 = won_deal(owner=rep, when=at(2026, 3, 5), amount=1000)
    Lead.objects.filter(pk=d6.pk).update(merged_into=d1)
    _not_won(rep)
    return {"east": east, "south": south, "std": std, "ent": ent}


def _not_won(rep) -> None:
    open_lead = make_lead(actor=rep, owner=rep, company_name="未成交有限公司", phone="13988880001")
    Lead.objects.filter(pk=open_lead.pk).update(amount=999)
    move_stage(lead=open_lead, to_stage=stage("opportunity"), actor=rep, via="form")
    lost = make_lead(actor=rep, owner=rep, company_name="已放弃有限公司", phone="13988880002")
    move_stage(
        lead=lost,
        to_stage=stage("abandoned"),
        actor=rep,
        via="form",
        lost_reason=LostReason.objects.get(name="预算不足"),
    )


def _value(director, **values) -> Decimal | None:
    return actual_of(make_target(actor=director, **values)).value


def test_company_revenue_counts_each_won_lead_once_in_cny_and_not_merged(book, director):
    # when
    q1 = _value(director, period=Period.QUARTERLY, start=Q1)
    q2 = _value(director, period=Period.QUARTERLY, start=Q2)
    # then  d1 + d2 + d3 + d5 (d1's second won row, d6 merged, the open lead not counted);
    # Q2 only d4, in USD
    assert (q1, q2) == (Decimal("650.00"), Decimal(0))


def test_orders_count_deals_whatever_their_currency(book, director):
    # when
    q1 = _value(director, period=Period.QUARTERLY, start=Q1, metric=Metric.ORDERS, value=4)
    q2 = _value(director, period=Period.QUARTERLY, start=Q2, metric=Metric.ORDERS, value=4)
    # then
    assert (q1, q2) == (Decimal(4), Decimal(1))


def test_a_deal_belongs_to_the_local_day_it_was_won(book, director):
    # given  d5 at 23:30 on 31 March, Beijing time (15:30 UTC)
    months = [date(2026, m, 1) for m in (1, 2, 3, 4)]
    # when
    found = [_value(director, period=Period.MONTHLY, start=m) for m in months]
    # then
    assert found == [Decimal(100), Decimal(500), Decimal(50), Decimal(0)]


def test_new_customers_are_those_whose_first_deal_ever_falls_in_the_period(
    book, director, other_team_rep
):
    # when
    values = {"metric": Metric.NEW_CUSTOMERS, "value": 10}
    year_2025 = _value(director, start=date(2025, 1, 1), **values)
    year_2026 = _value(director, **values)
    team_b = _value(
        director,
        period=Period.QUARTERLY,
        scope_kind=ScopeKind.TEAM,
        team=other_team_rep.team,
        **values,
    )
    # then  2025: C3; 2026: C1 and C2 (C3 bought before); team B's d5 is C2's second deal
    assert (year_2025, year_2026, team_b) == (Decimal(1), Decimal(2), Decimal(0))


def test_repurchase_rate_is_the_share_of_buyers_so_far_with_two_deals_or_more(book, director):
    # when
    values = {"metric": Metric.REPURCHASE_RATE, "value": 50, "period": Period.QUARTERLY}
    q1 = _value(director, start=Q1, **values)
    q2 = _value(director, start=Q2, **values)
    # then  by 31 March: C1 (2), C2 (2), C3 (1) → 2 of 3; by 30 June C3 bought again
    assert (q1, q2) == (Decimal("66.7"), Decimal("100.0"))


def test_a_rate_with_no_buyer_has_no_actual_and_no_completion(book, director):
    # when
    target = make_target(
        actor=director, start=date(2024, 1, 1), metric=Metric.REPURCHASE_RATE, value=30
    )
    # then
    assert actual_of(target).value is None
    assert actual_of(target).completion_pct is None


def test_team_and_person_actuals_credit_the_owner_who_signed(book, director, rep, teammate):
    # given  d3 was signed by teammate and handed to team B's rep afterwards
    quarter = {"period": Period.QUARTERLY, "start": Q1}
    # when
    team_a = _value(director, scope_kind=ScopeKind.TEAM, team=rep.team, **quarter)
    mate = _value(director, scope_kind=ScopeKind.PERSON, person=teammate, **quarter)
    mine = _value(director, scope_kind=ScopeKind.PERSON, person=rep)
    # then
    assert (team_a, mate, mine) == (Decimal(600), Decimal(300), Decimal(300))


def test_region_product_line_and_customer_type_actuals_read_the_lead(book, director):
    # given
    quarter = {"period": Period.QUARTERLY, "start": Q1}
    # when
    east = _value(director, scope_kind=ScopeKind.REGION, region=book["east"], **quarter)
    south = _value(director, scope_kind=ScopeKind.REGION, region=book["south"], **quarter)
    std = _value(director, scope_kind=ScopeKind.PRODUCT_LINE, product_line=book["std"], **quarter)
    ent = _value(director, scope_kind=ScopeKind.PRODUCT_LINE, product_line=book["ent"], **quarter)
    referral = _value(
        director, scope_kind=ScopeKind.CUSTOMER_TYPE, customer_type="referral", **quarter
    )
    # then  a deal of two product lines counts whole in each
    assert (east, south) == (Decimal(300), Decimal(350))
    assert (std, ent) == (Decimal(300), Decimal(500))
    assert referral == Decimal(300)


def test_completion_is_actual_over_target_in_percent(book, director):
    # given
    target = make_target(actor=director, period=Period.QUARTERLY, start=Q1, value=800)
    # when
    found = actual_of(target)
    # then  650 / 800
    assert found.completion_pct == 81.2
    assert completion(Decimal(5), Decimal(0)) is None


# the independent computation ---------------------------------------------------------------


def _frames() -> pd.DataFrame:
    """Deals straight from the tables: first won ledger row per lead, not merged."""
    ledger = pd.DataFrame(
        StageChange.objects.values("id", "lead_id", "at", "owner_id", kind=F("to_stage__kind"))
    )
    won = ledger[ledger["kind"] == "won"].sort_values(["at", "id"])
    first = won.groupby("lead_id", as_index=False).first()
    leads = pd.DataFrame(
        Lead.objects.values(
            "id",
            "region_id",
            "customer_type",
            "customer_id",
            "amount",
            "currency",
            "merged_into_id",
            lead_owner=F("owner_id"),
        )
    )
    deals = first.merge(leads, left_on="lead_id", right_on="id", suffixes=("_change", ""))
    deals = deals[deals["merged_into_id"].isna()].copy()
    deals["who"] = deals["owner_id"].fillna(deals["lead_owner"])
    teams = dict(User.objects.values_list("id", "team_id"))
    deals["team"] = deals["who"].map(teams)
    deals["customer"] = deals["customer_id"].fillna(-deals["lead_id"])
    return deals.sort_values(["at", "id_change"])


def _in_scope(deals: pd.DataFrame, target) -> pd.DataFrame:
    kind = target.scope_kind
    if kind == ScopeKind.COMPANY:
        return deals
    if kind == ScopeKind.PRODUCT_LINE:
        through = pd.DataFrame(Lead.products.through.objects.values("lead_id", "productline_id"))
        ids = through[through["productline_id"] == target.product_line_id]["lead_id"]
        return deals[deals["lead_id"].isin(ids)]
    column, value = {
        ScopeKind.REGION: ("region_id", target.region_id),
        ScopeKind.CUSTOMER_TYPE: ("customer_type", target.customer_type),
        ScopeKind.TEAM: ("team", target.team_id),
        ScopeKind.PERSON: ("who", target.person_id),
    }[kind]
    return deals[deals[column] == value]


def pandas_actual(deals: pd.DataFrame, target):
    start, end = (pd.Timestamp(b) for b in bounds(target.start, target.end))
    mine = _in_scope(deals, target)
    period = mine[(mine["at"] >= start) & (mine["at"] < end)]
    if target.metric == Metric.REVENUE:
        return Decimal(str(period[period["currency"] == "CNY"]["amount"].dropna().sum()))
    if target.metric == Metric.ORDERS:
        return Decimal(len(period))
    if target.metric == Metric.NEW_CUSTOMERS:
        first = deals.drop_duplicates("customer", keep="first")["lead_id"]
        return Decimal(int(period["lead_id"].isin(first).sum()))
    per_customer = mine[mine["at"] < end].groupby("customer").size()
    if per_customer.empty:
        return None
    share = (per_customer >= 2).sum() * 100 / len(per_customer)
    return Decimal(str(share)).quantize(Decimal("0.1"))


def _every_target(director, book, rep, teammate, other_team_rep) -> list:
    subjects = [
        {"scope_kind": ScopeKind.COMPANY},
        {"scope_kind": ScopeKind.REGION, "region": book["east"]},
        {"scope_kind": ScopeKind.REGION, "region": book["south"]},
        {"scope_kind": ScopeKind.PRODUCT_LINE, "product_line": book["std"]},
        {"scope_kind": ScopeKind.PRODUCT_LINE, "product_line": book["ent"]},
        {"scope_kind": ScopeKind.CUSTOMER_TYPE, "customer_type": "referral"},
        {"scope_kind": ScopeKind.CUSTOMER_TYPE, "customer_type": "ordinary"},
        {"scope_kind": ScopeKind.TEAM, "team": rep.team},
        {"scope_kind": ScopeKind.TEAM, "team": other_team_rep.team},
        {"scope_kind": ScopeKind.PERSON, "person": rep},
        {"scope_kind": ScopeKind.PERSON, "person": teammate},
        {"scope_kind": ScopeKind.PERSON, "person": other_team_rep},
    ]
    periods = [(Period.ANNUAL, date(2025, 1, 1)), (Period.ANNUAL, date(2026, 1, 1))]
    periods += parts(Period.ANNUAL, date(2026, 1, 1))[:2]
    periods += parts(Period.QUARTERLY, date(2026, 1, 1))
    targets = []
    for subject in subjects:
        for period, start in periods:
            for metric in Metric.values:
                values = {"period": period, "start": start, "metric": metric, "value": 10}
                targets.append(make_target(actor=director, **values, **subject))
    return targets


def test_actuals_agree_with_an_independent_pandas_computation(
    book, director, rep, teammate, other_team_rep
):
    # given  every scope × metric × period of the book
    targets = _every_target(director, book, rep, teammate, other_team_rep)
    deals = _frames()
    # when
    found = actuals(targets)
    # then
    expected = {t.pk: pandas_actual(deals, t) for t in targets}
    assert {pk: a.value for pk, a in found.items()} == expected
    assert len(targets) == 12 * 7 * 4
    assert sum(1 for v in expected.values() if v) > 100  # the book is not empty
