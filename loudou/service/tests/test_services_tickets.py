"""Ticket lifecycle and escalation (new → in progress → resolved → closed, reopen)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from loudou.core.models import Event
from loudou.notifications.models import Notification
from loudou.service import services
from loudou.service.choices import Escalation, TicketStatus, Tier
from loudou.service.models import Ticket
from loudou.service.tests.factories import (
    local,
    make_contact,
    make_customer,
    make_ticket,
    set_tier,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def vip(rep):
    customer = make_customer(owner=rep)
    set_tier(customer, Tier.VIP)
    return customer


@pytest.fixture
def ticket(rep, vip):
    # Monday 09:00: response due 11:00, resolution due Wednesday 15:00 (9 + 9 + 6 h)
    return make_ticket(actor=rep, customer=vip, opened_at=local(2026, 3, 9, 9, 0))


def _sent():
    return list(Notification.objects.order_by("pk").values_list("user__username", "kind", "title"))


def test_a_ticket_goes_from_new_to_closed_and_can_be_reopened(rep, ticket):
    # when
    services.respond_ticket(
        ticket=ticket, actor=rep, body="已安排工程师", now=local(2026, 3, 9, 9, 40)
    )
    services.resolve_ticket(
        ticket=ticket, actor=rep, body="更换传感器", now=local(2026, 3, 10, 16, 0)
    )
    services.rate_ticket(ticket=ticket, actor=rep, satisfaction=5, comment="响应很快")
    services.close_ticket(ticket=ticket, actor=rep, now=local(2026, 3, 10, 17, 0))
    # then
    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction, ticket.satisfaction_comment) == (
        TicketStatus.CLOSED,
        5,
        "响应很快",
    )
    assert (ticket.response_breached, ticket.resolution_breached) == (False, False)
    assert list(ticket.notes.values_list("body", flat=True)) == ["已安排工程师", "更换传感器"]
    # when reopened
    services.reopen_ticket(ticket=ticket, actor=rep, reason="问题复现")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_at, ticket.closed_at, ticket.reopened) == (
        TicketStatus.IN_PROGRESS,
        None,
        None,
        1,
    )
    verbs = list(
        Event.objects.filter(object_id=ticket.pk).order_by("pk").values_list("verb", flat=True)
    )
    assert verbs == [
        "service.ticket_opened",
        "service.ticket_responded",
        "service.ticket_resolved",
        "service.ticket_rated",
        "service.ticket_closed",
        "service.ticket_reopened",
    ]


def test_a_second_reply_keeps_the_first_response_time(rep, ticket):
    services.respond_ticket(ticket=ticket, actor=rep, body="收到", now=local(2026, 3, 9, 9, 30))
    services.respond_ticket(ticket=ticket, actor=rep, body="处理中", now=local(2026, 3, 9, 12, 0))
    ticket.refresh_from_db()
    assert (ticket.first_response_at, ticket.response_breached) == (local(2026, 3, 9, 9, 30), False)


@pytest.mark.parametrize(
    ("call", "status"),
    [
        ("close", TicketStatus.NEW),
        ("rate", TicketStatus.IN_PROGRESS),
        ("reopen", TicketStatus.NEW),
    ],
)
def test_a_change_from_the_wrong_status_is_refused(rep, ticket, call, status):
    # given
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    ticket.refresh_from_db()
    calls = {
        "close": lambda: services.close_ticket(ticket=ticket, actor=rep),
        "rate": lambda: services.rate_ticket(ticket=ticket, actor=rep, satisfaction=4),
        "reopen": lambda: services.reopen_ticket(ticket=ticket, actor=rep, reason="x"),
    }
    # when / then
    with pytest.raises(ValidationError):
        calls[call]()
    ticket.refresh_from_db()
    assert ticket.status == status
    assert Event.objects.filter(object_id=ticket.pk).count() == 1  # the opening only


def test_the_assignee_defaults_to_the_customer_owner_and_the_contact_must_be_the_customers(
    rep, director, vip
):
    other = make_customer(owner=rep, name="别的客户")
    with pytest.raises(ValidationError):
        make_ticket(
            actor=director,
            customer=vip,
            opened_at=local(2026, 3, 9, 9, 0),
            contact=make_contact(customer=other),
        )
    ticket = make_ticket(actor=director, customer=vip, opened_at=local(2026, 3, 9, 9, 0))
    assert ticket.assignee == rep
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("who", ["teammate", "other_team_rep", "marketing"])
def test_people_without_the_customer_cannot_open_or_work_its_tickets(cast, ticket, vip, who):
    with pytest.raises(PermissionDenied):
        make_ticket(actor=cast[who], customer=vip, opened_at=local(2026, 3, 9, 9, 0))
    with pytest.raises(PermissionDenied):
        services.respond_ticket(ticket=ticket, actor=cast[who], body="x")
    ticket.refresh_from_db()
    assert (Ticket.objects.count(), ticket.status) == (1, TicketStatus.NEW)


def test_the_assignee_from_support_may_work_a_ticket_of_a_customer_they_do_not_own(rep, ticket):
    from loudou.org.choices import Role
    from loudou.org.tests.factories import UserFactory

    support = UserFactory(username="support", role=Role.SUPPORT)
    services.assign_ticket(ticket=ticket, actor=rep, assignee=support)
    services.respond_ticket(
        ticket=ticket, actor=support, body="远程排查", now=local(2026, 3, 9, 10, 0)
    )
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (support, TicketStatus.IN_PROGRESS)


# escalation ----------------------------------------------------------------------------


def test_escalation_reaches_the_manager_once_then_the_director_once(ticket, director):
    # when the scan runs every few minutes around the deadlines
    runs = [
        services.escalate_tickets(local(2026, 3, 9, 10, 29)),  # 31 min before: nothing
        services.escalate_tickets(local(2026, 3, 9, 10, 30)),  # 30 min before: manager
        services.escalate_tickets(local(2026, 3, 9, 10, 45)),
        services.escalate_tickets(local(2026, 3, 9, 11, 5)),  # response breached
        services.escalate_tickets(local(2026, 3, 11, 15, 0)),  # exactly at resolution due
        services.escalate_tickets(local(2026, 3, 11, 15, 0, 1)),  # resolution breached
        services.escalate_tickets(local(2026, 3, 11, 15, 5)),
        services.escalate_tickets(local(2026, 3, 12, 9, 0)),
    ]
    # then
    assert runs == [0, 1, 0, 0, 0, 1, 0, 0]
    assert _sent() == [
        ("manager", "service_ticket_escalated", "工单即将超时，已升级：设备无法启动"),
        ("director", "service_ticket_escalated", "工单解决超时，已升级至总监：设备无法启动"),
    ]
    ticket.refresh_from_db()
    assert (ticket.escalation, ticket.response_breached, ticket.resolution_breached) == (
        Escalation.DIRECTOR,
        True,
        True,
    )
    assert Event.objects.filter(verb="service.ticket_escalated").count() == 2


def test_a_ticket_found_long_past_its_deadline_tells_manager_and_director_once(ticket, director):
    # when the first scan runs two days late, twice
    runs = [services.escalate_tickets(local(2026, 3, 12, 9, 0)) for _ in range(2)]
    # then
    assert runs == [2, 0]
    assert [user for user, _kind, _title in _sent()] == ["manager", "director"]


def test_a_resolved_ticket_is_not_escalated(rep, ticket, director):
    services.resolve_ticket(ticket=ticket, actor=rep, now=local(2026, 3, 9, 9, 30))
    assert services.escalate_tickets(local(2026, 3, 12, 9, 0)) == 0
    assert Notification.objects.count() == 0


def test_an_escalation_claimed_by_another_run_sends_nothing(ticket, director):
    from loudou.service.services.escalation import escalate_one

    # given another run already holds level 1
    Ticket.objects.filter(pk=ticket.pk).update(escalation=Escalation.MANAGER)
    # when this run, which read the ticket before, tries level 1
    sent = escalate_one(ticket, Escalation.MANAGER, local(2026, 3, 9, 10, 40))
    # then
    assert sent == 0
    assert Notification.objects.count() == 0
