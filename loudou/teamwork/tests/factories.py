"""Team-work records made through the real services (audited, permission-checked)."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from loudou.teamwork import services
from loudou.teamwork.models import Course, ProcessProject, ReviewMeeting, Task, TrainingRecord


def local(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.get_default_timezone())


def make_task(*, actor, owner=None, verifier=None, items=None, **values) -> Task:
    values.setdefault("title", "线上推广获取线索")
    values.setdefault("planned_end", date(2026, 3, 31))
    values["owner"] = owner
    values["verifier"] = verifier or actor
    if owner is None and "department" not in values:
        values["department"] = "生产部"
    return services.create_task(actor=actor, values=values, items=items or [])


def make_meeting(*, actor, attendees=(), **values) -> ReviewMeeting:
    values.setdefault("topic", "2026年Q1销售复盘会")
    values.setdefault("held_at", local(2026, 4, 5, 14, 0))
    return services.create_meeting(actor=actor, values=values, attendees=list(attendees))


def add_action(*, meeting, actor, owner=None, due_on=date(2026, 4, 10), **values):
    values.setdefault("what", "B产品线成本分析")
    values["owner"] = owner
    if owner is None:
        values.setdefault("department", "产品部")
    return services.add_action_item(
        meeting=meeting, actor=actor, values={**values, "due_on": due_on}
    )


def make_course(*, actor, **values) -> Course:
    values.setdefault("title", "顾问式销售技巧")
    values.setdefault("held_on", date(2026, 4, 1))
    return services.create_course(actor=actor, values=values)


def enrol(*, course, actor, person, **scores) -> TrainingRecord:
    record = services.add_attendee(course=course, actor=actor, person=person)
    if scores:
        values = {
            k: Decimal(str(v)) if k.endswith("_score") and v is not None else v
            for k, v in scores.items()
        }
        services.update_record(record=record, actor=actor, values=values)
    return record


def make_project(*, actor, **values) -> ProcessProject:
    values.setdefault("title", "线索首次跟进及时率提升")
    values.setdefault("goal", "首次响应及时率 ≥ 90%")
    values.setdefault("started_on", date(2026, 4, 1))
    return services.create_project(actor=actor, values=values)


def example_ids(*, admin, rep) -> dict[str, int]:
    """One record of each kind the team-work API has a path id for (the API fuzz test's
    world): made by `admin`, with `rep` as owner and attendee."""
    task = make_task(actor=admin, owner=rep, items=["子项"])
    meeting = make_meeting(actor=admin, attendees=[rep])
    course = make_course(actor=admin)
    project = make_project(actor=admin)
    review = services.measure_project(project=project, month=date(2026, 3, 1), actor=admin)
    return {
        "task_id": task.pk,
        "item_id": task.items.get().pk,
        "meeting_id": meeting.pk,
        "action_id": add_action(meeting=meeting, actor=admin, owner=rep).pk,
        "course_id": course.pk,
        "record_id": enrol(course=course, actor=admin, person=rep).pk,
        "project_id": project.pk,
        "review_id": review.pk,
    }
