"""The demo company's targets and plan: every level, balanced splits, and a second run
that adds nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from loudou.core.models import Event
from loudou.targets.demo import apportion, load_demo_targets
from loudou.targets.models import (
    ImprovementAction,
    Milestone,
    StrategyPlan,
    Target,
    TargetAdjustment,
)
from loudou.targets.services import rollups

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 30, 10, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def demo(demo_once, time_machine):
    """The demo with 60 leads (loaded once for the module), the clock at NOW."""
    time_machine.move_to(NOW, tick=False)


def test_the_demo_has_targets_at_every_level_and_a_plan_with_milestones(demo):
    # given the demo loaded (fixture)
    targets = Target.objects.all()
    # when we count them by scope and period
    counts = {
        (kind, period): targets.filter(scope_kind=kind, period=period).count()
        for kind in ("company", "region", "team", "person")
        for period in ("annual", "quarterly", "monthly")
    }
    # then revenue and orders: company and teams by year, quarter and month; regions and
    # the 18 reps by year and quarter; plus the company's new customers
    assert counts == {
        ("company", "annual"): 3,
        ("company", "quarterly"): 8,
        ("company", "monthly"): 24,
        ("region", "annual"): 6,
        ("region", "quarterly"): 24,
        ("region", "monthly"): 0,
        ("team", "annual"): 6,
        ("team", "quarterly"): 24,
        ("team", "monthly"): 72,
        ("person", "annual"): 36,
        ("person", "quarterly"): 144,
        ("person", "monthly"): 0,
    }
    assert {t.start.year for t in targets} == {2026}
    plan = StrategyPlan.objects.get()
    assert (plan.team.name, plan.target.team.name, plan.target.period) == (
        "华东一组",
        "华东一组",
        "quarterly",
    )
    assert sorted(Milestone.objects.values_list("status", flat=True)) == [
        "done",
        "open",
        "open",
        "open",
    ]


def test_the_demo_team_has_improvement_actions_done_overdue_and_ahead(demo):
    # given  NOW is 2026-06-30: the actions are on May's variance of 华东一组's revenue
    actions = ImprovementAction.objects.select_related("team", "target").order_by("deadline")
    # then
    assert [(a.status, a.deadline.isoformat()) for a in actions] == [
        ("done", "2026-06-18"),
        ("open", "2026-06-28"),
        ("open", "2026-07-12"),
    ]
    first = actions[0]
    assert (first.team.name, first.period, first.period_start.isoformat()) == (
        "华东一组",
        "monthly",
        "2026-05-01",
    )
    assert (first.target.team, first.target.start) == (first.team, first.period_start)


def test_every_split_of_the_demo_sums_but_the_one_adjusted_rep(demo):
    # given
    parents = list(Target.objects.filter(children__isnull=False).distinct())
    # when
    groups = rollups(parents)
    # then  rep1's current quarter was lowered with a reason: only rep1's year is off
    adjusted = TargetAdjustment.objects.select_related("target__person").get()
    assert (adjusted.target.person.username, adjusted.target.period) == ("rep1", "quarterly")
    assert adjusted.after < adjusted.before
    off = [p for p in parents if not all(g.balanced for g in groups[p.pk])]
    assert off == [adjusted.target.parent]


def test_loading_the_demo_targets_again_adds_nothing(demo):
    # given
    before = (Target.objects.count(), Event.objects.count(), Milestone.objects.count())
    # when
    again = load_demo_targets(now=NOW)
    # then
    assert again == {"targets": 0, "plans": 0, "actions": 0}
    assert (Target.objects.count(), Event.objects.count(), Milestone.objects.count()) == before


def test_apportion_shares_whole_units_summing_to_the_total():
    from decimal import Decimal

    shares = apportion(Decimal(100_000), [0.5, 0.3, 0.2], Decimal(10_000))
    assert shares == [Decimal(50_000), Decimal(30_000), Decimal(20_000)]
    assert sum(apportion(Decimal(7), [1.0, 1.0, 1.0], Decimal(1))) == 7
