"""Reminders: each open task end and action item reminds its owner once per due date."""

from datetime import date

import pytest

from loudou.notifications.models import Notification
from loudou.teamwork import services
from loudou.teamwork.models import Task
from loudou.teamwork.services import remind_due_items
from loudou.teamwork.services.reminders import remind_task
from loudou.teamwork.tasks import remind_due_items as periodic_reminders
from loudou.teamwork.tests.factories import add_action, local, make_meeting, make_task

pytestmark = pytest.mark.django_db

DUE = date(2026, 3, 10)


@pytest.fixture
def task(manager, rep):
    return make_task(actor=manager, owner=rep, title="华东区重点客户拜访", planned_end=DUE)


def _sent():
    return list(Notification.objects.order_by("pk").values_list("user__username", "kind", "title"))


def test_a_task_reminds_its_owner_once_on_its_due_day_and_never_again(task):
    # when the hourly scan runs the day before, on the day (twice) and after it
    runs = [
        remind_due_items(local(2026, 3, 9, 23, 30)),
        remind_due_items(local(2026, 3, 10, 0, 30)),
        remind_due_items(local(2026, 3, 10, 1, 30)),
        remind_due_items(local(2026, 3, 11, 9, 0)),
        remind_due_items(local(2026, 3, 20, 9, 0)),
    ]
    # then one notification, on the due day
    assert runs == [0, 1, 0, 0, 0]
    assert _sent() == [("rep", "teamwork_task_due", "今天到期：华东区重点客户拜访")]
    note = Notification.objects.get()
    assert (note.url, note.dedupe_key) == (
        f"/teamwork/tasks/{task.pk}/",
        f"teamwork:task:{task.pk}:2026-03-10",
    )


def test_a_task_first_seen_after_its_due_day_reminds_as_overdue_once(task):
    # when the first scan after the due date runs two days late, twice
    runs = [remind_due_items(local(2026, 3, 12, 9, 0)) for _ in range(2)]
    # then
    assert runs == [1, 0]
    assert _sent() == [
        ("rep", "teamwork_task_overdue", "已逾期：华东区重点客户拜访（应于 2026-03-10 完成）")
    ]


def test_a_new_due_date_reminds_again(task, manager):
    # given the due day reminded
    remind_due_items(local(2026, 3, 10, 9, 0))
    # when the end moves to 03-13 and the scans run on
    services.update_task(task=task, actor=manager, values={"planned_end": date(2026, 3, 13)})
    runs = [remind_due_items(local(2026, 3, d, 9, 0)) for d in (11, 13, 13, 14)]
    # then
    assert runs == [0, 1, 0, 0]
    assert Notification.objects.count() == 2


def test_a_done_task_never_reminds(task, rep):
    # given
    services.complete_task(task=task, actor=rep, now=local(2026, 3, 9, 18, 0))
    # when
    created = remind_due_items(local(2026, 3, 10, 9, 0)) + remind_due_items(local(2026, 3, 11))
    # then only the verifier's "to verify" notice exists
    assert created == 0
    assert [kind for _user, kind, _title in _sent()] == ["teamwork_task_done"]


def test_work_handed_to_a_department_reminds_whoever_assigned_it(manager):
    # given
    make_task(actor=manager, title="样品生产排期", department="生产部", planned_end=DUE)
    # when
    created = remind_due_items(local(2026, 3, 10, 9, 0))
    # then
    assert created == 1
    assert _sent() == [("manager", "teamwork_task_due", "今天到期：样品生产排期")]


def test_an_action_item_reminds_its_owner_once_and_not_when_done(manager, rep, teammate):
    # given two actions due 03-10, one of them done
    meeting = make_meeting(actor=manager, topic="月度复盘会", attendees=[rep, teammate])
    add_action(meeting=meeting, actor=manager, owner=rep, what="整理话术模板", due_on=DUE)
    done = add_action(meeting=meeting, actor=manager, owner=teammate, due_on=DUE)
    services.complete_action_item(item=done, actor=teammate)
    # when
    runs = [remind_due_items(local(2026, 3, 10, h, 0)) for h in (8, 9)]
    # then
    assert runs == [1, 0]
    assert _sent() == [("rep", "teamwork_action_due", "今天到期：整理话术模板")]
    assert Notification.objects.get().body == "复盘会议：月度复盘会"


def test_of_two_scans_that_read_the_same_task_only_one_reminds(task):
    # given two scans that both listed the task before either claimed it
    stale = [Task.objects.get(pk=task.pk) for _ in range(2)]
    # when both try it
    results = [remind_task(copy, DUE) for copy in stale]
    # then
    assert results == [True, False]
    assert Notification.objects.count() == 1


def test_the_periodic_task_scans_at_the_current_time(task, time_machine):
    # when
    time_machine.move_to(local(2026, 3, 10, 9, 0), tick=False)
    created = periodic_reminders.call()
    # then
    assert created == 1


def test_the_worker_runs_the_reminders_hourly(settings):
    assert dict(settings.LOUDOU_PERIODIC_TASKS)["loudou.teamwork.tasks.remind_due_items"] == 3600
