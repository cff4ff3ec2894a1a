"""Improvement actions (差异原因与改进措施): who may write them, their period, done and
reopened once, and the overdue reminder (exactly once per deadline) through the outbox."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from loudou.core.models import Event
from loudou.notifications.models import Notification
from loudou.targets.choices import ActionStatus
from loudou.targets.models import ImprovementAction
from loudou.targets.selectors import actions_for, visible_actions
from loudou.targets.services import (
    complete_action,
    create_action,
    delete_action,
    remind_overdue_actions,
    reopen_action,
    update_action,
)
from loudou.targets.services.reminders import claim_action, overdue_actions
from loudou.targets.tasks import remind_actions
from loudou.targets.tests.factories import make_action, make_target

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 4, 10, 9, 0, tzinfo=SHANGHAI)


def test_a_manager_writes_an_action_for_their_team(manager, team_a, rep):
    # when
    action = make_action(actor=manager, owner=rep, team=team_a, deadline=date(2026, 4, 30))
    # then
    action.refresh_from_db()
    assert (action.team, action.owner, action.status, action.created_by) == (
        team_a,
        rep,
        ActionStatus.OPEN,
        manager,
    )
    assert action.period_label == "2026年3月"
    assert Event.objects.filter(verb="action.created", object_id=action.pk).count() == 1


@pytest.mark.parametrize("who", ["rep", "other_manager"])
def test_others_may_not_write_an_action_for_the_team(request, who, team_a, rep):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        make_action(actor=actor, owner=rep, team=team_a, deadline=date(2026, 4, 30))
    assert not ImprovementAction.objects.exists()


def test_only_director_or_admin_write_the_companys_actions(manager, director, rep):
    with pytest.raises(PermissionDenied):
        make_action(actor=manager, owner=rep, team=None, deadline=date(2026, 4, 30))
    action = make_action(actor=director, owner=rep, team=None, deadline=date(2026, 4, 30))
    assert action.team is None


def test_a_manager_may_not_give_an_action_to_another_teams_rep(manager, team_a, other_team_rep):
    with pytest.raises(ValidationError) as raised:
        make_action(actor=manager, owner=other_team_rep, team=team_a, deadline=date(2026, 4, 30))
    assert "owner" in raised.value.message_dict
    assert not ImprovementAction.objects.exists()


def test_a_target_gives_the_action_its_period(director, rep):
    # given  the company's revenue target of Q2 2026
    target = make_target(actor=director, period="quarterly", start=date(2026, 4, 1))
    values = {
        "variance_reason": "渠道商回款慢",
        "action": "每周跟进回款",
        "owner": rep,
        "deadline": date(2026, 6, 30),
        "target": target,
    }
    # when  no period is given
    action = create_action(actor=director, values=values)
    # then
    action.refresh_from_db()
    assert (action.period, action.period_start, action.target) == (
        "quarterly",
        date(2026, 4, 1),
        target,
    )
    # and another period than the target's is refused
    with pytest.raises(ValidationError) as raised:
        create_action(actor=director, values={**values, "period": "monthly"})
    assert "target" in raised.value.message_dict


def test_a_period_start_that_does_not_begin_its_period_is_refused(director, rep):
    with pytest.raises(ValidationError) as raised:
        make_action(
            actor=director, owner=rep, deadline=date(2026, 4, 30), period_start=date(2026, 3, 5)
        )
    assert "period_start" in raised.value.message_dict


def test_the_status_is_not_written_through_an_update(manager, team_a, rep):
    action = make_action(actor=manager, owner=rep, team=team_a, deadline=date(2026, 4, 30))
    with pytest.raises(ValidationError) as raised:
        update_action(action=action, actor=manager, values={"status": ActionStatus.DONE})
    assert "status" in raised.value.message_dict
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_the_owner_marks_it_done_once_and_only_a_manager_reopens(manager, team_a, rep):
    # given
    action = make_action(actor=manager, owner=rep, team=team_a, deadline=date(2026, 4, 30))
    # when  done twice by its owner
    complete_action(action=action, actor=rep, now=NOW)
    complete_action(action=action, actor=rep, now=datetime(2026, 4, 11, tzinfo=SHANGHAI))
    # then
    action.refresh_from_db()
    assert (action.status, action.done_at) == (ActionStatus.DONE, NOW)
    assert Event.objects.filter(verb="action.done", object_id=action.pk).count() == 1
    with pytest.raises(PermissionDenied):
        reopen_action(action=action, actor=rep)
    reopen_action(action=action, actor=manager)
    action.refresh_from_db()
    assert (action.status, action.done_at) == (ActionStatus.OPEN, None)


def test_a_teammate_who_does_not_own_it_may_not_mark_it_done(manager, team_a, rep, teammate):
    action = make_action(actor=manager, owner=rep, team=team_a, deadline=date(2026, 4, 30))
    with pytest.raises(PermissionDenied):
        complete_action(action=action, actor=teammate, now=NOW)
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_the_owner_may_not_delete_it_but_the_manager_may(manager, team_a, rep):
    action = make_action(actor=manager, owner=rep, team=team_a, deadline=date(2026, 4, 30))
    with pytest.raises(PermissionDenied):
        delete_action(action=action, actor=rep)
    delete_action(action=action, actor=manager)
    assert not ImprovementAction.objects.exists()
    assert Event.objects.filter(verb="action.deleted").count() == 1


def test_who_sees_which_action(cast, manager, team_a, team_b, other_manager, rep, teammate):
    # given  one action of each team
    mine = make_action(actor=manager, owner=rep, team=team_a, deadline=date(2026, 4, 30))
    theirs = make_action(
        actor=other_manager, owner=cast["other_team_rep"], team=team_b, deadline=date(2026, 4, 30)
    )
    # then
    assert set(visible_actions(cast["director"])) == {mine, theirs}
    assert set(visible_actions(manager)) == {mine}
    assert set(visible_actions(rep)) == {mine}
    assert set(visible_actions(teammate)) == set()
    assert set(visible_actions(cast["marketing"])) == set()


def test_a_performance_analysis_lists_open_actions_and_those_of_its_periods(
    director, manager, team_a, rep
):
    # given  open from January, done in March, done in January
    january = make_action(
        actor=manager,
        owner=rep,
        team=team_a,
        deadline=date(2026, 2, 10),
        period_start=date(2026, 1, 1),
    )
    march = make_action(actor=manager, owner=rep, team=team_a, deadline=date(2026, 4, 5))
    old = make_action(
        actor=manager,
        owner=rep,
        team=team_a,
        deadline=date(2026, 2, 1),
        period_start=date(2026, 1, 1),
    )
    complete_action(action=march, actor=rep, now=NOW)
    complete_action(action=old, actor=rep, now=NOW)
    # when  the analysis covers March to April
    found = actions_for(
        director, team=team_a, owner=None, start=date(2026, 3, 1), end=date(2026, 4, 30)
    )
    # then  open first
    assert list(found) == [january, march]


def test_overdue_open_actions_remind_their_owner_once_per_deadline(manager, team_a, rep, teammate):
    # given  overdue, due today (not overdue yet), overdue but done
    late = make_action(actor=manager, owner=rep, team=team_a, deadline=date(2026, 4, 9))
    make_action(actor=manager, owner=teammate, team=team_a, deadline=date(2026, 4, 10))
    done = make_action(actor=manager, owner=teammate, team=team_a, deadline=date(2026, 4, 1))
    complete_action(action=done, actor=teammate, now=NOW)
    # when
    first, second = remind_overdue_actions(NOW), remind_overdue_actions(NOW)
    # then
    assert (first, second) == (1, 0)
    sent = Notification.objects.get()
    assert (sent.user, sent.kind, sent.dedupe_key) == (
        rep,
        "action_overdue",
        f"action:{late.pk}:2026-04-09",
    )
    assert sent.title == "改进措施已逾期：推出企业版限时折扣并加强老客户拜访（期限 2026-04-09）"
    assert sent.url == f"/targets/actions/{late.pk}/"
    # and a new deadline, once passed, is reminded of again
    update_action(action=late, actor=manager, values={"deadline": date(2026, 4, 8)})
    assert remind_overdue_actions(NOW) == 1
    assert Notification.objects.filter(user=rep).count() == 2


def test_of_two_scans_claiming_one_action_only_one_wins(manager, team_a, rep):
    make_action(actor=manager, owner=rep, team=team_a, deadline=date(2026, 4, 1))
    seen_by_first, seen_by_second = list(overdue_actions(NOW)), list(overdue_actions(NOW))
    assert (claim_action(seen_by_first[0]), claim_action(seen_by_second[0])) == (True, False)


def test_the_periodic_task_runs_the_action_scan(manager, team_a, rep, time_machine):
    time_machine.move_to(NOW, tick=False)
    make_action(actor=manager, owner=rep, team=team_a, deadline=date(2026, 4, 1))
    assert remind_actions.call() == 1
    assert Notification.objects.filter(user=rep, kind="action_overdue").count() == 1
