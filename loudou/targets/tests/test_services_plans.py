"""Strategy plans: milestones tracked to done, and their reminders (exactly once per due
date) through the notifications outbox."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from loudou.core.models import Event
from loudou.notifications.models import Delivery, Notification
from loudou.targets.choices import MilestoneStatus
from loudou.targets.models import Milestone
from loudou.targets.services import (
    complete_milestone,
    remind_due_milestones,
    reopen_milestone,
    update_milestone,
)
from loudou.targets.services.reminders import claim_one, due_milestones
from loudou.targets.tasks import remind_milestones
from loudou.targets.tests.factories import make_milestone, make_plan

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def plan(manager, team_a):
    return make_plan(actor=manager, team=team_a)


def test_a_milestone_owner_marks_it_done_once(plan, manager, rep):
    # given
    milestone = make_milestone(plan=plan, actor=manager, owner=rep, due_date=date(2026, 3, 1))
    # when
    complete_milestone(milestone=milestone, actor=rep, now=NOW)
    complete_milestone(milestone=milestone, actor=rep, now=datetime(2026, 3, 11, tzinfo=SHANGHAI))
    # then
    milestone.refresh_from_db()
    assert (milestone.status, milestone.done_at) == (MilestoneStatus.DONE, NOW)
    assert Event.objects.filter(verb="milestone.done", object_id=milestone.pk).count() == 1


def test_reopening_clears_the_done_time(plan, manager, rep):
    # given
    milestone = make_milestone(plan=plan, actor=manager, owner=rep, due_date=date(2026, 3, 1))
    complete_milestone(milestone=milestone, actor=rep, now=NOW)
    # when
    reopen_milestone(milestone=milestone, actor=manager)
    # then
    milestone.refresh_from_db()
    assert (milestone.status, milestone.done_at) == (MilestoneStatus.OPEN, None)


def test_someone_else_on_the_team_may_not_mark_it_done(plan, manager, rep, teammate):
    # given  teammate sees the team's plan but owns no milestone of it
    milestone = make_milestone(plan=plan, actor=manager, owner=rep, due_date=date(2026, 3, 1))
    # when
    with pytest.raises(PermissionDenied):
        complete_milestone(milestone=milestone, actor=teammate, now=NOW)
    # then
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.OPEN
    assert not Event.objects.filter(verb="milestone.done").exists()


def test_due_open_milestones_remind_their_owner_once(plan, manager, rep, teammate):
    # given  overdue, due today, due tomorrow, and overdue but done
    overdue = make_milestone(plan=plan, actor=manager, owner=rep, due_date=date(2026, 3, 1))
    today = make_milestone(plan=plan, actor=manager, owner=teammate, due_date=date(2026, 3, 10))
    make_milestone(plan=plan, actor=manager, owner=rep, due_date=date(2026, 3, 11))
    done = make_milestone(plan=plan, actor=manager, owner=rep, due_date=date(2026, 3, 2))
    complete_milestone(milestone=done, actor=rep, now=NOW)
    # when
    first = remind_due_milestones(NOW)
    second = remind_due_milestones(NOW)
    # then
    assert (first, second) == (2, 0)
    sent = Notification.objects.order_by("user__username")
    assert [(n.user, n.kind, n.title, n.dedupe_key) for n in sent] == [
        (
            rep,
            "milestone_due",
            "策略里程碑已逾期：签约经销商（2026-03-01）",
            f"milestone:{overdue.pk}:2026-03-01",
        ),
        (
            teammate,
            "milestone_due",
            "策略里程碑今天到期：签约经销商",
            f"milestone:{today.pk}:2026-03-10",
        ),
    ]
    assert sent[0].url == f"/targets/plans/{plan.pk}/#milestone-{overdue.pk}"
    assert sent[0].body == "所属策略：华东区企业版上市策略"


def test_a_new_due_date_is_reminded_of_again(plan, manager, rep):
    # given  reminded of 1 March, then moved to 5 March
    milestone = make_milestone(plan=plan, actor=manager, owner=rep, due_date=date(2026, 3, 1))
    remind_due_milestones(NOW)
    update_milestone(milestone=milestone, actor=manager, values={"due_date": date(2026, 3, 5)})
    # when
    count = remind_due_milestones(NOW)
    # then
    assert count == 1
    assert Notification.objects.filter(user=rep).count() == 2
    assert Milestone.objects.get(pk=milestone.pk).reminded_for == date(2026, 3, 5)


def test_of_two_scans_claiming_one_milestone_only_one_wins(plan, manager, rep):
    # given  both scans read the milestone before either claimed it
    make_milestone(plan=plan, actor=manager, owner=rep, due_date=date(2026, 3, 1))
    seen_by_first, seen_by_second = list(due_milestones(NOW)), list(due_milestones(NOW))
    # when
    first = claim_one(seen_by_first[0])
    second = claim_one(seen_by_second[0])
    # then
    assert (first, second) == (True, False)


def test_a_reminder_goes_out_by_email_through_the_outbox(plan, manager, rep):
    # given
    rep.email = "rep@example.com"
    rep.save()
    make_milestone(plan=plan, actor=manager, owner=rep, due_date=date(2026, 3, 1))
    # when
    remind_due_milestones(NOW)
    # then
    assert list(Delivery.objects.values_list("channel", "target")) == [("email", "rep@example.com")]


def test_the_periodic_task_runs_the_scan(plan, manager, rep, time_machine):
    # given
    time_machine.move_to(NOW, tick=False)
    make_milestone(plan=plan, actor=manager, owner=rep, due_date=date(2026, 3, 1))
    # when
    result = remind_milestones.call()
    # then
    assert result == 1
    assert Notification.objects.filter(user=rep, kind="milestone_due").count() == 1
