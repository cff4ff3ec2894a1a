"""Reminders of due and overdue task ends and action items, through the outbox.

Each item reminds its responsible person (the owner; for work handed to a department
outside the system, who assigned it or organised the meeting) once per due date: on the
due day ("due today"), or, when no scan ran that day, on the first scan after it
("overdue"). A new due date reminds again; a done item never does.

Exactly once rests on two guards: the item's `reminded_for` is claimed by a conditional
UPDATE (only one scan, of several running at once, wins the date), and `notify`'s dedupe
key (`teamwork:task:<id>:<due date>`) makes the notification itself unique. The claim and
the notification commit together, item by item.
"""

from datetime import date, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.notifications.services import notify
from loudou.teamwork.choices import ActionStatus, TaskStatus
from loudou.teamwork.models import ActionItem, Task


def _claim(model, pk: int, due: date, **open_state) -> bool:
    won = (
        model.objects.filter(pk=pk, **open_state).exclude(reminded_for=due).update(reminded_for=due)
    )
    return won == 1


def _title(what: str, due: date, today: date) -> str:
    if due == today:
        return _("今天到期：{what}").format(what=what)
    return _("已逾期：{what}（应于 {due} 完成）").format(what=what, due=due.isoformat())


@transaction.atomic
def remind_task(task: Task, today: date) -> bool:
    """Claim the task's due date and notify (`claim_one`): False when another scan, even
    one that read the task before this one's claim, already has it."""
    if not _claim(
        Task, task.pk, task.planned_end, status=TaskStatus.OPEN, planned_end=task.planned_end
    ):
        return False
    sent = notify(
        user=task.responsible,
        kind="teamwork_task_due" if task.planned_end == today else "teamwork_task_overdue",
        title=_title(task.title, task.planned_end, today),
        body=task.goal[:500],
        url=task.get_absolute_url(),
        dedupe_key=f"teamwork:task:{task.pk}:{task.planned_end.isoformat()}",
    )
    return sent is not None


@transaction.atomic
def remind_action(item: ActionItem, today: date) -> bool:
    if not _claim(ActionItem, item.pk, item.due_on, status=ActionStatus.OPEN, due_on=item.due_on):
        return False
    sent = notify(
        user=item.responsible,
        kind="teamwork_action_due" if item.due_on == today else "teamwork_action_overdue",
        title=_title(item.what, item.due_on, today),
        body=_("复盘会议：{topic}").format(topic=item.meeting.topic),
        url=item.meeting.get_absolute_url(),
        dedupe_key=f"teamwork:action:{item.pk}:{item.due_on.isoformat()}",
    )
    return sent is not None


def due_tasks(today: date):
    """Open tasks due today or earlier whose due date has not been reminded yet."""
    return (
        Task.objects.filter(status=TaskStatus.OPEN, planned_end__lte=today)
        .exclude(reminded_for=F("planned_end"))
        .select_related("owner", "created_by")
        .order_by("planned_end", "pk")
    )


def due_actions(today: date):
    return (
        ActionItem.objects.filter(status=ActionStatus.OPEN, due_on__lte=today)
        .exclude(reminded_for=F("due_on"))
        .select_related("owner", "meeting", "meeting__organiser")
        .order_by("due_on", "pk")
    )


def remind_due_items(now: datetime) -> int:
    """Remind every due or overdue open task and action item once per due date; returns
    the notifications this run created (a repeat returns 0)."""
    today = timezone.localdate(now)
    created = sum(remind_task(task, today) for task in due_tasks(today))
    created += sum(remind_action(item, today) for item in due_actions(today))
    return created
