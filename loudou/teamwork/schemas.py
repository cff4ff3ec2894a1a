"""Pydantic schemas of the team-work API (ADR 0011: `X | None` only where the model field
is nullable; omitted PATCH fields are unchanged; every number bounded)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from ninja import Field, Schema

from loudou.core.schemas import Id
from loudou.teamwork.choices import Rollout, TaskStatus
from loudou.teamwork.models import GradeBands

Amount = Annotated[Decimal, Field(max_digits=12, decimal_places=2, ge=0)]
Score = Annotated[Decimal, Field(max_digits=4, decimal_places=1, ge=0, le=100)]
Rating = Annotated[int, Field(ge=1, le=5)]
LongText = Annotated[str, Field(max_length=5000)]


# tasks -----------------------------------------------------------------------------------


class TaskItemOut(Schema):
    id: int
    text: str
    done: bool
    done_at: datetime | None


class TaskOut(Schema):
    id: int
    title: str
    goal: str
    owner_id: Id | None
    department: str
    verifier_id: Id
    created_by_id: Id
    planned_start: date | None
    planned_end: date
    actual_end: date | None
    target_value: Decimal | None
    achieved_value: Decimal | None
    unit: str
    completion: Decimal | None = Field(description="achieved ÷ target, %")
    grade: str = Field(description="frozen at verification; empty before")
    grade_now: str = Field(description="the grade the completion gets today")
    status: TaskStatus
    notes: str
    done_at: datetime | None
    verified_at: datetime | None
    overdue: bool
    items: list[TaskItemOut]

    @staticmethod
    def resolve_grade_now(obj, context) -> str:
        request = context["request"]
        if not hasattr(request, "_grade_bands"):  # read once per request
            request._grade_bands = GradeBands.current()
        return request._grade_bands.grade(obj.completion) or ""

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue(timezone.localdate())

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())


class TaskIn(Schema):
    title: str = Field(max_length=200)
    goal: LongText = ""
    owner_id: Id | None = Field(None, description="any active user; or none with a department")
    department: str = Field("", max_length=60)
    verifier_id: Id
    planned_start: date | None = None
    planned_end: date
    target_value: Amount | None = None
    achieved_value: Amount | None = None
    unit: str = Field("", max_length=20)
    notes: LongText = ""
    items: list[Annotated[str, Field(max_length=200)]] = Field([], max_length=50)


class TaskPatch(Schema):
    title: str = Field(None, max_length=200)
    goal: LongText = None
    owner_id: Id | None = None
    department: str = Field(None, max_length=60)
    verifier_id: Id = None
    planned_start: date | None = None
    planned_end: date = None
    target_value: Amount | None = None
    achieved_value: Amount | None = None
    unit: str = Field(None, max_length=20)
    notes: LongText = None


class TaskItemIn(Schema):
    text: str = Field(max_length=200)


class TaskItemPatch(Schema):
    done: bool


class TaskDoneIn(Schema):
    actual_end: date | None = Field(None, description="default: today")


class TaskNoteIn(Schema):
    note: str = Field("", max_length=2000)


class TaskFilterParams(Schema):
    scope: str = Field("", pattern="^(|mine|verify|assigned|team)$")
    status: TaskStatus | None = None
    overdue: bool = False
    q: str = Field("", max_length=100)


class GradeBandsIO(Schema):
    excellent_above: int = Field(ge=1, le=1000)
    good_from: int = Field(ge=1, le=1000)
    pass_from: int = Field(ge=1, le=1000)


# review meetings ---------------------------------------------------------------------------


class ActionItemOut(Schema):
    id: int
    meeting_id: Id
    what: str
    owner_id: Id | None
    department: str
    due_on: date
    status: str
    done_at: datetime | None
    overdue: bool

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class MeetingOut(Schema):
    id: int
    topic: str
    held_at: datetime
    team_id: Id | None
    organiser_id: Id
    attendee_ids: list[Id]
    other_attendees: str
    agenda: str
    discussion: str
    lessons: str
    decisions: str

    @staticmethod
    def resolve_attendee_ids(obj) -> list[int]:
        return sorted(user.pk for user in obj.attendees.all())


class MeetingDetailOut(MeetingOut):
    actions: list[ActionItemOut]

    @staticmethod
    def resolve_actions(obj) -> list:
        return list(obj.actions.all())


class MeetingIn(Schema):
    topic: str = Field(max_length=200)
    held_at: datetime
    team_id: Id | None = None
    attendee_ids: list[Id] = Field([], max_length=200)
    other_attendees: str = Field("", max_length=200)
    agenda: LongText = ""
    discussion: LongText = ""
    lessons: LongText = ""
    decisions: LongText = ""


class MeetingPatch(Schema):
    topic: str = Field(None, max_length=200)
    held_at: datetime = None
    team_id: Id | None = None
    attendee_ids: list[Id] = Field(None, max_length=200)
    other_attendees: str = Field(None, max_length=200)
    agenda: LongText = None
    discussion: LongText = None
    lessons: LongText = None
    decisions: LongText = None


class MeetingFilterParams(Schema):
    scope: str = Field("", pattern="^(|mine|team)$")
    open_actions: bool = False
    overdue: bool = False
    q: str = Field("", max_length=100)


class ActionItemIn(Schema):
    what: str = Field(max_length=200)
    owner_id: Id | None = None
    department: str = Field("", max_length=60)
    due_on: date


# training ----------------------------------------------------------------------------------


class CourseOut(Schema):
    id: int
    title: str
    trainer_id: Id | None
    trainer_name: str
    held_on: date
    team_id: Id | None
    description: str


class RecordOut(Schema):
    id: int
    course_id: Id
    person_id: Id
    attended: bool
    participation: int | None
    pre_score: Decimal | None
    post_score: Decimal | None
    improvement: Decimal | None
    behaviour_rating: int | None
    behaviour_note: str
    timeliness_before: Decimal | None
    timeliness_after: Decimal | None
    conversion_before: Decimal | None
    conversion_after: Decimal | None
    results: dict
    results_measured_at: datetime | None


class AveragesOut(Schema):
    participation: Decimal | None
    pre_score: Decimal | None
    post_score: Decimal | None
    improvement: Decimal | None
    behaviour_rating: Decimal | None
    timeliness_before: Decimal | None
    timeliness_after: Decimal | None
    conversion_before: Decimal | None
    conversion_after: Decimal | None


class CourseDetailOut(CourseOut):
    records: list[RecordOut]
    attended: int
    attendance_pct: Decimal | None
    averages: AveragesOut


class CourseIn(Schema):
    title: str = Field(max_length=200)
    trainer_id: Id | None = None
    trainer_name: str = Field("", max_length=60)
    held_on: date
    team_id: Id | None = None
    description: LongText = ""


class CoursePatch(Schema):
    title: str = Field(None, max_length=200)
    trainer_id: Id | None = None
    trainer_name: str = Field(None, max_length=60)
    held_on: date = None
    team_id: Id | None = None
    description: LongText = None


class AttendeeIn(Schema):
    person_id: Id


class RecordPatch(Schema):
    attended: bool = None
    participation: Rating | None = None
    pre_score: Score | None = None
    post_score: Score | None = None
    behaviour_rating: Rating | None = None
    behaviour_note: LongText = None


class MeasuredOut(Schema):
    measured: int


class PersonResultOut(AveragesOut):
    person_id: Id
    courses: int
    attended: int
    attendance_pct: Decimal | None


# process projects --------------------------------------------------------------------------


class ProjectOut(Schema):
    id: int
    title: str
    goal: str
    scope: str
    pipeline_id: Id | None
    team_id: Id | None
    pilot_team_id: Id | None
    started_on: date
    rollout: Rollout
    timeliness_target: int
    need_research_target: int
    baseline: dict
    baseline_on: date | None


class ProjectIn(Schema):
    title: str = Field(max_length=200)
    goal: LongText
    scope: LongText = ""
    pipeline_id: Id | None = None
    team_id: Id | None = None
    pilot_team_id: Id | None = None
    started_on: date
    rollout: Rollout = Rollout.PLANNING
    timeliness_target: int = Field(90, ge=1, le=100)
    need_research_target: int = Field(85, ge=1, le=100)


class ProjectPatch(Schema):
    title: str = Field(None, max_length=200)
    goal: LongText = None
    scope: LongText = None
    pipeline_id: Id | None = None
    team_id: Id | None = None
    pilot_team_id: Id | None = None
    started_on: date = None
    rollout: Rollout = None
    timeliness_target: int = Field(None, ge=1, le=100)
    need_research_target: int = Field(None, ge=1, le=100)


class ReviewOut(Schema):
    id: int
    project_id: Id
    month: date
    team_id: Id | None
    timeliness: Decimal | None
    need_research: Decimal | None
    kpis: dict
    notes: str
    measured_at: datetime
    measured_by_id: Id | None


class ProjectMeasureIn(Schema):
    month: date = Field(description="any day of the month")


class ReviewNotesIn(Schema):
    notes: LongText
