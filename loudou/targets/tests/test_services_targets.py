"""Targets: periods, scope, decomposition with its roll-up check, adjustments with history."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from loudou.core.models import Event
from loudou.org.models import Region
from loudou.targets.choices import Metric, Period, ScopeKind
from loudou.targets.models import Target, TargetAdjustment
from loudou.targets.services import (
    adjust_target,
    delete_target,
    rollup,
    split_plan,
    split_target,
    update_target,
)
from loudou.targets.services.targets import shares
from loudou.targets.tests.factories import make_target

pytestmark = pytest.mark.django_db


def test_a_target_ends_the_day_before_its_next_period(director):
    # when
    year = make_target(actor=director)
    quarter = make_target(actor=director, period=Period.QUARTERLY, start=date(2026, 10, 1))
    month = make_target(actor=director, period=Period.MONTHLY, start=date(2028, 2, 1))
    # then
    assert (year.end, quarter.end, month.end) == (
        date(2026, 12, 31),
        date(2026, 12, 31),
        date(2028, 2, 29),
    )
    assert (year.period_label, quarter.period_label, month.period_label) == (
        "2026年",
        "2026年第4季度",
        "2028年2月",
    )


@pytest.mark.parametrize(
    ("period", "start"),
    [
        (Period.ANNUAL, date(2026, 4, 1)),
        (Period.QUARTERLY, date(2026, 2, 1)),
        (Period.MONTHLY, date(2026, 2, 15)),
        (Period.MONTHLY, date(1999, 12, 1)),
    ],
)
def test_a_period_must_start_on_its_first_day(director, period, start):
    # when
    with pytest.raises(ValidationError) as refused:
        make_target(actor=director, period=period, start=start)
    # then
    assert set(refused.value.message_dict) == {"start"}
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("metric", "value"),
    [(Metric.ORDERS, Decimal("2.5")), (Metric.REPURCHASE_RATE, Decimal("100.1"))],
)
def test_counts_are_whole_and_rates_at_most_100(director, metric, value):
    with pytest.raises(ValidationError) as refused:
        make_target(actor=director, metric=metric, value=value)
    assert set(refused.value.message_dict) == {"value"}


def test_a_scope_needs_its_subject_and_keeps_only_it(director, team_a):
    # given
    east = Region.objects.get(name="华东")
    # when
    with pytest.raises(ValidationError) as refused:
        make_target(actor=director, scope_kind=ScopeKind.REGION)
    target = make_target(actor=director, scope_kind=ScopeKind.TEAM, team=team_a, region=east)
    # then
    assert set(refused.value.message_dict) == {"region"}
    assert (target.scope_key, target.region_id) == (f"team:{team_a.pk}", None)


def test_one_target_per_period_metric_and_scope(director):
    # given
    make_target(actor=director)
    # when
    with pytest.raises(ValidationError) as refused:
        make_target(actor=director, value=5)
    # then
    assert refused.value.messages == ["该周期、指标和维度的目标已存在。"]
    assert Target.objects.count() == 1


def test_a_child_has_its_parents_metric_and_lies_within_its_period(director):
    # given
    year = make_target(actor=director)
    # when
    with pytest.raises(ValidationError) as other_metric:
        make_target(actor=director, metric=Metric.ORDERS, parent=year, value=3)
    with pytest.raises(ValidationError) as outside:
        make_target(actor=director, period=Period.MONTHLY, start=date(2027, 1, 1), parent=year)
    # then
    assert other_metric.value.messages == ["分解目标须与上级目标的指标相同。"]
    assert outside.value.messages == ["分解目标的周期须在上级目标的周期之内。"]


def test_a_team_target_splits_only_to_its_team_and_members(director, team_a, team_b, rep):
    # given
    team = make_target(actor=director, scope_kind=ScopeKind.TEAM, team=team_a)
    # when
    member = make_target(actor=director, scope_kind=ScopeKind.PERSON, person=rep, parent=team)
    with pytest.raises(ValidationError) as refused:
        make_target(actor=director, scope_kind=ScopeKind.TEAM, team=team_b, parent=team)
    # then
    assert member.parent == team
    assert refused.value.messages == ["团队目标只能分解给本团队或其成员。"]


def test_a_target_cannot_become_its_own_descendant(director):
    # given
    year = make_target(actor=director)
    quarter = make_target(actor=director, period=Period.QUARTERLY, parent=year, value=250)
    # when
    with pytest.raises(ValidationError) as refused:
        update_target(target=year, actor=director, values={"parent": quarter})
    # then
    assert refused.value.messages in (
        ["上级目标不能是自己或自己的分解目标。"],
        ["分解目标的周期须在上级目标的周期之内。"],
    )
    year.refresh_from_db()
    assert year.parent_id is None


# roll-up ----------------------------------------------------------------------------------


def test_rollup_is_balanced_when_the_children_sum_to_the_parent(director):
    # given
    year = make_target(actor=director, value=1000)
    split_target(target=year, actor=director, by="time")
    # when
    groups = rollup(year)
    # then
    assert [(g.label, g.count, g.total, g.difference, g.balanced) for g in groups] == [
        ("季度 · 全公司", 4, Decimal("1000.00"), Decimal("0.00"), True)
    ]


def test_rollup_shows_the_difference_when_the_children_do_not_sum(director, team_a, team_b):
    # given  two teams of 300 and 500 under a year of 1000, and its quarters summing to 1100
    year = make_target(actor=director, value=1000)
    for team, value in ((team_a, 300), (team_b, 500)):
        make_target(actor=director, scope_kind="team", team=team, value=value, parent=year)
    quarters = split_target(target=year, actor=director, by="time")
    adjust_target(target=quarters[0], actor=director, value=350, reason="新品上市")
    # when
    groups = rollup(year)
    # then
    assert [(g.label, g.count, g.total, g.difference, g.balanced) for g in groups] == [
        ("年度 · 团队", 2, Decimal("800.00"), Decimal("200.00"), False),
        ("季度 · 全公司", 4, Decimal("1100.00"), Decimal("-100.00"), False),
    ]


def test_rates_are_not_summed(director):
    # given
    year = make_target(actor=director, metric=Metric.REPURCHASE_RATE, value=30)
    split_target(target=year, actor=director, by="time")
    # when
    groups = rollup(year)
    # then
    assert [(g.count, g.total, g.difference, g.balanced) for g in groups] == [(4, None, None, None)]
    assert [t.value for t in year.children.all()] == [Decimal("30.00")] * 4


# quick splits -------------------------------------------------------------------------------


def test_shares_split_exactly_with_the_remainder_to_the_first():
    assert shares(Decimal("100.00"), 3, Metric.REVENUE) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    assert shares(Decimal(10), 4, Metric.ORDERS) == [3, 3, 2, 2]


def test_a_quarter_splits_into_its_three_months(director):
    # given
    quarter = make_target(
        actor=director, period=Period.QUARTERLY, start=date(2026, 4, 1), metric="orders", value=10
    )
    # when
    months = split_target(target=quarter, actor=director, by="time")
    # then
    assert [(m.period, m.start, m.value, m.parent_id) for m in months] == [
        (Period.MONTHLY, date(2026, 4, 1), Decimal(4), quarter.pk),
        (Period.MONTHLY, date(2026, 5, 1), Decimal(3), quarter.pk),
        (Period.MONTHLY, date(2026, 6, 1), Decimal(3), quarter.pk),
    ]


def test_a_team_target_splits_among_its_reps_with_chosen_values(
    director, team_a, rep, teammate, manager
):
    # given
    team = make_target(actor=director, scope_kind=ScopeKind.TEAM, team=team_a, value=900)
    # when
    planned = split_plan(target=team, by="reps")
    created = split_target(target=team, actor=manager, by="reps", values=[600, 300])
    # then  the manager is not a rep: only rep and teammate (by username)
    assert [c.person for c in planned] == [rep, teammate]
    assert [(c.person, c.value) for c in created] == [(rep, 600), (teammate, 300)]
    assert rollup(team)[0].balanced is True


def test_a_company_target_splits_among_the_teams(director, team_a, team_b):
    # given
    year = make_target(actor=director, value=1001)
    # when
    created = split_target(target=year, actor=director, by="teams")
    # then  teams by name: 华东一组 then 华南一组
    assert [(c.team, c.value) for c in created] == [
        (team_a, Decimal("500.50")),
        (team_b, Decimal("500.50")),
    ]


def test_a_split_the_actor_may_not_make_whole_writes_nothing(
    director, manager, team_a, other_manager
):
    # given  a manager sees the company target but may set only their team's, not team B's
    year = make_target(actor=director)
    # when
    with pytest.raises(PermissionDenied):
        split_target(target=year, actor=manager, by="teams")
    # then
    assert Target.objects.count() == 1


def test_a_split_that_exists_already_is_refused_whole(director):
    # given
    year = make_target(actor=director)
    make_target(actor=director, period=Period.QUARTERLY, start=date(2026, 7, 1), parent=year)
    # when
    with pytest.raises(ValidationError):
        split_target(target=year, actor=director, by="time")
    # then
    assert Target.objects.count() == 2


def test_a_split_that_does_not_apply_is_refused(director):
    month = make_target(actor=director, period=Period.MONTHLY, start=date(2026, 3, 1))
    with pytest.raises(ValidationError) as refused:
        split_plan(target=month, by="time")
    assert set(refused.value.message_dict) == {"by"}


# adjustments ---------------------------------------------------------------------------------


def test_an_adjustment_records_who_when_before_after_and_why(director, time_machine):
    # given
    time_machine.move_to("2026-03-10 09:00 +0800", tick=False)
    target = make_target(actor=director, value=1000)
    # when
    adjust_target(target=target, actor=director, value="900", reason="竞品降价，下调目标")
    # then
    row = TargetAdjustment.objects.get()
    assert (row.target, row.actor, row.before, row.after, row.reason) == (
        target,
        director,
        Decimal("1000.00"),
        Decimal("900.00"),
        "竞品降价，下调目标",
    )
    assert row.at.isoformat() == "2026-03-10T01:00:00+00:00"
    target.refresh_from_db()
    assert target.value == Decimal("900.00")
    event = Event.objects.get(verb="target.adjusted")
    assert (event.changes, event.reason) == (
        [{"field": "value", "before": "1000.00", "after": "900.00"}],
        "竞品降价，下调目标",
    )


@pytest.mark.parametrize(
    ("value", "reason", "field"),
    [(900, "  ", "reason"), (1000, "无变化", "value"), (-1, "负数", "value")],
)
def test_an_adjustment_needs_a_reason_and_a_new_valid_value(director, value, reason, field):
    # given
    target = make_target(actor=director, value=1000)
    # when
    with pytest.raises(ValidationError) as refused:
        adjust_target(target=target, actor=director, value=value, reason=reason)
    # then
    assert set(refused.value.message_dict) == {field}
    assert not TargetAdjustment.objects.exists()
    assert not Event.objects.filter(verb="target.adjusted").exists()


def test_of_two_adjustments_from_the_same_value_only_the_first_is_kept(director):
    # given  two people read the target at 1000
    target = make_target(actor=director, value=1000)
    stale = Target.objects.get(pk=target.pk)
    adjust_target(target=target, actor=director, value=900, reason="第一次")
    # when
    with pytest.raises(ValidationError) as refused:
        adjust_target(target=stale, actor=director, value=1200, reason="第二次")
    # then
    assert refused.value.messages == ["目标值已被他人调整，请刷新后重试。"]
    assert Target.objects.get(pk=target.pk).value == Decimal(900)
    assert TargetAdjustment.objects.count() == 1


def test_a_target_with_children_is_not_deleted(director):
    # given
    year = make_target(actor=director)
    split_target(target=year, actor=director, by="time")
    # when
    with pytest.raises(ValidationError):
        delete_target(target=year, actor=director)
    # then
    assert Target.objects.count() == 5


def test_deleting_a_target_is_audited(director):
    # given
    target = make_target(actor=director)
    pk = target.pk
    # when
    delete_target(target=target, actor=director)
    # then
    assert not Target.objects.filter(pk=pk).exists()
    assert Event.objects.filter(verb="target.deleted", object_id=pk).count() == 1
