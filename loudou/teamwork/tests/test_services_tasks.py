"""Tasks: assignment, sub-items, completion and quality grade, open → done → verified."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from loudou.core.models import Event
from loudou.notifications.models import Notification
from loudou.org.choices import Role
from loudou.org.tests.factories import UserFactory
from loudou.teamwork import services
from loudou.teamwork.choices import QualityGrade, TaskStatus
from loudou.teamwork.models import GradeBands, Task
from loudou.teamwork.tests.factories import local, make_task

pytestmark = pytest.mark.django_db

NOON = local(2026, 3, 28, 12, 0)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOON, tick=False)
    return time_machine


@pytest.fixture
def support(db):
    return UserFactory(username="support", role=Role.SUPPORT)


def _task(manager, rep, **values):
    values.setdefault("target_value", Decimal(20))
    return make_task(actor=manager, owner=rep, items=["抖音广告投放", "官网落地页优化"], **values)


@pytest.mark.parametrize(
    ("achieved", "completion", "grade"),
    [
        ("25", Decimal("125.0"), QualityGrade.EXCELLENT),
        ("24.02", Decimal("120.1"), QualityGrade.EXCELLENT),
        ("24", Decimal("120.0"), QualityGrade.GOOD),
        ("20", Decimal("100.0"), QualityGrade.GOOD),
        ("19.99", Decimal("100.0"), QualityGrade.GOOD),  # 99.95 rounds to 100.0
        ("19.98", Decimal("99.9"), QualityGrade.PASS),
        ("16", Decimal("80.0"), QualityGrade.PASS),
        ("15.9", Decimal("79.5"), QualityGrade.FAIL),
        ("0", Decimal("0.0"), QualityGrade.FAIL),
    ],
)
def test_completion_and_grade_follow_the_default_bands(manager, rep, achieved, completion, grade):
    # given a target of 20
    task = _task(manager, rep, achieved_value=Decimal(achieved))
    # when / then
    assert task.completion == completion
    assert GradeBands.current().grade(task.completion) == grade


def test_a_task_without_a_target_has_no_completion_nor_grade(manager, rep):
    task = make_task(actor=manager, owner=rep, achieved_value=Decimal(3))
    assert (task.completion, GradeBands.current().grade(task.completion)) == (None, None)


def test_assigning_records_the_task_its_items_and_an_event(manager, rep):
    # when
    task = _task(manager, rep, goal="开发 20 家新客户", planned_start=date(2026, 3, 1))
    # then
    task.refresh_from_db()
    assert (task.owner, task.verifier, task.created_by, task.status) == (
        rep,
        manager,
        manager,
        TaskStatus.OPEN,
    )
    assert [(i.text, i.done, i.order) for i in task.items.all()] == [
        ("抖音广告投放", False, 1),
        ("官网落地页优化", False, 2),
    ]
    event = Event.objects.for_object(task).get()
    assert (event.verb, event.actor) == ("teamwork.task_created", manager)
    assert {"field": "owner", "before": None, "after": str(rep)} in event.changes


def test_support_staff_and_other_departments_may_own_a_task(rep, support):
    # when a rep hands the sample preparation to support, and production to a department
    samples = make_task(actor=rep, owner=support, verifier=rep, title="准备样品")
    production = make_task(actor=rep, verifier=rep, title="样品生产排期", department="生产部")
    # then
    assert (samples.owner, samples.responsible) == (support, support)
    assert (production.owner, production.department, production.responsible) == (
        None,
        "生产部",
        rep,
    )


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"owner": None, "department": ""}, {"owner": ["请选择负责人，或填写负责部门。"]}),
        ({"verifier": "owner"}, {"verifier": ["验收人不能是负责人本人。"]}),
        (
            {"planned_start": date(2026, 4, 2), "planned_end": date(2026, 4, 1)},
            {"planned_end": ["计划完成日期不能早于计划开始日期。"]},
        ),
        (
            {"planned_end": date(1999, 12, 31)},
            {"planned_end": ["日期须在 2000-01-01 至 2099-12-31 之间。"]},
        ),
    ],
)
def test_invalid_tasks_are_refused_and_nothing_is_written(manager, rep, values, errors):
    # given
    base = {"title": "客户拜访", "owner": rep, "verifier": manager, "planned_end": date(2026, 4, 1)}
    base.update(values)
    if base["verifier"] == "owner":
        base["verifier"] = rep
    # when / then
    with pytest.raises(ValidationError) as refused:
        services.create_task(actor=manager, values=base)
    assert refused.value.message_dict == errors
    assert (Task.objects.count(), Event.objects.count()) == (0, 0)


def test_marketing_may_not_assign_tasks(marketing, rep):
    with pytest.raises(PermissionDenied):
        make_task(actor=marketing, owner=rep)
    assert Task.objects.count() == 0


def test_done_then_verified_freezes_the_grade_and_notifies_the_verifier(
    clock, manager, rep, director
):
    # given a task done at 125 %
    task = _task(manager, rep, achieved_value=Decimal(25))
    # when the owner marks it done and the verifier verifies
    services.complete_task(task=task, actor=rep, actual_end=date(2026, 3, 27))
    services.verify_task(task=task, actor=manager, note="按验收标准核验")
    # then
    task.refresh_from_db()
    assert (task.status, task.grade, task.actual_end) == (
        TaskStatus.VERIFIED,
        QualityGrade.EXCELLENT,
        date(2026, 3, 27),
    )
    assert (task.done_at, task.verified_at) == (NOON, NOON)
    verbs = list(Event.objects.for_object(task).order_by("pk").values_list("verb", "actor"))
    assert verbs == [
        ("teamwork.task_created", manager.pk),
        ("teamwork.task_done", rep.pk),
        ("teamwork.task_verified", manager.pk),
    ]
    assert Event.objects.get(verb="teamwork.task_verified").reason == "按验收标准核验"
    note = Notification.objects.get()
    assert (note.user, note.kind, note.title) == (
        manager,
        "teamwork_task_done",
        "任务待验收：线上推广获取线索",
    )
    # and later changes to the bands do not change a verified grade
    services.update_grade_bands(actor=director, values={"excellent_above": 130})
    task.refresh_from_db()
    assert task.grade == QualityGrade.EXCELLENT
    assert GradeBands.current().grade(task.completion) == QualityGrade.GOOD


def test_only_the_verifier_verifies(clock, manager, rep, director):
    # given
    task = _task(manager, rep, achieved_value=Decimal(20))
    services.complete_task(task=task, actor=rep)
    # when / then even the owner and the director are refused
    for someone in (rep, director):
        with pytest.raises(PermissionDenied):
            services.verify_task(task=task, actor=someone)
    task.refresh_from_db()
    assert (task.status, task.grade) == (TaskStatus.DONE, "")


def test_the_verifier_sends_a_task_back_to_its_owner(clock, manager, rep):
    # given
    task = _task(manager, rep)
    services.complete_task(task=task, actor=rep)
    # when
    services.reopen_task(task=task, actor=manager, note="缺少线索核验记录")
    # then
    task.refresh_from_db()
    assert (task.status, task.done_at, task.actual_end) == (TaskStatus.OPEN, None, None)
    note = Notification.objects.get(kind="teamwork_task_reopened")
    assert (note.user, note.body) == (rep, "缺少线索核验记录")


def test_of_two_done_clicks_one_wins(clock, manager, rep):
    # given a task marked done
    task = _task(manager, rep)
    stale = Task.objects.get(pk=task.pk)
    services.complete_task(task=task, actor=rep)
    # when a second request, read before the first, marks it done too
    with pytest.raises(ValidationError) as refused:
        services.complete_task(task=stale, actor=rep)
    # then one done event, one notification
    assert refused.value.message_dict == {"status": ["任务状态已变化，请刷新后重试。"]}
    assert Event.objects.filter(verb="teamwork.task_done").count() == 1
    assert Notification.objects.count() == 1


def test_ticking_a_sub_item_twice_records_it_once(clock, manager, rep):
    # given
    task = _task(manager, rep)
    item = task.items.first()
    # when
    services.set_task_item(item=item, actor=rep, done=True)
    services.set_task_item(item=item, actor=rep, done=True)
    # then
    item.refresh_from_db()
    assert (item.done, item.done_at) == (True, NOON)
    assert Event.objects.filter(verb="teamwork.task_item_done").count() == 1


def test_a_verified_task_is_closed(clock, manager, rep):
    # given
    task = _task(manager, rep, achieved_value=Decimal(20))
    services.complete_task(task=task, actor=rep)
    services.verify_task(task=task, actor=manager)
    # when / then
    with pytest.raises(ValidationError):
        services.update_task(task=task, actor=rep, values={"notes": "补充"})
    with pytest.raises(ValidationError):
        services.set_task_item(item=task.items.first(), actor=rep, done=True)


def test_the_owner_reports_progress_but_may_not_change_the_plan(manager, rep):
    # given
    task = _task(manager, rep)
    # when
    services.update_task(task=task, actor=rep, values={"achieved_value": Decimal(12)})
    # then
    with pytest.raises(PermissionDenied):
        services.update_task(task=task, actor=rep, values={"target_value": Decimal(10)})
    task.refresh_from_db()
    assert (task.achieved_value, task.target_value) == (Decimal(12), Decimal(20))


def test_bands_must_stay_ordered_and_only_director_or_admin_edit_them(director, manager):
    # when / then
    with pytest.raises(ValidationError) as refused:
        services.update_grade_bands(actor=director, values={"good_from": 70})
    assert refused.value.message_dict == {"good_from": ["须满足：合格下限 < 良好下限 ≤ 优秀界限。"]}
    with pytest.raises(PermissionDenied):
        services.update_grade_bands(actor=manager, values={"pass_from": 70})
    bands = GradeBands.current()
    assert (bands.excellent_above, bands.good_from, bands.pass_from) == (120, 100, 80)
    # and a valid change is audited
    services.update_grade_bands(actor=director, values={"pass_from": 70})
    assert GradeBands.current().grade(Decimal("75")) == QualityGrade.PASS
    assert Event.objects.get(verb="teamwork.grade_bands_changed").changes == [
        {"field": "pass_from", "before": 80, "after": 70}
    ]
