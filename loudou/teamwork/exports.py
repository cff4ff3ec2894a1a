"""The task list and the training results as spreadsheet rows (.csv / .xlsx through the
imports app's `_download`); text a spreadsheet would evaluate is neutralised."""

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from loudou.imports.exports import neutralise
from loudou.teamwork.choices import QualityGrade
from loudou.teamwork.models import GradeBands, Task, TrainingRecord


def task_headers() -> list[str]:
    return [
        _("任务名称"),
        _("任务目标"),
        _("子项"),
        _("负责人"),
        _("负责部门"),
        _("计划开始"),
        _("计划完成"),
        _("实际完成"),
        _("目标值"),
        _("完成值"),
        _("单位"),
        _("完成率(%)"),
        _("完成质量"),
        _("状态"),
        _("验收人"),
        _("分配人"),
        _("备注"),
    ]


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, str, Decimal)):
        return value
    return str(value)


def _items(task: Task) -> str:
    return "\n".join(f"[{'x' if i.done else ' '}] {i.text}" for i in task.items.all())


def grade_label(task: Task, bands: GradeBands) -> str:
    """The frozen grade of a verified task, else the grade its completion would get."""
    grade = task.grade or bands.grade(task.completion)
    return str(QualityGrade(grade).label) if grade else ""


def task_rows(tasks: QuerySet[Task]) -> Iterator[list[Any]]:
    bands = GradeBands.current()
    for task in tasks.prefetch_related("items").iterator(chunk_size=500):
        cells = [
            task.title,
            task.goal,
            _items(task),
            task.owner.username if task.owner else "",
            task.department,
            task.planned_start,
            task.planned_end,
            task.actual_end,
            task.target_value,
            task.achieved_value,
            task.unit,
            task.completion,
            grade_label(task, bands),
            str(task.get_status_display()),
            task.verifier.username,
            task.created_by.username,
            task.notes,
        ]
        yield [neutralise(_plain(cell)) for cell in cells]


def training_headers() -> list[str]:
    return [
        _("课程名称"),
        _("培训日期"),
        _("培训师"),
        _("学员"),
        _("出勤"),
        _("参与度(1-5)"),
        _("培训前测试"),
        _("培训后测试"),
        _("提升"),
        _("行为改变(1-5)"),
        _("行为改变说明"),
        _("培训前首次响应及时率(%)"),
        _("培训后首次响应及时率(%)"),
        _("培训前转化率(%)"),
        _("培训后转化率(%)"),
    ]


def training_rows(records: Iterable[TrainingRecord]) -> Iterator[list[Any]]:
    for r in records:
        course = r.course
        trainer = course.trainer.username if course.trainer else course.trainer_name
        cells = [
            course.title,
            course.held_on,
            trainer,
            r.person.username,
            _("是") if r.attended else _("否"),
            r.participation,
            r.pre_score,
            r.post_score,
            r.improvement,
            r.behaviour_rating,
            r.behaviour_note,
            r.timeliness_before,
            r.timeliness_after,
            r.conversion_before,
            r.conversion_after,
        ]
        yield [neutralise(_plain(cell)) for cell in cells]
