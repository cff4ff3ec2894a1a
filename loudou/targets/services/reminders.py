"""The reminder scans: an open milestone whose due date has come reminds its owner once
per due date (a new due date is reminded of again); an open improvement action whose
deadline has passed reminds its owner once per deadline, the same way.

Each milestone is claimed by a conditional UPDATE of `reminded_for` (the due date being
reminded of), in the same transaction as its notification: of two scans running at once
exactly one claims it, and a claim whose notification failed rolls back with it. The
notification's dedupe key (milestone and due date) is a second lock on the same door.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.notifications.services import notify
from loudou.targets.choices import ActionStatus, MilestoneStatus
from loudou.targets.models import ImprovementAction, Milestone


def due_milestones(now: datetime) -> QuerySet[Milestone]:
    """Open milestones due today or earlier (local date) not yet reminded of that date."""
    today = timezone.localdate(now)
    return (
        Milestone.objects.filter(status=MilestoneStatus.OPEN, due_date__lte=today)
        .filter(_not_reminded("due_date"))
        .select_related("plan", "owner")
        .order_by("due_date", "id")
    )


def _not_reminded(due_field: str) -> Q:
    """Not yet reminded of the current value of `due_field`."""
    return Q(reminded_for__isnull=True) | ~Q(reminded_for=F(due_field))


def _claim(obj, due_field: str) -> bool:
    """Take the reminder of `obj`'s current due date (`due_field`): one conditional UPDATE
    of `reminded_for`; False if another scan did, or `obj` changed (done, or a new date)
    since it was read."""
    due = getattr(obj, due_field)
    won = (
        type(obj)
        .objects.filter(pk=obj.pk, status="open", **{due_field: due})
        .filter(_not_reminded(due_field))
        .update(reminded_for=due)
    )
    return won == 1


def claim_one(milestone: Milestone) -> bool:
    return _claim(milestone, "due_date")


def _remind(milestone: Milestone, today) -> bool:
    with transaction.atomic():
        if not claim_one(milestone):
            return False
        due = milestone.due_date.isoformat()
        if milestone.due_date < today:
            title = _("策略里程碑已逾期：{title}（{due}）")
        else:
            title = _("策略里程碑今天到期：{title}")
        sent = notify(
            user=milestone.owner,
            kind="milestone_due",
            title=title.format(title=milestone.title, due=due),
            body=_("所属策略：{plan}").format(plan=milestone.plan.title),
            url=f"{milestone.plan.get_absolute_url()}#milestone-{milestone.pk}",
            dedupe_key=f"milestone:{milestone.pk}:{due}",
        )
    return sent is not None


def remind_due_milestones(now: datetime) -> int:
    """Remind the owner of every open milestone whose due date has come, once per due
    date. Returns the notifications created (a second run at once: 0)."""
    today = timezone.localdate(now)
    return sum(_remind(m, today) for m in due_milestones(now))


def overdue_actions(now: datetime) -> QuerySet[ImprovementAction]:
    """Open actions whose deadline has passed (before today, local date) not yet reminded
    of that deadline."""
    today = timezone.localdate(now)
    return (
        ImprovementAction.objects.filter(status=ActionStatus.OPEN, deadline__lt=today)
        .filter(_not_reminded("deadline"))
        .select_related("owner")
        .order_by("deadline", "id")
    )


def claim_action(action: ImprovementAction) -> bool:
    return _claim(action, "deadline")


def _remind_action(action: ImprovementAction) -> bool:
    with transaction.atomic():
        if not claim_action(action):
            return False
        deadline = action.deadline.isoformat()
        title = _("改进措施已逾期：{action}（期限 {deadline}）")
        sent = notify(
            user=action.owner,
            kind="action_overdue",
            title=title.format(action=action.action[:80], deadline=deadline),
            body=_("差异原因：{reason}").format(reason=action.variance_reason[:500]),
            url=action.get_absolute_url(),
            dedupe_key=f"action:{action.pk}:{deadline}",
        )
    return sent is not None


def remind_overdue_actions(now: datetime) -> int:
    """Remind the owner of every open action whose deadline has passed, once per
    deadline. Returns the notifications created (a second run at once: 0)."""
    return sum(_remind_action(a) for a in overdue_actions(now))
