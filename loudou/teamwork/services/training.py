"""Training evaluation (销售培训效果评估): courses, attendees and their results.

- create a course: director/admin, managers (for a team they manage, or none), support
  staff and trainers (any team);
- manage it (details, attendees, every score, business results): its trainer, its
  creator, the manager of its team, director/admin;
- rate an attendee's behaviour change: also the attendee's own manager.

Business results are read from the ledger for each attendee, over the
`RESULT_WINDOW_DAYS` days before the course and the same number of days from the course
day (up to today): the first-response timeliness (首次响应及时率) and the conversion rate
of the leads captured in the window, as the analytics app defines them for a rep.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.analytics.services.conversion import conversion
from loudou.analytics.services.process import first_response
from loudou.analytics.services.scope import Scope
from loudou.core.audit import save_with_audit
from loudou.org.choices import Role
from loudou.org.models import Team, User
from loudou.teamwork.models import Course, TrainingRecord
from loudou.teamwork.selectors import managed_teams
from loudou.teamwork.services.results import decimal_pct

COURSE_FIELDS = frozenset({"title", "trainer", "trainer_name", "held_on", "team", "description"})
SCORE_FIELDS = frozenset({"attended", "participation", "pre_score", "post_score"})
BEHAVIOUR_FIELDS = frozenset({"behaviour_rating", "behaviour_note"})
RESULT_WINDOW_DAYS = 90


def may_create_courses(user: User) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.sees_all or user.role in (Role.MANAGER, Role.SUPPORT)


def may_manage_course(user: User, course: Course) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.sees_all or user.pk in (course.trainer_id, course.created_by_id):
        return True
    team = course.team
    return user.role == Role.MANAGER and team is not None and team.manager_id == user.pk


def may_rate_behaviour(user: User, record: TrainingRecord) -> bool:
    if may_manage_course(user, record.course):
        return True
    person = record.person
    return (
        user.is_active
        and user.role == Role.MANAGER
        and person.team_id is not None
        and person.team.manager_id == user.pk
    )


def _check_team(actor: User, team: Team | None) -> None:
    if team is None or actor.role == Role.SUPPORT:
        return
    if not managed_teams(actor).filter(pk=team.pk).exists():
        raise ValidationError({"team": _("只能选择您管理的团队。")})


def _check_values(values: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValidationError({name: [_("不能修改该字段。")] for name in unknown})


@transaction.atomic
def create_course(*, actor: User, values: dict[str, Any]) -> Course:
    """Create a course (event `teamwork.course_created`); a trainer creating it without
    naming one gives it themselves."""
    if not may_create_courses(actor):
        raise PermissionDenied(_("您不能创建培训课程。"))
    _check_values(values, COURSE_FIELDS)
    _check_team(actor, values.get("team"))
    values = dict(values)
    if actor.role == Role.SUPPORT and not values.get("trainer") and not values.get("trainer_name"):
        values["trainer"] = actor
    course = Course(created_by=actor)
    save_with_audit(obj=course, actor=actor, verb="teamwork.course_created", values=values)
    return course


@transaction.atomic
def update_course(*, course: Course, actor: User, values: dict[str, Any]) -> Course:
    if not may_manage_course(actor, course):
        raise PermissionDenied(_("您不能修改该课程。"))
    _check_values(values, COURSE_FIELDS)
    if "team" in values and values["team"] != course.team:
        _check_team(actor, values["team"])
    save_with_audit(obj=course, actor=actor, verb="teamwork.course_changed", values=values)
    return course


@transaction.atomic
def add_attendee(*, course: Course, actor: User, person: User) -> TrainingRecord:
    """Enrol `person` (event `teamwork.record_created`); once per course."""
    if not may_manage_course(actor, course):
        raise PermissionDenied(_("您不能修改该课程。"))
    if not person.is_active:
        raise ValidationError({"person": _("该用户已停用。")})
    record = TrainingRecord(course=course, person=person)
    try:
        with transaction.atomic():
            save_with_audit(obj=record, actor=actor, verb="teamwork.record_created", values={})
    except (IntegrityError, ValidationError):  # full_clean's unique check, or a race
        raise ValidationError({"person": _("该学员已在本课程中。")}) from None
    return record


@transaction.atomic
def update_record(*, record: TrainingRecord, actor: User, values: dict[str, Any]):
    """Scores and attendance (course managers), behaviour change (also the attendee's
    manager); event `teamwork.record_changed`."""
    _check_values(values, SCORE_FIELDS | BEHAVIOUR_FIELDS)
    if set(values) & SCORE_FIELDS and not may_manage_course(actor, record.course):
        raise PermissionDenied(_("您不能修改该学员的成绩。"))
    if not may_rate_behaviour(actor, record):
        raise PermissionDenied(_("您不能评价该学员。"))
    values = dict(values)
    if set(values) & BEHAVIOUR_FIELDS:
        values["behaviour_rated_by"] = actor
    save_with_audit(obj=record, actor=actor, verb="teamwork.record_changed", values=values)
    return record


def _window_figures(person: User, start: date, end: date, now: datetime) -> dict:
    """The person's own figures over [start, end], as the person sees their own leads."""
    scope = Scope.build(person, rep=person, start=start, end=end)
    timely = first_response(scope, now)
    total = conversion(scope, "grade")[-1]
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "timeliness": timely,
        "conversion": {"leads": total["leads"], "deals": total["deals"], "rate": total["rate"]},
    }


def result_windows(held_on: date, today: date) -> tuple[tuple[date, date], tuple | None]:
    """(before, after) periods of a course; after is None until the course day."""
    days = timedelta(days=RESULT_WINDOW_DAYS)
    before = (held_on - days, held_on - timedelta(days=1))
    if today < held_on:
        return before, None
    return before, (held_on, min(held_on + days - timedelta(days=1), today))


@transaction.atomic
def measure_results(*, course: Course, actor: User, now: datetime | None = None) -> int:
    """Read each attendee's business results before and after the course from the ledger
    and store them (measured again: overwritten). Returns the records measured."""
    if not may_manage_course(actor, course):
        raise PermissionDenied(_("您不能修改该课程。"))
    now = now or timezone.now()
    before, after = result_windows(course.held_on, timezone.localdate(now))
    measured = 0
    for record in course.records.filter(attended=True).select_related("person"):
        figures = {"before": _window_figures(record.person, *before, now)}
        figures["after"] = _window_figures(record.person, *after, now) if after else None
        record.results = figures
        record.timeliness_before = decimal_pct(figures["before"]["timeliness"]["pct"])
        record.conversion_before = decimal_pct(figures["before"]["conversion"]["rate"])
        record.timeliness_after = decimal_pct(after and figures["after"]["timeliness"]["pct"])
        record.conversion_after = decimal_pct(after and figures["after"]["conversion"]["rate"])
        record.results_measured_at = now
        record.save()
        measured += 1
    return measured
