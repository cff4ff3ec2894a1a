"""/api/teamwork/: tasks, review meetings, training and process projects, through the
pages' selectors and services (so the same permissions: 404 for what one may not see,
403 for what one sees but may not do, 422 {"errors": …} for refused values)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from loudou.core.schemas import ErrorsOut, LimitOffset
from loudou.org.models import Team
from loudou.pipeline.models import Pipeline
from loudou.teamwork import services
from loudou.teamwork.exports import task_headers, task_rows, training_headers, training_rows
from loudou.teamwork.filters import filter_meetings, filter_tasks
from loudou.teamwork.models import GradeBands
from loudou.teamwork.schemas import (
    ActionItemIn,
    ActionItemOut,
    AttendeeIn,
    CourseDetailOut,
    CourseIn,
    CourseOut,
    CoursePatch,
    GradeBandsIO,
    MeasuredOut,
    MeetingDetailOut,
    MeetingFilterParams,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    PersonResultOut,
    ProjectIn,
    ProjectMeasureIn,
    ProjectOut,
    ProjectPatch,
    RecordOut,
    RecordPatch,
    ReviewNotesIn,
    ReviewOut,
    TaskDoneIn,
    TaskFilterParams,
    TaskIn,
    TaskItemIn,
    TaskItemOut,
    TaskItemPatch,
    TaskNoteIn,
    TaskOut,
    TaskPatch,
)
from loudou.teamwork.selectors import (
    access_action_item,
    access_course,
    access_meeting,
    access_project,
    access_record,
    access_task,
    people,
    visible_action_items,
    visible_courses,
    visible_meetings,
    visible_projects,
    visible_records,
    visible_tasks,
)
from loudou.teamwork.services.results import course_summary, person_summary

router = Router(tags=["teamwork"])
MAX_ID = 999_999_999_999_999_999


# ids in bodies → records ---------------------------------------------------------------


def _user(pk: int | None, field: str):
    if pk is None:
        return None
    found = people().filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("不存在的用户。")})
    return found


def _team(pk: int | None, field: str):
    if pk is None:
        return None
    found = Team.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("不存在的团队。")})
    return found


def _pipeline(pk: int | None):
    if pk is None:
        return None
    found = Pipeline.objects.filter(pk=pk, is_active=True).first()
    if found is None:
        raise ValidationError({"pipeline_id": _("不存在的销售漏斗。")})
    return found


#: body field → (service field, converter)
_REFS = {
    "owner_id": ("owner", _user),
    "verifier_id": ("verifier", _user),
    "trainer_id": ("trainer", _user),
    "team_id": ("team", _team),
    "pilot_team_id": ("pilot_team", _team),
    "pipeline_id": ("pipeline", lambda pk, _field: _pipeline(pk)),
}


def _values(data: dict) -> dict:
    """A body's values for a service: ids become records (an unknown one: 422)."""
    values = {}
    for name, value in data.items():
        if name in _REFS:
            field, convert = _REFS[name]
            values[field] = convert(value, name)
        else:
            values[name] = value
    return values


def _attendees(ids: list[int] | None):
    if ids is None:
        return None
    found = list(people().filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"attendee_ids": _("含有不存在的用户。")})
    return found


# tasks -----------------------------------------------------------------------------------


@router.get("/tasks", response=list[TaskOut])
@paginate(LimitOffset)
def list_tasks(request, filters: Query[TaskFilterParams]):
    params = filters.dict()
    params["status"] = params["status"] or ""
    tasks = filter_tasks(
        visible_tasks(request.user), request.user, today=timezone.localdate(), **params
    )
    return tasks.prefetch_related("items").order_by("planned_end", "pk")


@router.post("/tasks", response={201: TaskOut, 422: ErrorsOut})
def create_task(request, payload: TaskIn):
    data = payload.dict()
    items = data.pop("items")
    task = services.create_task(actor=request.user, values=_values(data), items=items)
    return Status(201, task)


@router.get("/tasks/export")
def export_tasks(request, filters: Query[TaskFilterParams], format: str = "csv"):
    from loudou.imports.api import _download

    params = filters.dict()
    params["status"] = params["status"] or ""
    tasks = filter_tasks(
        visible_tasks(request.user), request.user, today=timezone.localdate(), **params
    ).order_by("status", "planned_end", "pk")
    return _download(task_rows(tasks), "tasks", format, header=task_headers(), title=_("任务"))


@router.get("/tasks/{id:task_id}", response=TaskOut)
def get_task(request, task_id: int):
    return access_task(request.user, task_id)


@router.patch("/tasks/{id:task_id}", response={200: TaskOut, 422: ErrorsOut})
def update_task(request, task_id: int, payload: TaskPatch):
    task = access_task(request.user, task_id)
    values = _values(payload.dict(exclude_unset=True))
    return services.update_task(task=task, actor=request.user, values=values)


@router.post("/tasks/{id:task_id}/items", response={201: TaskItemOut, 422: ErrorsOut})
def add_task_item(request, task_id: int, payload: TaskItemIn):
    task = access_task(request.user, task_id)
    return Status(201, services.add_task_item(task=task, actor=request.user, text=payload.text))


@router.patch("/tasks/{id:task_id}/items/{id:item_id}", response={200: TaskItemOut, 422: ErrorsOut})
def set_task_item(request, task_id: int, item_id: int, payload: TaskItemPatch):
    task = access_task(request.user, task_id)
    item = task.items.filter(pk=item_id).first()
    if item is None:
        raise Http404
    return services.set_task_item(item=item, actor=request.user, done=payload.done)


@router.post("/tasks/{id:task_id}/done", response={200: TaskOut, 422: ErrorsOut})
def complete_task(request, task_id: int, payload: TaskDoneIn):
    task = access_task(request.user, task_id)
    return services.complete_task(task=task, actor=request.user, actual_end=payload.actual_end)


@router.post("/tasks/{id:task_id}/verify", response={200: TaskOut, 422: ErrorsOut})
def verify_task(request, task_id: int, payload: TaskNoteIn):
    task = access_task(request.user, task_id)
    return services.verify_task(task=task, actor=request.user, note=payload.note)


@router.post("/tasks/{id:task_id}/reopen", response={200: TaskOut, 422: ErrorsOut})
def reopen_task(request, task_id: int, payload: TaskNoteIn):
    task = access_task(request.user, task_id)
    return services.reopen_task(task=task, actor=request.user, note=payload.note)


@router.get("/grade-bands", response=GradeBandsIO)
def get_grade_bands(request):
    return GradeBands.current()


@router.put("/grade-bands", response={200: GradeBandsIO, 422: ErrorsOut})
def put_grade_bands(request, payload: GradeBandsIO):
    return services.update_grade_bands(actor=request.user, values=payload.dict())


# review meetings -------------------------------------------------------------------------


@router.get("/meetings", response=list[MeetingOut])
@paginate(LimitOffset)
def list_meetings(request, filters: Query[MeetingFilterParams]):
    meetings = filter_meetings(
        visible_meetings(request.user), request.user, today=timezone.localdate(), **filters.dict()
    )
    return meetings.prefetch_related("attendees").order_by("-held_at", "-pk")


@router.post("/meetings", response={201: MeetingDetailOut, 422: ErrorsOut})
def create_meeting(request, payload: MeetingIn):
    data = payload.dict()
    attendees = _attendees(data.pop("attendee_ids"))
    meeting = services.create_meeting(actor=request.user, values=_values(data), attendees=attendees)
    return Status(201, meeting)


@router.get("/meetings/{id:meeting_id}", response=MeetingDetailOut)
def get_meeting(request, meeting_id: int):
    return access_meeting(request.user, meeting_id)


@router.patch("/meetings/{id:meeting_id}", response={200: MeetingDetailOut, 422: ErrorsOut})
def update_meeting(request, meeting_id: int, payload: MeetingPatch):
    meeting = access_meeting(request.user, meeting_id)
    data = payload.dict(exclude_unset=True)
    attendees = _attendees(data.pop("attendee_ids", None))
    return services.update_meeting(
        meeting=meeting, actor=request.user, values=_values(data), attendees=attendees
    )


@router.post("/meetings/{id:meeting_id}/actions", response={201: ActionItemOut, 422: ErrorsOut})
def add_action_item(request, meeting_id: int, payload: ActionItemIn):
    meeting = access_meeting(request.user, meeting_id)
    values = _values(payload.dict())
    item = services.add_action_item(meeting=meeting, actor=request.user, values=values)
    return Status(201, item)


@router.get("/actions", response=list[ActionItemOut])
@paginate(LimitOffset)
def list_action_items(request, mine: bool = False, open: bool = False):
    items = visible_action_items(request.user)
    if mine:
        items = items.filter(owner=request.user)
    if open:
        items = items.filter(status="open")
    return items.order_by("due_on", "pk")


@router.post("/actions/{id:action_id}/done", response={200: ActionItemOut, 422: ErrorsOut})
def complete_action_item(request, action_id: int):
    item = access_action_item(request.user, action_id)
    return services.complete_action_item(item=item, actor=request.user)


@router.post("/actions/{id:action_id}/reopen", response={200: ActionItemOut, 422: ErrorsOut})
def reopen_action_item(request, action_id: int):
    item = access_action_item(request.user, action_id)
    return services.reopen_action_item(item=item, actor=request.user)


# training --------------------------------------------------------------------------------


def _course_detail(user, course) -> dict:
    records = visible_records(user).filter(course=course).order_by("person__username", "pk")
    summary = course_summary(records)
    return {
        **{f: getattr(course, f) for f in CourseOut.model_fields},
        "records": summary["rows"],
        "attended": summary["attended"],
        "attendance_pct": summary["attendance_pct"],
        "averages": summary["averages"],
    }


@router.get("/courses", response=list[CourseOut])
@paginate(LimitOffset)
def list_courses(request):
    return visible_courses(request.user).order_by("-held_on", "-pk")


@router.post("/courses", response={201: CourseDetailOut, 422: ErrorsOut})
def create_course(request, payload: CourseIn):
    course = services.create_course(actor=request.user, values=_values(payload.dict()))
    return Status(201, _course_detail(request.user, course))


@router.get("/courses/{id:course_id}", response=CourseDetailOut)
def get_course(request, course_id: int):
    return _course_detail(request.user, access_course(request.user, course_id))


@router.patch("/courses/{id:course_id}", response={200: CourseDetailOut, 422: ErrorsOut})
def update_course(request, course_id: int, payload: CoursePatch):
    course = access_course(request.user, course_id)
    values = _values(payload.dict(exclude_unset=True))
    services.update_course(course=course, actor=request.user, values=values)
    return _course_detail(request.user, course)


@router.post("/courses/{id:course_id}/records", response={201: RecordOut, 422: ErrorsOut})
def add_attendee(request, course_id: int, payload: AttendeeIn):
    course = access_course(request.user, course_id)
    person = _user(payload.person_id, "person_id")
    return Status(201, services.add_attendee(course=course, actor=request.user, person=person))


@router.patch("/records/{id:record_id}", response={200: RecordOut, 422: ErrorsOut})
def update_record(request, record_id: int, payload: RecordPatch):
    record = access_record(request.user, record_id)
    values = payload.dict(exclude_unset=True)
    return services.update_record(record=record, actor=request.user, values=values)


@router.post("/courses/{id:course_id}/measure", response={200: MeasuredOut, 422: ErrorsOut})
def measure_results(request, course_id: int):
    course = access_course(request.user, course_id)
    return {"measured": services.measure_results(course=course, actor=request.user)}


@router.get("/training/people", response=list[PersonResultOut])
def people_results(request):
    return person_summary(visible_records(request.user).order_by("person__username", "pk"))


@router.get("/training/export")
def export_training(
    request, format: str = "csv", course: int | None = Query(None, ge=1, le=MAX_ID)
):
    from loudou.imports.api import _download

    records = visible_records(request.user).order_by(
        "-course__held_on", "course", "person__username"
    )
    if course is not None:
        records = records.filter(course=access_course(request.user, course))
    lines = training_rows(records.iterator(chunk_size=500))
    return _download(lines, "training", format, header=training_headers(), title=_("培训效果"))


# process projects ------------------------------------------------------------------------


@router.get("/projects", response=list[ProjectOut])
@paginate(LimitOffset)
def list_projects(request):
    return visible_projects(request.user).order_by("-started_on", "-pk")


@router.post("/projects", response={201: ProjectOut, 422: ErrorsOut})
def create_project(request, payload: ProjectIn):
    project = services.create_project(actor=request.user, values=_values(payload.dict()))
    return Status(201, project)


@router.get("/projects/{id:project_id}", response=ProjectOut)
def get_project(request, project_id: int):
    return access_project(request.user, project_id)


@router.patch("/projects/{id:project_id}", response={200: ProjectOut, 422: ErrorsOut})
def update_project(request, project_id: int, payload: ProjectPatch):
    project = access_project(request.user, project_id)
    values = _values(payload.dict(exclude_unset=True))
    return services.update_project(project=project, actor=request.user, values=values)


@router.post("/projects/{id:project_id}/baseline", response={200: ProjectOut, 422: ErrorsOut})
def take_baseline(request, project_id: int):
    project = access_project(request.user, project_id)
    return services.take_baseline(project=project, actor=request.user)


@router.get("/projects/{id:project_id}/reviews", response=list[ReviewOut])
def list_reviews(request, project_id: int):
    return access_project(request.user, project_id).reviews.order_by("month")


@router.post("/projects/{id:project_id}/measure", response={200: ReviewOut, 422: ErrorsOut})
def measure_project(request, project_id: int, payload: ProjectMeasureIn):
    project = access_project(request.user, project_id)
    return services.measure_project(project=project, month=payload.month, actor=request.user)


@router.patch(
    "/projects/{id:project_id}/reviews/{id:review_id}", response={200: ReviewOut, 422: ErrorsOut}
)
def save_review_notes(request, project_id: int, review_id: int, payload: ReviewNotesIn):
    project = access_project(request.user, project_id)
    review = project.reviews.filter(pk=review_id).first()
    if review is None:
        raise Http404
    return services.save_review_notes(review=review, actor=request.user, notes=payload.notes)
