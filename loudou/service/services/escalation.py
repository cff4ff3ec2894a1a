"""Escalation of tickets that breached, or are about to breach, their SLA.

The scan runs every few minutes (`escalate_tickets(now)`):
- it sets the breach flags of open tickets whose deadline has passed unanswered/unsolved;
- level 1 (经理): a deadline within `AT_RISK` or passed → the manager of the assignee's
  team (else of the customer owner's team; with no manager, the directors);
- level 2 (总监): the resolution deadline has passed → every active director (admins
  when there is none).
A ticket that jumps straight to level 2 passes through level 1, so the manager hears of
it too. Each level is claimed by a conditional UPDATE on the level before it and each
notification carries a dedupe key: a repeated or concurrent run sends nothing twice.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from loudou.core.audit import record
from loudou.notifications.services import notify
from loudou.org.choices import Role
from loudou.org.models import User
from loudou.service.choices import OPEN_STATUSES, Escalation
from loudou.service.models import Ticket
from loudou.service.services.sla import AT_RISK


def flag_breaches(now: datetime) -> int:
    """Set the breach flags of open tickets past a deadline; returns the rows flagged."""
    waiting = Ticket.objects.filter(status__in=OPEN_STATUSES)
    late_response = waiting.filter(
        first_response_at__isnull=True, response_due__lt=now, response_breached=False
    ).update(response_breached=True)
    late_resolution = waiting.filter(resolution_due__lt=now, resolution_breached=False).update(
        resolution_breached=True
    )
    return late_response + late_resolution


def wanted_level(ticket: Ticket, now: datetime) -> int:
    if now > ticket.resolution_due:
        return Escalation.DIRECTOR
    soon = now + AT_RISK
    pending = ticket.response_due if ticket.first_response_at is None else ticket.resolution_due
    return Escalation.MANAGER if soon >= pending else Escalation.NONE


def _directors() -> list[User]:
    directors = list(User.objects.filter(is_active=True, role=Role.DIRECTOR).order_by("pk"))
    return directors or list(User.objects.filter(is_active=True, role=Role.ADMIN).order_by("pk"))


def recipients(ticket: Ticket, level: int) -> list[User]:
    if level == Escalation.DIRECTOR:
        return _directors()
    for person in (ticket.assignee, ticket.customer.owner):
        team = person.team if person is not None and person.team_id else None
        if team is not None and team.manager_id and team.manager.is_active:
            return [team.manager]
    return _directors()


def _message(ticket: Ticket, level: int, now: datetime) -> tuple[str, str]:
    if level == Escalation.DIRECTOR:
        title = _("工单解决超时，已升级至总监：{subject}")
    elif now > ticket.response_due and ticket.first_response_at is None:
        title = _("工单响应超时，已升级：{subject}")
    else:
        title = _("工单即将超时，已升级：{subject}")
    body = _("客户：{customer}；处理人：{assignee}").format(
        customer=ticket.customer, assignee=ticket.assignee or "—"
    )
    return title.format(subject=ticket.subject), body


@transaction.atomic
def escalate_one(ticket: Ticket, level: int, now: datetime) -> int:
    """Claim `level` for the ticket and notify; 0 when another run already holds it."""
    won = Ticket.objects.filter(
        pk=ticket.pk, escalation=level - 1, status__in=OPEN_STATUSES
    ).update(escalation=level, escalated_at=now)
    if won != 1:
        return 0
    title, body = _message(ticket, level, now)
    sent = 0
    for person in recipients(ticket, level):
        sent += (
            notify(
                user=person,
                kind="service_ticket_escalated",
                title=title,
                body=body,
                url=ticket.get_absolute_url(),
                dedupe_key=f"service:ticket:{ticket.pk}:escalation:{level}:{person.pk}",
            )
            is not None
        )
    change = {"field": "escalation", "before": level - 1, "after": level}
    record(obj=ticket, actor=None, verb="service.ticket_escalated", changes=[change])
    return sent


def escalate_tickets(now: datetime) -> int:
    """Flag breaches and escalate every open ticket due for it; returns the notifications
    created (a repeated run returns 0)."""
    flag_breaches(now)
    soon = now + AT_RISK
    due = Ticket.objects.filter(
        status__in=OPEN_STATUSES, escalation__lt=Escalation.DIRECTOR
    ).filter(
        Q(first_response_at__isnull=True, response_due__lte=soon) | Q(resolution_due__lte=soon)
    )
    due = due.select_related("customer__owner__team__manager", "assignee__team__manager")
    sent = 0
    for ticket in due.order_by("pk"):
        for level in range(ticket.escalation + 1, wanted_level(ticket, now) + 1):
            sent += escalate_one(ticket, level, now)
    return sent
