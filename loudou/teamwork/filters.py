"""The list filters of tasks and meetings: one definition for the pages and the API."""

from datetime import date

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from loudou.org.models import Team, User
from loudou.teamwork.choices import ActionStatus, TaskStatus
from loudou.teamwork.models import ActionItem, ReviewMeeting, Task

TASK_SCOPES = [
    ("", _("全部")),
    ("mine", _("我负责的")),
    ("verify", _("我验收的")),
    ("assigned", _("我分配的")),
    ("team", _("我的团队")),
]
MEETING_SCOPES = [("", _("全部")), ("mine", _("我参加的")), ("team", _("我的团队"))]


def my_teams(user: User) -> QuerySet[Team]:
    """The teams `user` manages or belongs to (the "my team" filter)."""
    return Team.objects.filter(Q(manager=user) | Q(members=user)).values("pk")


def filter_tasks(
    tasks: QuerySet[Task],
    user: User,
    *,
    today: date,
    scope: str = "",
    status: str = "",
    overdue: bool = False,
    q: str = "",
) -> QuerySet[Task]:
    """`tasks` (already visible to `user`) narrowed by the list's filters."""
    by_scope = {
        "mine": Q(owner=user),
        "verify": Q(verifier=user),
        "assigned": Q(created_by=user),
        "team": Q(owner__team__in=my_teams(user)),
    }
    if scope in by_scope:
        tasks = tasks.filter(by_scope[scope])
    if status:
        tasks = tasks.filter(status=status)
    if overdue:
        tasks = tasks.filter(status=TaskStatus.OPEN, planned_end__lt=today)
    if q:
        tasks = tasks.filter(Q(title__icontains=q) | Q(goal__icontains=q))
    return tasks


def filter_meetings(
    meetings: QuerySet[ReviewMeeting],
    user: User,
    *,
    today: date,
    scope: str = "",
    open_actions: bool = False,
    overdue: bool = False,
    q: str = "",
) -> QuerySet[ReviewMeeting]:
    attends = ReviewMeeting.attendees.through.objects.filter(reviewmeeting=OuterRef("pk"))
    if scope == "mine":
        meetings = meetings.filter(Q(organiser=user) | Exists(attends.filter(user=user)))
    elif scope == "team":
        teams = my_teams(user)
        meetings = meetings.filter(
            Q(team__in=teams)
            | Q(organiser__team__in=teams)
            | Exists(attends.filter(user__team__in=teams))
        )
    actions = ActionItem.objects.filter(meeting=OuterRef("pk"), status=ActionStatus.OPEN)
    if open_actions:
        meetings = meetings.filter(Exists(actions))
    if overdue:
        meetings = meetings.filter(Exists(actions.filter(due_on__lt=today)))
    if q:
        meetings = meetings.filter(Q(topic__icontains=q) | Q(decisions__icontains=q))
    return meetings


class TaskFilterForm(forms.Form):
    scope = forms.ChoiceField(label=_("范围"), choices=TASK_SCOPES, required=False)
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *TaskStatus.choices], required=False
    )
    overdue = forms.BooleanField(label=_("仅逾期"), required=False)
    q = forms.CharField(label=_("搜索"), max_length=100, required=False)

    def params(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


class MeetingFilterForm(forms.Form):
    scope = forms.ChoiceField(label=_("范围"), choices=MEETING_SCOPES, required=False)
    open_actions = forms.BooleanField(label=_("有待办行动项"), required=False)
    overdue = forms.BooleanField(label=_("有逾期行动项"), required=False)
    q = forms.CharField(label=_("搜索"), max_length=100, required=False)

    def params(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}
