"""The milestone reminder scan: an open milestone whose due date has come reminds its
owner once per due date (a new due date is reminded of again).

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
from loudou.targets.choices import MilestoneStatus
from loudou.targets.models import Milestone


def due_milestones(now: datetime) -> QuerySet[Milestone]:
    """Open milestones due today or earlier (local date) not yet reminded of that date."""
    today = timezone.localdate(now)
    return (
        Milestone.objects.filter(status=MilestoneStatus.OPEN, due_date__lte=today)
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("due_date")))
        .select_related("plan", "owner")
        .order_by("due_date", "id")
    )


def claim_one(milestone: Milestone) -> bool:
    """Take the reminder of `milestone`'s current due date; False if another scan did, or
    the milestone changed (done, or a new due date) since it was read."""
    won = (
        Milestone.objects.filter(
            pk=milestone.pk, status=MilestoneStatus.OPEN, due_date=milestone.due_date
        )
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=milestone.due_date))
        .update(reminded_for=milestone.due_date)
    )
    return won == 1


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
