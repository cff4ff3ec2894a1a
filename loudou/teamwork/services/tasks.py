"""Sales tasks (销售任务分配与跟踪): assign, track sub-items and progress, done → verified.

Who may do what (the predicates below; the views and the API call the same services):
- create: any active user but marketing; the owner may be any active user (support and
  other departments' people included), or nobody with a department named instead;
- change the plan (title, goal, owner, verifier, dates, target): the assigner, a manager
  of the assigner's or the owner's team, director/admin;
- report progress (sub-items, achieved value, notes) and mark done: the owner, and those
  who may change the plan;
- verify or send back: the verifier only.
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.core.audit import record, save_with_audit
from loudou.core.text import refuse_control_characters
from loudou.notifications.services import notify
from loudou.org.choices import Role
from loudou.org.models import User
from loudou.teamwork.choices import TaskStatus
from loudou.teamwork.models import GradeBands, Task, TaskItem

PLAN_FIELDS = frozenset(
    {"title", "goal", "owner", "department", "verifier", "planned_start", "planned_end"}
    | {"target_value", "unit"}
)
PROGRESS_FIELDS = frozenset({"achieved_value", "notes"})
MAX_ITEMS = 50


def may_create_tasks(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role != Role.MARKETING


def _manages(user: User, person: User | None) -> bool:
    return (
        person is not None
        and user.role == Role.MANAGER
        and person.team_id is not None
        and person.team.manager_id == user.pk
    )


def may_edit_task(user: User, task: Task) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.sees_all or task.created_by_id == user.pk:
        return True
    return _manages(user, task.created_by) or _manages(user, task.owner)


def may_work_task(user: User, task: Task) -> bool:
    return (user.is_active and task.owner_id == user.pk) or may_edit_task(user, task)


def may_verify_task(user: User, task: Task) -> bool:
    return user.is_authenticated and user.is_active and task.verifier_id == user.pk


def _check_people(values: dict[str, Any]) -> None:
    for name in ("owner", "verifier"):
        person = values.get(name)
        if person is not None and not person.is_active:
            raise ValidationError({name: _("该用户已停用。")})


def _refuse_unknown(values: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValidationError({name: [_("不能修改该字段。")] for name in unknown})


@transaction.atomic
def create_task(*, actor: User, values: dict[str, Any], items: list[str] | None = None) -> Task:
    """Assign a task (event `teamwork.task_created`) with its sub-items."""
    if not may_create_tasks(actor):
        raise PermissionDenied(_("您不能分配任务。"))
    _refuse_unknown(values, PLAN_FIELDS | PROGRESS_FIELDS)
    _check_people(values)
    task = Task(created_by=actor)
    save_with_audit(obj=task, actor=actor, verb="teamwork.task_created", values=values)
    for text in items or []:
        _add_item(task, text)
    return task


@transaction.atomic
def update_task(*, task: Task, actor: User, values: dict[str, Any]) -> Task:
    """Change the plan or report progress (event `teamwork.task_changed`). A verified task
    is closed."""
    _refuse_unknown(values, PLAN_FIELDS | PROGRESS_FIELDS)
    if set(values) & PLAN_FIELDS and not may_edit_task(actor, task):
        raise PermissionDenied(_("您不能修改该任务的计划。"))
    if not may_work_task(actor, task):
        raise PermissionDenied(_("您不能更新该任务。"))
    if task.status == TaskStatus.VERIFIED:
        raise ValidationError({"status": _("已验收的任务不能再修改。")})
    _check_people(values)
    save_with_audit(obj=task, actor=actor, verb="teamwork.task_changed", values=values)
    return task


def _add_item(task: Task, text: str) -> TaskItem:
    text = (text or "").strip()
    refuse_control_characters({"title": text}, {"title": _("子项描述")})
    if not text or len(text) > 200:
        raise ValidationError({"text": _("子项描述须为 1 到 200 个字。")})
    if task.items.count() >= MAX_ITEMS:
        raise ValidationError({"text": _("一个任务最多 {n} 个子项。").format(n=MAX_ITEMS)})
    order = (task.items.aggregate(last=Max("order"))["last"] or 0) + 1
    return TaskItem.objects.create(task=task, text=text, order=order)


@transaction.atomic
def add_task_item(*, task: Task, actor: User, text: str) -> TaskItem:
    """Add a sub-item (event `teamwork.task_item_added`)."""
    if not may_work_task(actor, task):
        raise PermissionDenied(_("您不能更新该任务。"))
    if task.status == TaskStatus.VERIFIED:
        raise ValidationError({"status": _("已验收的任务不能再修改。")})
    item = _add_item(task, text)
    record(
        obj=task,
        actor=actor,
        verb="teamwork.task_item_added",
        changes=[{"field": "items", "before": None, "after": item.text}],
    )
    return item


@transaction.atomic
def set_task_item(*, item: TaskItem, actor: User, done: bool, now: datetime | None = None):
    """Tick (or untick) a sub-item; a repeat changes nothing and records nothing."""
    task = item.task
    if not may_work_task(actor, task):
        raise PermissionDenied(_("您不能更新该任务。"))
    if task.status == TaskStatus.VERIFIED:
        raise ValidationError({"status": _("已验收的任务不能再修改。")})
    now = now or timezone.now()
    changed = TaskItem.objects.filter(pk=item.pk, done=not done).update(
        done=done, done_at=now if done else None
    )
    item.refresh_from_db()
    if changed:
        record(
            obj=task,
            actor=actor,
            verb="teamwork.task_item_done" if done else "teamwork.task_item_undone",
            changes=[{"field": "items", "before": None, "after": item.text}],
        )
    return item


def _move(task: Task, *, source: str, **values) -> None:
    """Conditional UPDATE from `source`: of two concurrent moves exactly one wins."""
    won = Task.objects.filter(pk=task.pk, status=source).update(**values)
    if won != 1:
        raise ValidationError({"status": _("任务状态已变化，请刷新后重试。")})
    task.refresh_from_db()


@transaction.atomic
def complete_task(
    *, task: Task, actor: User, actual_end: date | None = None, now: datetime | None = None
) -> Task:
    """open → done (event `teamwork.task_done`); the verifier is notified."""
    if not may_work_task(actor, task):
        raise PermissionDenied(_("您不能更新该任务。"))
    now = now or timezone.now()
    actual_end = actual_end or timezone.localdate(now)
    _move(task, source=TaskStatus.OPEN, status=TaskStatus.DONE, done_at=now, actual_end=actual_end)
    record(
        obj=task,
        actor=actor,
        verb="teamwork.task_done",
        changes=[
            {"field": "status", "before": TaskStatus.OPEN, "after": TaskStatus.DONE},
            {"field": "actual_end", "before": None, "after": actual_end.isoformat()},
        ],
    )
    notify(
        user=task.verifier,
        kind="teamwork_task_done",
        title=_("任务待验收：{title}").format(title=task.title),
        url=task.get_absolute_url(),
        dedupe_key=f"teamwork:task:{task.pk}:done:{now.isoformat()}",
    )
    return task


@transaction.atomic
def verify_task(*, task: Task, actor: User, note: str = "", now: datetime | None = None) -> Task:
    """done → verified by the verifier (event `teamwork.task_verified`): the quality grade
    of the completion is fixed with the organisation's bands of the day."""
    if not may_verify_task(actor, task):
        raise PermissionDenied(_("只有验收人可以验收该任务。"))
    refuse_control_characters({"note": note}, {"note": _("说明")})
    grade = GradeBands.current().grade(task.completion) or ""
    now = now or timezone.now()
    _move(task, source=TaskStatus.DONE, status=TaskStatus.VERIFIED, verified_at=now, grade=grade)
    record(
        obj=task,
        actor=actor,
        verb="teamwork.task_verified",
        changes=[
            {"field": "status", "before": TaskStatus.DONE, "after": TaskStatus.VERIFIED},
            {"field": "grade", "before": "", "after": grade},
        ],
        reason=note,
    )
    return task


@transaction.atomic
def reopen_task(*, task: Task, actor: User, note: str = "", now: datetime | None = None) -> Task:
    """done → open, sent back by the verifier (event `teamwork.task_reopened`); the owner
    is notified."""
    if not may_verify_task(actor, task):
        raise PermissionDenied(_("只有验收人可以退回该任务。"))
    refuse_control_characters({"note": note}, {"note": _("说明")})
    now = now or timezone.now()
    _move(task, source=TaskStatus.DONE, status=TaskStatus.OPEN, done_at=None, actual_end=None)
    record(
        obj=task,
        actor=actor,
        verb="teamwork.task_reopened",
        changes=[{"field": "status", "before": TaskStatus.DONE, "after": TaskStatus.OPEN}],
        reason=note,
    )
    notify(
        user=task.responsible,
        kind="teamwork_task_reopened",
        title=_("任务被退回：{title}").format(title=task.title),
        body=note,
        url=task.get_absolute_url(),
        dedupe_key=f"teamwork:task:{task.pk}:reopened:{now.isoformat()}",
    )
    return task
