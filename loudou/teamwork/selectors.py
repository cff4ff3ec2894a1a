"""Protected reads of team work (ADR 0004): one `visible_<x>(user)` and one
`access_<x>(user, pk)` per model; `access_*` raises Http404 for missing and hidden alike.

- Tasks: what the user owns, verifies or assigned; a manager also those of the members of
  the teams they manage (as owner, verifier or assigner); director/admin all. Support
  staff are people like any other: they see the tasks assigned to them.
- Review meetings: those the user organised or attends or holds an action of; a manager
  also those of their teams (the meeting's team, or organised or attended by a member);
  director/admin all. An action item is seen with its meeting.
- Training: a course is seen by its trainer, its creator, its team's manager, its
  attendees and their managers; director/admin all. Within a course, the trainer, the
  creator, the course team's manager and director/admin see every record; a manager
  also their members' records; anyone their own.
- Process projects: director/admin all; a manager the projects of a team they manage
  (scope or pilot team). Reps see none: a project's figures are the team's.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from loudou.org.choices import Role
from loudou.org.models import Team, User
from loudou.teamwork.models import (
    ActionItem,
    Course,
    ProcessProject,
    ReviewMeeting,
    Task,
    TrainingRecord,
)


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def _is_manager(user: User) -> bool:
    return user.role == Role.MANAGER


def managed_member_ids(user: User) -> QuerySet[User]:
    """The members of the teams `user` manages (as a subquery of ids)."""
    return User.objects.filter(team__manager=user).values("pk")


def _found(queryset: QuerySet, pk: int):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# tasks ---------------------------------------------------------------------------------


def task_people_q(user: User, prefix: str = "") -> Q:
    """Tasks `user` owns, verifies or assigned."""
    return (
        Q(**{f"{prefix}owner": user})
        | Q(**{f"{prefix}verifier": user})
        | Q(**{f"{prefix}created_by": user})
    )


def visible_tasks(user: User) -> QuerySet[Task]:
    tasks = Task.objects.select_related("owner", "verifier", "created_by")
    if not _active(user):
        return tasks.none()
    if user.sees_all:
        return tasks
    q = task_people_q(user)
    if _is_manager(user):
        members = managed_member_ids(user)
        q |= Q(owner__in=members) | Q(verifier__in=members) | Q(created_by__in=members)
    return tasks.filter(q)


def access_task(user: User, pk: int) -> Task:
    return _found(visible_tasks(user), pk)


# review meetings -----------------------------------------------------------------------


def visible_meetings(user: User) -> QuerySet[ReviewMeeting]:
    meetings = ReviewMeeting.objects.select_related("team", "organiser")
    if not _active(user):
        return meetings.none()
    if user.sees_all:
        return meetings
    attends = ReviewMeeting.attendees.through.objects.filter(reviewmeeting=OuterRef("pk"))
    acts = ActionItem.objects.filter(meeting=OuterRef("pk"))
    q = Q(organiser=user) | Exists(attends.filter(user=user)) | Exists(acts.filter(owner=user))
    if _is_manager(user):
        members = managed_member_ids(user)
        q |= (
            Q(team__manager=user)
            | Q(organiser__in=members)
            | Exists(attends.filter(user__in=members))
        )
    return meetings.filter(q)


def access_meeting(user: User, pk: int) -> ReviewMeeting:
    return _found(visible_meetings(user), pk)


def visible_action_items(user: User) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(
        meeting__in=visible_meetings(user).values("pk")
    ).select_related("owner", "meeting", "meeting__organiser")


def access_action_item(user: User, pk: int) -> ActionItem:
    return _found(visible_action_items(user), pk)


# training ------------------------------------------------------------------------------


def _course_staff_q(user: User, prefix: str = "") -> Q:
    """Courses `user` gives, created or whose team they manage."""
    return (
        Q(**{f"{prefix}trainer": user})
        | Q(**{f"{prefix}created_by": user})
        | Q(**{f"{prefix}team__manager": user})
    )


def visible_records(user: User) -> QuerySet[TrainingRecord]:
    records = TrainingRecord.objects.select_related("course", "person", "person__team")
    if not _active(user):
        return records.none()
    if user.sees_all:
        return records
    q = _course_staff_q(user, "course__") | Q(person=user)
    if _is_manager(user):
        q |= Q(person__in=managed_member_ids(user))
    return records.filter(q)


def access_record(user: User, pk: int) -> TrainingRecord:
    return _found(visible_records(user), pk)


def visible_courses(user: User) -> QuerySet[Course]:
    courses = Course.objects.select_related("trainer", "team")
    if not _active(user):
        return courses.none()
    if user.sees_all:
        return courses
    seen = visible_records(user).filter(course=OuterRef("pk"))
    return courses.filter(_course_staff_q(user) | Exists(seen))


def access_course(user: User, pk: int) -> Course:
    return _found(visible_courses(user), pk)


# process projects ----------------------------------------------------------------------


def visible_projects(user: User) -> QuerySet[ProcessProject]:
    projects = ProcessProject.objects.select_related("team", "pilot_team", "pipeline")
    if not _active(user):
        return projects.none()
    if user.sees_all:
        return projects
    if _is_manager(user):
        return projects.filter(Q(team__manager=user) | Q(pilot_team__manager=user))
    return projects.none()


def access_project(user: User, pk: int) -> ProcessProject:
    return _found(visible_projects(user), pk)


def managed_teams(user: User) -> QuerySet[Team]:
    """Teams `user` may pick for a meeting, a course or a project: all for director and
    admin, the ones they manage for a manager, none otherwise."""
    if not _active(user):
        return Team.objects.none()
    if user.sees_all:
        return Team.objects.all()
    if _is_manager(user):
        return Team.objects.filter(manager=user)
    return Team.objects.none()


def people() -> QuerySet[User]:
    """Who may own a task or an action, attend or verify: every active user (support staff
    and other departments' people included)."""
    return User.objects.filter(is_active=True).order_by("username")
