"""Performance analysis (销售业绩分析) against figures computed by hand from
`performance_fixture` (its docstring lists every deal, lead, follow-up and target)."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from loudou.analytics.services.conversion import conversion
from loudou.analytics.services.performance import performance
from loudou.analytics.services.scope import Scope
from loudou.analytics.tests import performance_fixture as fx
from loudou.targets.services.actuals import actuals

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(rep, teammate, other_team_rep, director, manager):
    return fx.build(
        rep=rep,
        teammate=teammate,
        other_team_rep=other_team_rep,
        director=director,
        manager=manager,
    )


def _run(viewer, granularity="month", **scope):
    with time_machine.travel(fx.NOW, tick=False):
        return performance(Scope.build(viewer, **{**fx.Q1, **scope}), granularity, now=fx.NOW)


def _figures(figure: dict) -> tuple:
    keys = ("target", "actual", "completion_pct", "previous", "previous_pct", "last_year")
    return (*(figure[k] for k in keys), figure["yoy_pct"])


def test_each_month_has_its_target_actual_completion_and_changes(book, director):
    # when
    result = _run(director)
    # then
    jan, feb, mar = result["periods"]
    assert result["subject"] == {"kind": "company", "label": "全公司", "scope_key": "company"}
    assert [p["status"] for p in result["periods"]] == ["complete", "complete", "in_progress"]
    assert _figures(jan["revenue"]) == (200, 100, 50.0, 0, None, 0, None)
    assert _figures(feb["revenue"]) == (500, 500, 100.0, 100, 400.0, 60, 733.3)
    assert _figures(feb["orders"]) == (None, 2, None, 1, 100.0, 1, 100.0)
    assert _figures(feb["new_customers"]) == (None, 1, None, 1, 0.0, 1, 0.0)
    assert result["focus"] == 2


def test_the_month_in_progress_compares_the_same_days_never_the_whole_month(book, director):
    # when
    mar = _run(director)["periods"][2]
    # then  15 of 31 days; Feb 1-15 (D2, not D3) and 2025-03-01..15 (D6, not D7)
    assert (mar["status"], mar["elapsed_days"], mar["days"], mar["elapsed_pct"]) == (
        "in_progress",
        15,
        31,
        48.4,
    )
    assert _figures(mar["revenue"]) == (1000, 400, 40.0, 200, 100.0, 80, 400.0)
    assert _figures(mar["orders"]) == (4, 2, 50.0, 1, 100.0, 1, 100.0)
    assert _figures(mar["new_customers"]) == (None, 2, None, 0, None, 1, 100.0)


def test_a_quarter_in_progress_compares_its_first_74_days(book, director):
    # when
    (q1,) = _run(director, granularity="quarter")["periods"]
    # then  2025-01-01..03-15: D8 60 + D6 80
    assert (q1["label"], q1["elapsed_days"], q1["days"], q1["elapsed_pct"]) == (
        "2026年第1季度",
        74,
        90,
        82.2,
    )
    assert _figures(q1["revenue"]) == (None, 1000, None, 0, None, 140, 614.3)
    assert _figures(q1["orders"]) == (None, 5, None, 0, None, 2, 150.0)


def test_the_actuals_are_the_targets_apps_actuals(book, director):
    # given
    targets = book["targets"]
    with time_machine.travel(fx.NOW, tick=False):
        expected = actuals(targets.values())
    # when
    result = _run(director)
    # then
    jan, feb, mar = result["periods"]
    got = {
        "jan": jan["revenue"]["actual"],
        "feb": feb["revenue"]["actual"],
        "mar": mar["revenue"]["actual"],
        "mar_orders": Decimal(mar["orders"]["actual"]),
    }
    assert got == {name: expected[targets[name].pk].value for name in got}
    south = next(r for r in result["dimensions"][0]["rows"] if r["label"] == "华南")
    assert south["revenue"]["actual"] == expected[targets["south_mar"].pk].value == 400


def _rows(result, by):
    found = next(d for d in result["dimensions"] if d["by"] == by)
    return [(r["label"], *_figures(r["revenue"]), r["orders"]["actual"]) for r in found["rows"]]


def test_the_focus_month_by_region_product_rep_customer_type_and_team(
    book, director, rep, other_team_rep
):
    # when
    result = _run(director)
    # then
    assert [d["by"] for d in result["dimensions"]] == [
        "region",
        "product",
        "rep",
        "customer_type",
        "team",
    ]
    total = ("合计", 1000, 400, 40.0, 200, 100.0, 80, 400.0, 2)
    assert _rows(result, "region") == [
        ("华南", 800, 400, 50.0, 0, None, 0, None, 1),
        ("华东", None, 0, None, 200, -100.0, 80, -100.0, 1),
        total,
    ]
    assert _rows(result, "product") == [
        ("企业版", None, 400, None, 200, 100.0, 0, None, 1),
        ("标准版", None, 0, None, 200, -100.0, 0, None, 1),
        ("未填写", None, 0, None, 0, None, 80, -100.0, 0),
        total,
    ]
    assert _rows(result, "rep") == [
        (str(other_team_rep), None, 400, None, 0, None, 0, None, 1),
        (str(rep), None, 0, None, 200, -100.0, 80, -100.0, 1),
        total,
    ]
    assert _rows(result, "customer_type") == [
        ("普通", None, 400, None, 200, 100.0, 80, 400.0, 2),
        total,
    ]
    assert _rows(result, "team") == [
        ("华南一组", None, 400, None, 0, None, 0, None, 1),
        ("华东一组", 100, 0, 0.0, 200, -100.0, 80, -100.0, 1),
        total,
    ]


def test_a_manager_sees_their_team_with_its_target_and_no_team_dimension(book, manager):
    # when
    result = _run(manager)
    # then
    mar = result["periods"][2]
    assert result["subject"]["scope_key"] == f"team:{manager.team_id}"
    assert _figures(mar["revenue"]) == (100, 0, 0.0, 200, -100.0, 80, -100.0)
    assert mar["orders"]["actual"] == 1
    assert [d["by"] for d in result["dimensions"]] == ["region", "product", "rep", "customer_type"]
    assert _rows(result, "region")[0] == ("华东", None, 0, None, 200, -100.0, 80, -100.0, 1)


def test_a_rep_sees_only_the_deals_they_signed(book, rep):
    # when
    result = _run(rep)
    # then
    assert [p["revenue"]["actual"] for p in result["periods"]] == [100, 200, 0]
    assert [p["orders"]["actual"] for p in result["periods"]] == [1, 1, 1]


def test_result_and_process_indicators_of_the_focus_month(book, director, manager):
    # when
    company = _run(director)["process"]
    team = _run(manager)["process"]
    # then
    assert company["visits"] == {"count": 2, "previous": 0, "previous_pct": None}
    assert company["calls"] == {"count": 2, "previous": 2, "previous_pct": 0.0}
    assert company["follow_ups"] == {"count": 4, "previous": 2, "previous_pct": 100.0}
    assert company["proposals"] == {"count": 3, "previous": 1, "previous_pct": 200.0}
    assert (team["visits"]["count"], team["calls"]["count"], team["proposals"]["count"]) == (
        1,
        2,
        2,
    )


def test_the_cohort_conversion_lead_opportunity_order(book, director):
    # given
    with time_machine.travel(fx.NOW, tick=False):
        total = conversion(Scope.build(director, **fx.Q1), by="source")[-1]
    # when
    cohort = _run(director)["process"]["cohort"]
    # then
    assert cohort == {
        "leads": 10,
        "opportunities": 6,
        "orders": 5,
        "lead_to_opportunity_pct": 60.0,
        "opportunity_to_order_pct": 83.3,
        "lead_to_order_pct": 50.0,
    }
    assert (cohort["leads"], cohort["orders"]) == (total["leads"], total["deals"])


def _win(result, by):
    found = next(d for d in result["win_rates"] if d["by"] == by)
    return [
        (
            r["label"],
            r["won"],
            r["lost"],
            r["win_rate"],
            r["leads"],
            r["deals"],
            r["conversion_pct"],
        )
        for r in found["rows"]
    ]


def test_the_win_rate_counts_the_leads_won_or_lost_by_the_ledger(
    book, director, rep, teammate, other_team_rep
):
    # when
    result = _run(director)
    # then  won D1-D5; lost L1, L5 (not L2 reopened, L3 lost in 2025, L4 won in 2025)
    assert [d["by"] for d in result["win_rates"]] == [
        "source",
        "grade",
        "region",
        "product",
        "rep",
        "team",
        "customer_type",
    ]
    assert _win(result, "rep") == [
        (str(rep), 3, 1, 75.0, 5, 3, 60.0),
        (str(teammate), 1, 1, 50.0, 3, 1, 33.3),
        (str(other_team_rep), 1, 0, 100.0, 2, 1, 50.0),
        ("合计", 5, 2, 71.4, 10, 5, 50.0),
    ]
    assert _win(result, "team") == [
        ("华东一组", 4, 2, 66.7, 8, 4, 50.0),
        ("华南一组", 1, 0, 100.0, 2, 1, 50.0),
        ("合计", 5, 2, 71.4, 10, 5, 50.0),
    ]
    assert _win(result, "product") == [
        ("未填写", 1, 2, 33.3, 6, 1, 16.7),
        ("标准版", 3, 0, 100.0, 3, 3, 100.0),
        ("企业版", 2, 0, 100.0, 2, 2, 100.0),
        ("合计", 5, 2, 71.4, 10, 5, 50.0),
    ]
    assert _win(result, "customer_type") == [
        ("普通", 4, 2, 66.7, 9, 4, 44.4),
        ("转介绍", 1, 0, 100.0, 1, 1, 100.0),
        ("合计", 5, 2, 71.4, 10, 5, 50.0),
    ]
    source = dict((row[0], row[1:]) for row in _win(result, "source"))
    assert source["展会"] == (0, 1, 0.0, 1, 0, 0.0)


def test_a_lead_lost_then_reopened_is_lost_only_in_a_window_ending_before_the_reopening(
    book, director, teammate
):
    # when  January alone: L2 abandoned 01-20 and reopened 02-01
    result = _run(director, start=date(2026, 1, 1), end=date(2026, 1, 31))
    # then
    rows = dict((row[0], row[1:3]) for row in _win(result, "rep"))
    assert rows[str(teammate)] == (0, 1)
    assert rows["合计"] == (1, 1)


def test_a_period_not_started_has_targets_but_no_actual_or_change(book, director):
    # when
    result = _run(director, end=date(2026, 4, 30))
    # then
    april = result["periods"][3]
    assert april["status"] == "future"
    assert _figures(april["revenue"]) == (None, None, None, None, None, None, None)
    assert result["focus"] == 2
