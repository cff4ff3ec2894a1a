"""Process-optimisation projects: the baseline and the monthly KPIs against the hand-built
month of analytics/tests/fixtures.py (March 2026: L1, L2 of `rep`, L3 of `teammate` in
team A; L4 of `other_team_rep` in team B).

Hand count for team A (L1-L3), first response (working hours Mon-Fri 9-18):
- L1 grade A (2 h), captured Sun 03-01 09:00 → due Mon 03-02 11:00; first follow-up 03-01
  10:00: met.
- L2 (18 h), captured Thu 03-05 09:00 → due Fri 03-06 18:00; first follow-up Sat 03-07:
  missed.
- L3 (18 h), captured Tue 03-10 09:00 → due Wed 03-11 18:00; first follow-up 03-12: missed.
→ 1/3 = 33.3 %. L4 (team B, 18 h) captured Tue 03-03 09:00, followed 12:00: met.
Need research: L1-L3 all reached 已分级; only L1 has a need description, a pain point and
a scored need → 1/3 = 33.3 % (company: 1/4 = 25.0 %).
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from loudou.analytics.tests import fixtures
from loudou.core.models import Event
from loudou.teamwork import services
from loudou.teamwork.choices import Rollout
from loudou.teamwork.models import ProjectReview
from loudou.teamwork.tests.factories import local, make_project

pytestmark = pytest.mark.django_db

APRIL_2 = local(2026, 4, 2, 10, 0)
MARCH = date(2026, 3, 1)


@pytest.fixture
def month(rep, teammate, other_team_rep, time_machine):
    leads = fixtures.build(rep, teammate, other_team_rep)
    time_machine.move_to(APRIL_2, tick=False)
    return leads


def test_the_baseline_measures_the_team_before_the_start_by_hand(month, manager, team_a):
    # given / when  a project of team A starting 04-01: baseline over 01-01 .. 03-31
    project = make_project(actor=manager, team=team_a, started_on=date(2026, 4, 1))
    # then
    baseline = project.baseline
    assert (baseline["start"], baseline["end"], baseline["team"]) == (
        "2026-01-01",
        "2026-03-31",
        "华东一组",
    )
    assert project.baseline_on == date(2026, 4, 2)
    rows = {s["name"]: (s["entered"], s["move_rate"], s["median_days"]) for s in baseline["stages"]}
    assert rows["客户资源"] == (3, 100.0, 1.0)  # 1, 1, 0.5 days
    assert rows["已分级"] == (3, 33.3, 2.0)  # L1 on; L2 lost; L3 still there: 2, 2, 22.5 days
    assert rows["已接触"] == (1, 100.0, 7.0)  # L1 03-04 → signed 03-11
    assert rows["线索客户"] == (0, None, None)
    assert baseline["bottleneck"] == {
        "stage_id": baseline["stages"][1]["stage_id"],
        "name": "已分级",
        "move_rate": 33.3,
        "ideal_move_rate": 90.0,
        "ratio_pct": 37.0,
    }
    assert baseline["conversion"] == {
        "leads": 3,
        "deals": 1,
        "rate": 33.3,
        "median_cycle_days": 10.0,
    }
    assert baseline["loss_factors"] == [["预算不足", 1]]
    assert baseline["timeliness"] == {"leads": 3, "met": 1, "pct": 33.3}
    assert baseline["need_research"] == {"leads": 3, "complete": 1, "pct": 33.3}
    assert Event.objects.filter(verb="teamwork.project_baseline").count() == 1


def test_measuring_a_month_stores_the_kpis_against_the_targets(month, manager, team_a):
    # given
    project = make_project(actor=manager, team=team_a)
    # when
    review = services.measure_project(project=project, month=date(2026, 3, 17), actor=manager)
    # then
    assert (review.month, review.team, review.measured_by) == (MARCH, team_a, manager)
    review.refresh_from_db()
    assert (review.timeliness, review.need_research) == (Decimal("33.3"), Decimal("33.3"))
    assert review.kpis["timeliness"] == {
        "leads": 3,
        "met": 1,
        "pct": 33.3,
        "target": 90,
        "on_target": False,
    }
    assert review.kpis["need_research"] == {
        "leads": 3,
        "complete": 1,
        "pct": 33.3,
        "target": 85,
        "on_target": False,
    }


def test_a_pilot_is_measured_on_the_pilot_team_and_a_rollout_on_the_whole_scope(
    month, director, team_a
):
    # given a company-wide project piloted by team A
    project = make_project(actor=director, pilot_team=team_a, rollout=Rollout.PILOT)
    pilot = services.measure_project(project=project, month=MARCH, actor=director)
    pilot_figures = (
        pilot.team,
        pilot.kpis["timeliness"]["pct"],
        pilot.kpis["need_research"]["pct"],
    )
    services.save_review_notes(review=pilot, actor=director, notes="试点第一个月")
    # when it rolls out and March is measured again
    services.update_project(project=project, actor=director, values={"rollout": Rollout.ROLLED_OUT})
    rolled = services.measure_project(project=project, month=MARCH, actor=director)
    # then the same review row now holds the company's figures, its notes kept
    assert pilot_figures == (team_a, 33.3, 33.3)
    assert (rolled.pk, rolled.team, rolled.notes) == (pilot.pk, None, "试点第一个月")
    assert rolled.kpis["timeliness"] == {
        "leads": 4,
        "met": 2,
        "pct": 50.0,
        "target": 90,
        "on_target": False,
    }
    assert rolled.kpis["need_research"]["pct"] == 25.0
    assert ProjectReview.objects.count() == 1


def test_a_month_not_yet_begun_is_refused(month, manager, team_a):
    # given
    project = make_project(actor=manager, team=team_a)
    # when / then
    with pytest.raises(ValidationError) as refused:
        services.measure_project(project=project, month=date(2026, 5, 1), actor=manager)
    assert refused.value.message_dict == {"month": ["不能测量尚未开始的月份。"]}
    assert ProjectReview.objects.count() == 0


def test_a_manager_may_not_make_a_project_of_another_team(month, manager, team_b):
    # when / then
    with pytest.raises(ValidationError) as refused:
        make_project(actor=manager, team=team_b)
    assert refused.value.message_dict == {"team": ["只能选择您管理的团队。"]}
    with pytest.raises(ValidationError) as company:
        make_project(actor=manager)
    assert company.value.message_dict == {"team": ["请选择您管理的团队。"]}


@pytest.mark.parametrize("who", ["rep", "other_manager", "marketing"])
def test_only_a_manager_of_its_teams_or_the_director_measures_a_project(
    request, month, manager, team_a, who
):
    # given
    project = make_project(actor=manager, team=team_a)
    events = Event.objects.count()
    # when / then
    with pytest.raises(PermissionDenied):
        services.measure_project(project=project, month=MARCH, actor=request.getfixturevalue(who))
    with pytest.raises(PermissionDenied):
        services.take_baseline(project=project, actor=request.getfixturevalue(who))
    assert ProjectReview.objects.count() == 0
    assert Event.objects.count() == events
