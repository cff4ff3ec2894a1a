"""Ticket deadlines and SLA states, counted in working time with the cadence calendar
(`activities.sla.WorkCalendar`: weekly working hours, holidays, 调休 workdays) and its
`add_working_hours`: one arithmetic for leads and tickets.

A deadline is met when the response (or resolution) comes at or before it: a ticket
answered exactly at its deadline is on time, one second later it is breached.
"""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from loudou.activities.sla import WorkCalendar, add_working_hours
from loudou.service.choices import OPEN_STATUSES, SlaView
from loudou.service.models import SlaPolicy, Ticket

#: A deadline closer than this (wall-clock) puts an open ticket "at risk" and escalates it.
AT_RISK = timedelta(minutes=30)


def deadlines(
    opened_at: datetime, policy: SlaPolicy, calendar: WorkCalendar | None = None
) -> tuple[datetime, datetime]:
    """(response due, resolution due) of a ticket opened at `opened_at`."""
    calendar = calendar or WorkCalendar.load()
    return (
        add_working_hours(opened_at, float(policy.response_hours), calendar),
        add_working_hours(opened_at, float(policy.resolution_hours), calendar),
    )


def response_late(ticket: Ticket, now: datetime) -> bool:
    answered = ticket.first_response_at
    return answered > ticket.response_due if answered else now > ticket.response_due


def resolution_late(ticket: Ticket, now: datetime) -> bool:
    solved = ticket.resolved_at
    return solved > ticket.resolution_due if solved else now > ticket.resolution_due


def breaches(ticket: Ticket, now: datetime) -> tuple[bool, bool]:
    """(response late, resolution late) as of `now`: the stored flags, or a deadline that
    has passed since the last scan."""
    return (
        ticket.response_breached or response_late(ticket, now),
        ticket.resolution_breached or resolution_late(ticket, now),
    )


def pending_deadline(ticket: Ticket) -> datetime | None:
    """The next deadline the ticket still runs against (None once resolved)."""
    if ticket.status not in OPEN_STATUSES:
        return None
    return ticket.response_due if ticket.first_response_at is None else ticket.resolution_due


def sla_view(ticket: Ticket, now: datetime) -> str:
    """已超时 when a deadline was missed (or has passed while waiting); 即将超时 within
    AT_RISK of the next deadline; 正常 otherwise."""
    if ticket.response_breached or ticket.resolution_breached:
        return SlaView.BREACHED
    if response_late(ticket, now) or (ticket.is_open and resolution_late(ticket, now)):
        return SlaView.BREACHED
    pending = pending_deadline(ticket)
    if pending is not None and now >= pending - AT_RISK:
        return SlaView.AT_RISK
    return SlaView.ON_TRACK


def breached_q(now: datetime) -> Q:
    waiting = Q(status__in=OPEN_STATUSES)
    return (
        Q(response_breached=True)
        | Q(resolution_breached=True)
        | (waiting & Q(first_response_at__isnull=True, response_due__lt=now))
        | (waiting & Q(resolution_due__lt=now))
    )


def at_risk_q(now: datetime) -> Q:
    """Open, not breached, and the next deadline within AT_RISK."""
    soon = now + AT_RISK
    near = Q(first_response_at__isnull=True, response_due__lte=soon) | Q(
        first_response_at__isnull=False, resolution_due__lte=soon
    )
    return Q(status__in=OPEN_STATUSES) & near & ~breached_q(now)


def filter_sla(tickets, state: str, now: datetime | None = None):
    now = now or timezone.now()
    if state == SlaView.BREACHED:
        return tickets.filter(breached_q(now))
    if state == SlaView.AT_RISK:
        return tickets.filter(at_risk_q(now))
    if state == SlaView.ON_TRACK:
        return tickets.exclude(breached_q(now)).exclude(at_risk_q(now))
    return tickets
