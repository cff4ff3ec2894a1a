"""Every figure on the hand-built month (fixtures.py) equals the value computed by hand."""

from datetime import date

import pytest

from loudou.analytics.services.conversion import conversion
from loudou.analytics.services.funnel import funnel
from loudou.analytics.services.scope import Scope
from loudou.analytics.tests import fixtures
from loudou.analytics.tests.fixtures import NOW

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


@pytest.fixture
def month(rep, teammate, other_team_rep, director):
    return fixtures.build(rep, teammate, other_team_rep)


def _by_code(result):
    return {row["code"]: row for row in result["stages"]}


def test_company_funnel_counts_and_dropoff_match_the_hand_count(month, director):
    # given
    scope = Scope.build(director, **MARCH)
    # when
    stages = _by_code(funnel(scope, now=NOW))
    # then
    reached = {code: row["reached"] for code, row in stages.items()}
    assert reached == {
        "resource": 4,
        "graded": 4,
        "contacted": 2,
        "lead_customer": 2,
        "opportunity": 2,
        "signed": 2,
        "implemented": 0,
        "abandoned": 1,
    }
    dropoff = {code: row["dropoff_pct"] for code, row in stages.items()}
    assert dropoff == {
        "resource": None,
        "graded": 0.0,
        "contacted": 50.0,
        "lead_customer": 0.0,
        "opportunity": 0.0,
        "signed": 0.0,
        "implemented": 100.0,
        "abandoned": None,
    }
    current = {code: row["current"] for code, row in stages.items() if row["current"]}
    assert current == {"graded": 1, "signed": 2, "abandoned": 1}


def test_company_funnel_days_in_stage_match_the_hand_count(month, director):
    # given
    scope = Scope.build(director, **MARCH)
    # when
    stages = _by_code(funnel(scope, now=NOW))
    # then
    days = {code: (row["median_days"], row["p75_days"]) for code, row in stages.items()}
    assert days == {
        "resource": (1.0, 1.25),  # 1, 1, 0.5, 2
        "graded": (2.0, 6.75),  # 2, 2, 21 (open), 1
        "contacted": (4.5, 5.75),  # 7, 2
        "lead_customer": (1.0, 1.0),
        "opportunity": (12.0, 12.0),
        "signed": (15.5, 18.0),  # 20.5, 10.5 (open)
        "implemented": (None, None),
        "abandoned": (23.5, 23.5),
    }
    misses = {code for code, row in stages.items() if row["misses"]["days"]}
    assert misses == {"graded", "opportunity", "signed"}


def test_company_funnel_move_rates_and_counts_per_rep_match_the_hand_count(
    month, director, rep, teammate, other_team_rep
):
    # given
    scope = Scope.build(director, **MARCH)
    # when
    result = funnel(scope, now=NOW)
    stages = _by_code(result)
    # then
    rates = {code: row["move_rate"] for code, row in stages.items()}
    assert rates == {
        "resource": 100.0,
        "graded": 50.0,
        "contacted": 100.0,
        "lead_customer": 100.0,
        "opportunity": 100.0,
        "signed": None,
        "implemented": None,
        "abandoned": None,
    }
    assert {c for c, r in stages.items() if r["misses"]["move_rate"]} == {"graded"}
    assert stages["graded"]["held"] == 1
    assert stages["graded"]["count_per_rep"] == 0.3  # 1 lead / 3 reps
    assert stages["graded"]["misses"]["count"] is True  # ideal 10
    assert result["totals"]["won"] == 2
    assert result["totals"]["conversion_pct"] == 50.0
    by_rep = {row["rep_id"]: [c["count"] for c in row["cells"]] for row in result["reps"]}
    assert by_rep == {
        other_team_rep.pk: [0] * 5,
        rep.pk: [0] * 5,
        teammate.pk: [0, 1, 0, 0, 0],
    }


def test_conversion_by_source_matches_the_hand_count(month, director):
    # given
    scope = Scope.build(director, **MARCH)
    # when
    rows = conversion(scope, by="source")
    # then
    table = {
        row["label"]: (
            row["leads"],
            row["deals"],
            row["rate"],
            row["avg_cycle_days"],
            row["median_cycle_days"],
        )
        for row in rows
    }
    assert table == {
        "展会": (2, 1, 50.0, 10.0, 10.0),
        "官网表单": (1, 0, 0.0, None, None),
        "未填写": (1, 1, 100.0, 18.0, 18.0),
        "合计": (4, 2, 50.0, 14.0, 14.0),
    }
    show = rows[0]
    assert show["win_factors"] == [("产品契合需求", 1)]
    assert show["loss_factors"] == [("预算不足", 1)]
    assert rows[-1]["key"] is None
    actions = {row["label"]: row["actions"] for row in rows[:-1]}
    assert actions["展会"] == []
    assert actions["官网表单"] == ["该来源线索多而转化低：收紧该来源的初步筛选标准。"]
    assert actions["未填写"] == ["转化周期长：缩短跟进间隔。"]


def test_conversion_by_grade_matches_the_hand_count(month, director):
    # given
    scope = Scope.build(director, **MARCH)
    # when
    rows = conversion(scope, by="grade")
    # then
    table = {row["key"]: (row["leads"], row["deals"], row["rate"]) for row in rows}
    assert table == {"C": (3, 1, 33.3), "A": (1, 1, 100.0), None: (4, 2, 50.0)}


def test_conversion_by_product_line_counts_each_lead_once_in_the_total(month, director):
    # given  L1 sells product line P1, L4 both P1 and P2; L2 and L3 none
    from loudou.org.models import ProductLine

    p1 = ProductLine.objects.create(name="MES")
    p2 = ProductLine.objects.create(name="WMS")
    month["l1"].products.set([p1])
    month["l4"].products.set([p1, p2])
    scope = Scope.build(director, **MARCH)
    # when
    rows = conversion(scope, by="product")
    # then
    table = {row["label"]: (row["leads"], row["deals"], row["median_cycle_days"]) for row in rows}
    assert table == {
        "MES": (2, 2, 14.0),
        "未填写": (2, 0, None),
        "WMS": (1, 1, 18.0),
        "合计": (4, 2, 14.0),
    }
