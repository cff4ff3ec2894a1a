"""Process indicators, quota and trends on the hand-built month (fixtures.py)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from loudou.activities.selectors import with_first_follow_up
from loudou.activities.sla import sla_state
from loudou.analytics.services.process import process_indicators
from loudou.analytics.services.quota import reverse_funnel
from loudou.analytics.services.scope import Scope
from loudou.analytics.services.trends import monthly_trends
from loudou.analytics.tests import fixtures
from loudou.analytics.tests.fixtures import NOW
from loudou.leads.models import Lead

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


@pytest.fixture
def month(rep, teammate, other_team_rep, director):
    return fixtures.build(rep, teammate, other_team_rep)


def test_process_indicators_match_the_hand_count(month, director):
    # given
    scope = Scope.build(director, **MARCH)
    # when
    result = process_indicators(scope, now=NOW)
    # then
    assert result["not_followed_24h"] == {"leads": 4, "missed": 2, "pct": 50.0}  # L2, L3
    assert result["need_research"] == {"leads": 4, "complete": 1, "pct": 25.0}  # L1
    assert result["follow_ups_per_rep_week"]["follow_ups"] == 8
    assert result["follow_ups_per_rep_week"]["value"] == round(8 / 3 / (31 / 7), 2)
    assert result["stuck"] == {"leads": 1, "ids": [month["l3"].pk]}


def test_first_response_share_agrees_with_the_sla_of_each_lead(month, director):
    # given
    scope = Scope.build(director, **MARCH)
    leads = with_first_follow_up(Lead.objects.filter(pk__in=[m.pk for m in month.values()]))
    states = [sla_state(lead, NOW) for lead in leads]
    # when
    result = process_indicators(scope, now=NOW)["first_response"]
    # then
    decided = [s for s in states if s != "due"]
    assert result["leads"] == len(decided) == 4
    assert result["met"] == decided.count("met")


def test_reverse_funnel_on_ideal_rates_matches_the_hand_count(month, director):
    # given
    scope = Scope.build(director, **MARCH)
    # when
    quota = reverse_funnel(scope, target_deals=2, basis="ideal")
    # then  opportunity 2/10% = 20; lead customer 20/30% → 67; contacted 67/50% = 134;
    # graded 134/90% → 149; resource 149/100% = 149
    needed = [(s["name"], s["needed"], s["held"], s["gap"]) for s in quota["stages"]]
    assert needed == [
        ("客户资源", 149, 0, 149),
        ("已分级", 149, 1, 148),
        ("已接触", 134, 0, 134),
        ("线索客户", 67, 0, 67),
        ("意向客户(商机)", 20, 0, 20),
    ]
    # per rep (no rep target): 2/3 deal each through the same ideal rates, unrounded:
    # 6.7 → 7, 22.2 → 23, 44.4 → 45, 49.4 → 50, 50
    teammate_row = next(r for r in quota["reps"] if r["name"] == str(month["l3"].owner))
    assert [c["needed"] for c in teammate_row["cells"]] == [50, 50, 45, 23, 7]
    assert [c["held"] for c in teammate_row["cells"]] == [0, 1, 0, 0, 0]


def test_reverse_funnel_on_measured_rates_matches_the_hand_count(month, director):
    # given  measured: resource 100%, graded 50%, contacted, lead customer, opportunity 100%
    scope = Scope.build(director, **MARCH)
    # when
    quota = reverse_funnel(scope, target_deals=2)
    # then
    assert [s["needed"] for s in quota["stages"]] == [4, 4, 2, 2, 2]
    assert [s["rate"] for s in quota["stages"]] == [100.0, 50.0, 100.0, 100.0, 100.0]


def test_reverse_funnel_from_revenue_uses_the_average_deal(month, director):
    # given  deals of 100 and 300: average 200, so 500 needs ceil(2.5) = 3 deals
    scope = Scope.build(director, **MARCH)
    # when
    quota = reverse_funnel(scope, target_revenue=500, basis="ideal")
    # then
    assert quota["target_deals"] == 3
    assert str(quota["average_deal"]) == "200.00"


def test_reverse_funnel_without_a_target_is_refused(month, director):
    with pytest.raises(ValidationError):
        reverse_funnel(Scope.build(director, **MARCH))


def test_monthly_trends_count_leads_deals_revenue_and_changes(month, director):
    # given
    scope = Scope.build(director, start=date(2026, 4, 1), end=date(2026, 4, 30))
    # when
    rows = monthly_trends(scope, months=3)
    # then
    table = [(r["month"], r["leads"], r["deals"], r["revenue"]) for r in rows]
    assert table == [("2026-02", 0, 0, 0.0), ("2026-03", 4, 2, 400.0), ("2026-04", 0, 0, 0.0)]
    assert rows[1]["leads_mom"] is None  # February had none
    assert rows[2]["leads_mom"] == -100.0
    assert rows[2]["revenue_mom"] == -100.0
    assert rows[1]["leads_yoy"] is None


def test_year_on_year_compares_with_the_same_month_a_year_before(month, director, rep):
    # given  one lead captured in March 2025 beside the four of March 2026
    from datetime import datetime

    from django.utils import timezone

    fixtures._lead(5, rep, datetime(2025, 3, 15, 9, tzinfo=timezone.get_default_timezone()))
    scope = Scope.build(director, start=date(2026, 3, 1), end=date(2026, 3, 31))
    # when
    march = monthly_trends(scope, months=1)[0]
    # then  4 against 1: +300 %
    assert (march["month"], march["leads"], march["leads_yoy"]) == ("2026-03", 4, 300.0)
    assert march["deals_yoy"] is None  # no deal in March 2025
