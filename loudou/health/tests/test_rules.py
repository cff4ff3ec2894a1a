"""Each rule on a hand-built fixture: a case exactly when the hand-computed condition
holds, and none for the near miss beside it."""

from datetime import timedelta

import pytest
from django.db.models import F

from loudou.health.choices import Rule
from loudou.health.models import ExceptionCase
from loudou.health.services.exceptions import sweep
from loudou.health.tests.factories import (
    DAY,
    HOUR,
    T0,
    follow_up,
    move,
    new_lead,
    set_thresholds,
    walk,
)
from loudou.leads.models import Lead

pytestmark = pytest.mark.django_db


def found(rule: str) -> dict:
    """{(rep username, stage code): case} of the unresolved cases of `rule`."""
    cases = ExceptionCase.objects.filter(rule=rule).exclude(status="resolved")
    return {(c.rep.username, c.stage.code if c.stage else None): c for c in cases}


def funnel_path(stages, *codes):
    return [stages[c] for c in codes]


def test_off_funnel_signings_flag_the_rep_with_two_and_not_the_one_with_one(
    clock, rep, teammate, manager, stages
):
    # given: rep signs two leads straight from 已接触 (never an opportunity)
    set_thresholds(off_funnel_min=2)
    skipped = [new_lead(rep) for _ in range(2)]
    for lead in skipped:
        walk(lead, funnel_path(stages, "graded", "contacted", "signed"), T0 + HOUR)
    # teammate: one off-funnel signing and one through the opportunity stage
    single = new_lead(teammate)
    walk(single, funnel_path(stages, "contacted", "signed"), T0 + HOUR)
    proper = new_lead(teammate)
    walk(proper, funnel_path(stages, "contacted", "opportunity", "signed"), T0 + HOUR)
    # when
    sweep(now=T0 + 2 * DAY)
    # then
    cases = found(Rule.OFF_FUNNEL)
    assert set(cases) == {("rep", None)}
    case = cases[("rep", None)]
    assert sorted(case.lead_ids) == sorted(lead.pk for lead in skipped)
    assert case.lead_count == 2
    assert case.owner == manager
    assert case.team == rep.team


def test_many_opportunities_few_signings(clock, rep, teammate, other_team_rep, stages):
    # given: thresholds at least 3 opportunities held and at most 1 signing in the window
    set_thresholds(many_opportunities_min=3, few_signings_max=1)
    path = funnel_path(stages, "contacted", "opportunity")
    rep_opps = [new_lead(rep) for _ in range(3)]
    for lead in rep_opps:
        walk(lead, path, T0 + HOUR)
    walk(new_lead(rep), [*path, stages["signed"]], T0 + HOUR)  # 1 signing
    for _ in range(3):
        walk(new_lead(teammate), path, T0 + HOUR)
    for _ in range(2):  # 2 signings: not "few"
        walk(new_lead(teammate), [*path, stages["signed"]], T0 + HOUR)
    for _ in range(2):  # only 2 opportunities: not "many"
        walk(new_lead(other_team_rep), path, T0 + HOUR)
    # when
    sweep(now=T0 + DAY)
    # then
    cases = found(Rule.MANY_OPPORTUNITIES)
    assert set(cases) == {("rep", None)}
    assert sorted(cases[("rep", None)].lead_ids) == sorted(lead.pk for lead in rep_opps)
    assert cases[("rep", None)].metrics["signings"] == 1


def test_low_move_rate_compares_with_the_stage_ideal(clock, rep, teammate, stages):
    # given: 已接触 has an ideal move rate of 50 %; the limit at 70 % of it is 35 %
    set_thresholds(min_sample=4, move_rate_ratio=70)
    to_contacted = funnel_path(stages, "graded", "contacted")
    rep_leads = [new_lead(rep) for _ in range(4)]
    for lead in rep_leads:
        walk(lead, to_contacted, T0 + HOUR)
    move(rep_leads[0], stages["lead_customer"], T0 + DAY)  # 1 of 4 moved on: 25 %
    mate_leads = [new_lead(teammate) for _ in range(4)]
    for lead in mate_leads:
        walk(lead, to_contacted, T0 + HOUR)
    for lead in mate_leads[:2]:  # 2 of 4: 50 %
        move(lead, stages["lead_customer"], T0 + DAY)
    move(mate_leads[2], stages["abandoned"], T0 + DAY)  # abandoning is not moving on
    # when
    sweep(now=T0 + 3 * DAY)
    # then
    cases = found(Rule.LOW_MOVE_RATE)
    assert set(cases) == {("rep", "contacted")}
    case = cases[("rep", "contacted")]
    assert case.metrics == {"entered": 4, "moved": 1, "rate": 25.0, "ideal": 50.0, "limit": 35.0}
    assert sorted(case.lead_ids) == sorted(lead.pk for lead in rep_leads[1:])


def test_high_abandonment_above_the_limit_only(clock, rep, teammate, stages):
    # given: limit 50 %; rep abandons 3 of 4 (75 %), teammate 2 of 4 (exactly 50 %)
    set_thresholds(min_sample=4, abandon_rate_max=50)
    rep_leads = [new_lead(rep) for _ in range(4)]
    for lead in rep_leads[:3]:
        move(lead, stages["abandoned"], T0 + HOUR)
    mate_leads = [new_lead(teammate) for _ in range(4)]
    for lead in mate_leads[:2]:
        move(lead, stages["abandoned"], T0 + HOUR)
    # when
    sweep(now=T0 + DAY)
    # then
    cases = found(Rule.HIGH_ABANDONMENT)
    assert set(cases) == {("rep", None)}
    assert cases[("rep", None)].metrics["rate"] == 75.0
    assert sorted(cases[("rep", None)].lead_ids) == sorted(lead.pk for lead in rep_leads[:3])


def test_long_cycle_against_the_sum_of_ideal_days(clock, rep, teammate, stages):
    # given: ideal cycle 1+1+5+5+5 = 17 days, limit 150 % = 25.5 days
    set_thresholds(cycle_min_deals=2, cycle_ratio=150)
    path = funnel_path(stages, "opportunity", "signed")
    rep_leads = [new_lead(rep) for _ in range(2)]
    for lead, days in zip(rep_leads, [20, 40], strict=True):  # average 30 > 25.5
        walk(lead, path, T0 + HOUR, step=days * DAY - HOUR)
    for days in [20, 30]:  # average 25 <= 25.5
        walk(new_lead(teammate), path, T0 + HOUR, step=days * DAY - HOUR)
    # when
    sweep(now=T0 + 45 * DAY)
    # then
    cases = found(Rule.LONG_CYCLE)
    assert set(cases) == {("rep", None)}
    assert cases[("rep", None)].metrics["average_days"] == 30.0
    assert cases[("rep", None)].metrics["ideal_days"] == 17.0
    assert sorted(cases[("rep", None)].lead_ids) == sorted(lead.pk for lead in rep_leads)


def test_not_followed_up_within_24_hours_of_assignment(clock, rep, teammate, stages):
    # given: rep's lead assigned at T0, never followed up
    late = new_lead(rep)
    # teammate: one followed up after an hour, one assigned 23 h before the sweep
    done = new_lead(teammate)
    follow_up(clock, done, T0 + HOUR)
    clock.move_to(T0 + 2 * HOUR, tick=False)
    new_lead(teammate)
    # when
    sweep(now=T0 + 25 * HOUR)
    # then
    cases = found(Rule.NO_FOLLOW_UP)
    assert set(cases) == {("rep", None)}
    assert cases[("rep", None)].lead_ids == [late.pk]
    assert cases[("rep", None)].owner == rep


def test_three_follow_ups_without_stage_progress(clock, rep, teammate, stages):
    # given: rep's lead gets 3 follow-ups after entering 已接触
    stuck, mate = new_lead(rep), new_lead(teammate)
    move(stuck, stages["contacted"], T0 + HOUR)
    for hours in (2, 3, 4):
        follow_up(clock, stuck, T0 + hours * HOUR)
    # teammate's lead: 1 follow-up before entering the stage, 2 after
    follow_up(clock, mate, T0 + HOUR / 2)
    move(mate, stages["contacted"], T0 + HOUR)
    for hours in (2, 3):
        follow_up(clock, mate, T0 + hours * HOUR)
    # when
    sweep(now=T0 + DAY)
    # then
    cases = found(Rule.NO_PROGRESS)
    assert set(cases) == {("rep", None)}
    assert cases[("rep", None)].lead_ids == [stuck.pk]


def test_stalled_past_the_expected_close_date(clock, rep, teammate, stages):
    # given: today (local) is 2026-09-02 at the sweep
    today = (T0 + DAY).date()
    overdue = new_lead(rep)
    on_time = new_lead(teammate)
    signed = new_lead(teammate)
    walk(signed, funnel_path(stages, "opportunity", "signed"), T0 + HOUR)
    Lead.objects.filter(pk=overdue.pk).update(expected_close_date=today - timedelta(days=1))
    Lead.objects.filter(pk__in=[on_time.pk]).update(expected_close_date=today)
    Lead.objects.filter(pk=signed.pk).update(expected_close_date=today - timedelta(days=5))
    # when
    sweep(now=T0 + DAY)
    # then
    cases = found(Rule.STALLED)
    assert set(cases) == {("rep", None)}
    assert cases[("rep", None)].lead_ids == [overdue.pk]


def test_rep_far_above_the_ideal_count_at_a_stage(clock, rep, teammate, stages):
    # given: 意向客户(商机) ideal 2 per rep; above 150 % means more than 3
    set_thresholds(count_high_ratio=150, count_low_ratio=0)
    rep_leads = [new_lead(rep) for _ in range(4)]
    for lead in rep_leads:
        move(lead, stages["opportunity"], T0 + HOUR)
    for _ in range(3):
        move(new_lead(teammate), stages["opportunity"], T0 + HOUR)
    # when
    sweep(now=T0 + DAY)
    # then
    cases = found(Rule.COUNT_OFF_IDEAL)
    assert set(cases) == {("rep", "opportunity")}
    assert cases[("rep", "opportunity")].metrics["direction"] == "above"
    assert sorted(cases[("rep", "opportunity")].lead_ids) == sorted(lead.pk for lead in rep_leads)


def test_rep_far_below_the_ideal_count_at_a_stage(clock, rep, teammate, stages):
    # given: 意向客户(商机) ideal 2; below 50 % means fewer than 1; graded etc. checked too
    set_thresholds(count_high_ratio=1000, count_low_ratio=50)
    move(new_lead(teammate), stages["opportunity"], T0 + HOUR)
    # when
    sweep(now=T0 + DAY)
    # then: rep holds none at 商机 (below), teammate holds one (not below)
    cases = found(Rule.COUNT_OFF_IDEAL)
    assert ("rep", "opportunity") in cases
    assert ("teammate", "opportunity") not in cases
    assert cases[("rep", "opportunity")].metrics["direction"] == "below"
    assert cases[("rep", "opportunity")].lead_count == 0


def test_team_thresholds_override_the_company_ones(clock, rep, other_team_rep, director, stages):
    # given: both reps abandon 2 of 4; the company limit is 60 %, team_b's own 40 %
    from loudou.health.services.thresholds import update_thresholds

    set_thresholds(min_sample=4, abandon_rate_max=60)
    update_thresholds(actor=director, team=other_team_rep.team, values={"abandon_rate_max": 40})
    for owner in (rep, other_team_rep):
        leads = [new_lead(owner) for _ in range(4)]
        for lead in leads[:2]:
            move(lead, stages["abandoned"], T0 + HOUR)
    # when
    sweep(now=T0 + DAY)
    # then
    assert set(found(Rule.HIGH_ABANDONMENT)) == {("other_team_rep", None)}


def test_leads_outside_the_window_do_not_count(clock, rep, stages):
    # given: 3 of 4 abandoned, but the window (7 days) ends before the assignment's age
    set_thresholds(min_sample=4, abandon_rate_max=50, window_days=7)
    leads = [new_lead(rep) for _ in range(4)]
    for lead in leads[:3]:
        move(lead, stages["abandoned"], T0 + HOUR)
    # when
    sweep(now=T0 + 8 * DAY)
    # then
    assert found(Rule.HIGH_ABANDONMENT) == {}
    assert Lead.objects.filter(assigned_at__lt=F("captured_at")).count() == 0
