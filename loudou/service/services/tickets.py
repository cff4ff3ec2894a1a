"""Service tickets (服务工单): open, reply, assign, resolve, close, reopen, satisfaction.

Each status change is a conditional UPDATE on the status it starts from, so of two
concurrent changes one wins and the other is refused; each writes one audit event.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from loudou.core.audit import record
from loudou.core.text import control_character_errors
from loudou.org.choices import Role
from loudou.org.models import User
from loudou.service.choices import OPEN_STATUSES, Priority, TicketStatus
from loudou.service.models import Ticket, TicketNote
from loudou.service.services.rules import may_serve_customer, may_work_ticket
from loudou.service.services.settings import policies
from loudou.service.services.sla import deadlines
from loudou.service.services.tiers import current_tier

TEXT_LIMITS = {"subject": 200, "description": 5000, "body": 5000, "comment": 2000}
LABELS = {
    "subject": _l("主题"),
    "description": _l("问题描述"),
    "body": _l("内容"),
    "comment": _l("满意度评价"),
}


def _text(values: dict[str, Any], name: str, *, required: bool = False) -> str:
    text = (values.get(name) or "").strip()
    checked = "title" if name == "subject" else name  # the subject is one line
    errors = control_character_errors({checked: text}, {checked: str(LABELS[name])})
    if errors:
        raise ValidationError({name: list(errors.values())})
    if required and not text:
        raise ValidationError({name: [_("此项必填。")]})
    if len(text) > TEXT_LIMITS[name]:
        limit = TEXT_LIMITS[name]
        raise ValidationError({name: [_("最多 {n} 个字。").format(n=limit)]})
    return text


def check_assignee(person: User | None) -> None:
    """A ticket is handled by an active colleague (support staff included), never
    marketing."""
    if person is not None and (not person.is_active or person.role == Role.MARKETING):
        raise ValidationError({"assignee": [_("该用户不能处理工单。")]})


def _check_contact(customer, contact) -> None:
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationError({"contact": [_("联系人不属于该客户。")]})


@transaction.atomic
def open_ticket(
    *, actor: User, customer, values: dict[str, Any], now: datetime | None = None
) -> Ticket:
    """Open a ticket (event `service.ticket_opened`); its deadlines follow the customer's
    current tier. The assignee defaults to the customer's owner, else the actor."""
    if not may_serve_customer(actor, customer):
        raise PermissionDenied(_("您不能为该客户创建工单。"))
    now = now or timezone.now()
    contact, assignee = values.get("contact"), values.get("assignee")
    _check_contact(customer, contact)
    check_assignee(assignee)
    priority = values.get("priority") or Priority.NORMAL
    if priority not in Priority.values:
        raise ValidationError({"priority": [_("不存在的优先级。")]})
    tier = current_tier(customer)
    response_due, resolution_due = deadlines(now, policies()[tier])
    ticket = Ticket.objects.create(
        customer=customer,
        contact=contact,
        subject=_text(values, "subject", required=True),
        description=_text(values, "description"),
        priority=priority,
        assignee=assignee or customer.owner or actor,
        created_by=actor,
        tier=tier,
        opened_at=now,
        response_due=response_due,
        resolution_due=resolution_due,
    )
    record(obj=ticket, actor=actor, verb="service.ticket_opened")
    return ticket


def _guard(ticket: Ticket, actor: User) -> None:
    if not may_work_ticket(actor, ticket):
        raise PermissionDenied(_("您不能处理该工单。"))


def _move(ticket: Ticket, allowed: set[str], **changes) -> None:
    """Conditional UPDATE from one of `allowed`; a ticket elsewhere is refused."""
    won = Ticket.objects.filter(pk=ticket.pk, status__in=allowed).update(**changes)
    if won != 1:
        raise ValidationError({"status": [_("工单当前状态不能执行该操作。")]})
    ticket.refresh_from_db()


def _note(ticket: Ticket, actor: User, body: str, now: datetime) -> None:
    if body:
        TicketNote.objects.create(ticket=ticket, author=actor, body=body, created_at=now)


def _mark_response(ticket: Ticket, now: datetime) -> None:
    """The first reply fixes the response time and whether it was late (exactly once)."""
    Ticket.objects.filter(pk=ticket.pk, first_response_at__isnull=True).update(
        first_response_at=now, response_breached=now > ticket.response_due
    )


@transaction.atomic
def respond_ticket(
    *, ticket: Ticket, actor: User, body: str, now: datetime | None = None
) -> Ticket:
    """Reply (event `service.ticket_responded`): a new ticket goes in progress; the first
    reply is its response time."""
    _guard(ticket, actor)
    now = now or timezone.now()
    text = _text({"body": body}, "body", required=True)
    _move(ticket, OPEN_STATUSES, status=TicketStatus.IN_PROGRESS)
    _mark_response(ticket, now)
    _note(ticket, actor, text, now)
    ticket.refresh_from_db()
    record(obj=ticket, actor=actor, verb="service.ticket_responded")
    return ticket


@transaction.atomic
def assign_ticket(*, ticket: Ticket, actor: User, assignee: User) -> Ticket:
    """Hand the ticket to `assignee` (event `service.ticket_assigned`)."""
    _guard(ticket, actor)
    check_assignee(assignee)
    if assignee is None:
        raise ValidationError({"assignee": [_("请选择处理人。")]})
    before = str(ticket.assignee) if ticket.assignee_id else None
    _move(ticket, OPEN_STATUSES, assignee=assignee)
    change = {"field": "assignee", "before": before, "after": str(assignee)}
    record(obj=ticket, actor=actor, verb="service.ticket_assigned", changes=[change])
    return ticket


@transaction.atomic
def resolve_ticket(
    *, ticket: Ticket, actor: User, body: str = "", now: datetime | None = None
) -> Ticket:
    """Resolve (event `service.ticket_resolved`); a ticket solved without a reply counts
    the resolution as its response too."""
    _guard(ticket, actor)
    now = now or timezone.now()
    text = _text({"body": body}, "body")
    late = now > ticket.resolution_due or ticket.resolution_breached
    _move(
        ticket,
        OPEN_STATUSES,
        status=TicketStatus.RESOLVED,
        resolved_at=now,
        resolution_breached=late,
    )
    _mark_response(ticket, now)
    _note(ticket, actor, text, now)
    ticket.refresh_from_db()
    record(obj=ticket, actor=actor, verb="service.ticket_resolved")
    return ticket


@transaction.atomic
def close_ticket(*, ticket: Ticket, actor: User, now: datetime | None = None) -> Ticket:
    """Close a resolved ticket (event `service.ticket_closed`)."""
    _guard(ticket, actor)
    _move(
        ticket, {TicketStatus.RESOLVED}, status=TicketStatus.CLOSED, closed_at=now or timezone.now()
    )
    record(obj=ticket, actor=actor, verb="service.ticket_closed")
    return ticket


@transaction.atomic
def reopen_ticket(
    *, ticket: Ticket, actor: User, reason: str, now: datetime | None = None
) -> Ticket:
    """Reopen a resolved or closed ticket (event `service.ticket_reopened`, with the
    reason); its deadlines stay those it was opened with."""
    _guard(ticket, actor)
    text = _text({"body": reason}, "body", required=True)
    _move(
        ticket,
        {TicketStatus.RESOLVED, TicketStatus.CLOSED},
        status=TicketStatus.IN_PROGRESS,
        resolved_at=None,
        closed_at=None,
        reopened=ticket.reopened + 1,
    )
    _note(ticket, actor, text, now or timezone.now())
    record(obj=ticket, actor=actor, verb="service.ticket_reopened", reason=text[:500])
    return ticket


@transaction.atomic
def rate_ticket(*, ticket: Ticket, actor: User, satisfaction: int, comment: str = "") -> Ticket:
    """Record the customer's satisfaction (1-5) after resolution (event
    `service.ticket_rated`); a later rating replaces it."""
    _guard(ticket, actor)
    if not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5:
        raise ValidationError({"satisfaction": [_("满意度须为 1 到 5。")]})
    text = _text({"comment": comment}, "comment")
    before = ticket.satisfaction
    _move(
        ticket,
        {TicketStatus.RESOLVED, TicketStatus.CLOSED},
        satisfaction=satisfaction,
        satisfaction_comment=text,
    )
    change = {"field": "satisfaction", "before": before, "after": satisfaction}
    record(obj=ticket, actor=actor, verb="service.ticket_rated", changes=[change])
    return ticket
