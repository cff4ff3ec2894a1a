"""Review meetings (销售复盘会议) and their action items, tracked to done.

- organise: any active user but marketing; a meeting's team is one the organiser
  manages (director/admin: any) or their own team;
- change the record and add actions: the organiser, the manager of the meeting's team,
  director/admin;
- mark an action done or open again: its owner, and those who may change the meeting.
"""

from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.core.audit import record, save_with_audit
from loudou.org.choices import Role
from loudou.org.models import Team, User
from loudou.teamwork.choices import ActionStatus
from loudou.teamwork.models import ActionItem, ReviewMeeting
from loudou.teamwork.selectors import managed_teams

MEETING_FIELDS = frozenset(
    {"topic", "held_at", "team", "other_attendees", "agenda", "discussion", "lessons"}
    | {"decisions"}
)
ACTION_FIELDS = frozenset({"what", "owner", "department", "due_on"})
MAX_ATTENDEES = 200


def may_create_meetings(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role != Role.MARKETING


def may_edit_meeting(user: User, meeting: ReviewMeeting) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.sees_all or meeting.organiser_id == user.pk:
        return True
    team = meeting.team
    return user.role == Role.MANAGER and team is not None and team.manager_id == user.pk


def may_handle_action(user: User, item: ActionItem) -> bool:
    return (user.is_active and item.owner_id == user.pk) or may_edit_meeting(user, item.meeting)


def _check_team(actor: User, team: Team | None) -> None:
    if team is None or team.pk == actor.team_id:
        return
    if not managed_teams(actor).filter(pk=team.pk).exists():
        raise ValidationError({"team": _("只能选择您管理的团队或您所在的团队。")})


def _check_values(values: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """`values` with a meeting time in UTC (as the database gives it back), so that the same
    instant typed in local time is no change in the audit log."""
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValidationError({name: [_("不能修改该字段。")] for name in unknown})
    held_at = values.get("held_at")
    if isinstance(held_at, datetime):
        if timezone.is_naive(held_at):  # local time, as the forms mean it
            held_at = timezone.make_aware(held_at)
        if 1 < held_at.year < 9999:  # beyond, the validator refuses it; no overflow here
            held_at = held_at.astimezone(UTC)
        values = {**values, "held_at": held_at}
    return values


def _set_attendees(meeting: ReviewMeeting, attendees: list[User]) -> dict | None:
    """Replace the attendees; the change as an audit entry (None when unchanged)."""
    if len(attendees) > MAX_ATTENDEES:
        raise ValidationError({"attendees": _("参会人员过多。")})
    if any(not person.is_active for person in attendees):
        raise ValidationError({"attendees": _("参会人员中有已停用的用户。")})
    before = sorted(str(u) for u in meeting.attendees.all()) if meeting.pk else []
    meeting.attendees.set(attendees)
    after = sorted(str(u) for u in attendees)
    return None if before == after else {"field": "attendees", "before": before, "after": after}


@transaction.atomic
def create_meeting(
    *, actor: User, values: dict[str, Any], attendees: list[User] | None = None
) -> ReviewMeeting:
    """Record a review meeting (event `teamwork.meeting_created`)."""
    if not may_create_meetings(actor):
        raise PermissionDenied(_("您不能创建复盘会议。"))
    values = _check_values(values, MEETING_FIELDS)
    _check_team(actor, values.get("team"))
    meeting = ReviewMeeting(organiser=actor)
    save_with_audit(obj=meeting, actor=actor, verb="teamwork.meeting_created", values=values)
    change = _set_attendees(meeting, attendees or [])
    if change:
        record(obj=meeting, actor=actor, verb="teamwork.meeting_changed", changes=[change])
    return meeting


@transaction.atomic
def update_meeting(
    *,
    meeting: ReviewMeeting,
    actor: User,
    values: dict[str, Any],
    attendees: list[User] | None = None,
) -> ReviewMeeting:
    """Change the record (event `teamwork.meeting_changed`); attendees None: unchanged."""
    if not may_edit_meeting(actor, meeting):
        raise PermissionDenied(_("您不能修改该会议记录。"))
    values = _check_values(values, MEETING_FIELDS)
    if "team" in values and values["team"] != meeting.team:
        _check_team(actor, values["team"])
    save_with_audit(obj=meeting, actor=actor, verb="teamwork.meeting_changed", values=values)
    if attendees is not None:
        change = _set_attendees(meeting, attendees)
        if change:
            record(obj=meeting, actor=actor, verb="teamwork.meeting_changed", changes=[change])
    return meeting


@transaction.atomic
def add_action_item(*, meeting: ReviewMeeting, actor: User, values: dict[str, Any]) -> ActionItem:
    """Add an action to the plan (event `teamwork.action_created` on the item)."""
    if not may_edit_meeting(actor, meeting):
        raise PermissionDenied(_("您不能修改该会议记录。"))
    _check_values(values, ACTION_FIELDS)
    owner = values.get("owner")
    if owner is not None and not owner.is_active:
        raise ValidationError({"owner": _("该用户已停用。")})
    item = ActionItem(meeting=meeting)
    save_with_audit(obj=item, actor=actor, verb="teamwork.action_created", values=values)
    return item


def _move(item: ActionItem, *, source: str, **values) -> None:
    won = ActionItem.objects.filter(pk=item.pk, status=source).update(**values)
    if won != 1:
        raise ValidationError({"status": _("行动项状态已变化，请刷新后重试。")})
    item.refresh_from_db()


@transaction.atomic
def complete_action_item(
    *, item: ActionItem, actor: User, now: datetime | None = None
) -> ActionItem:
    """open → done (event `teamwork.action_done`)."""
    if not may_handle_action(actor, item):
        raise PermissionDenied(_("您不能更新该行动项。"))
    _move(item, source=ActionStatus.OPEN, status=ActionStatus.DONE, done_at=now or timezone.now())
    record(
        obj=item,
        actor=actor,
        verb="teamwork.action_done",
        changes=[{"field": "status", "before": ActionStatus.OPEN, "after": ActionStatus.DONE}],
    )
    return item


@transaction.atomic
def reopen_action_item(*, item: ActionItem, actor: User) -> ActionItem:
    """done → open (event `teamwork.action_reopened`)."""
    if not may_handle_action(actor, item):
        raise PermissionDenied(_("您不能更新该行动项。"))
    _move(item, source=ActionStatus.DONE, status=ActionStatus.OPEN, done_at=None)
    record(
        obj=item,
        actor=actor,
        verb="teamwork.action_reopened",
        changes=[{"field": "status", "before": ActionStatus.DONE, "after": ActionStatus.OPEN}],
    )
    return item
