"""Ticket deadlines in working time (the cadence calendar: Mon-Fri 09:00-18:00 as the
default migration seeds it), checked against hand computations.

2026-03-06 is a Friday, 03-07/08 the weekend, 03-09 a Monday."""

import pytest

from loudou.activities.models import Holiday
from loudou.service import services
from loudou.service.choices import SlaView, TicketStatus, Tier
from loudou.service.services.sla import sla_view
from loudou.service.tests.factories import local, make_customer, make_ticket, set_tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def vip(rep):
    customer = make_customer(owner=rep)
    set_tier(customer, Tier.VIP)
    return customer


@pytest.fixture
def normal(rep):
    return make_customer(owner=rep, name="宁波示例塑料有限公司")  # no tier row: 普通


def test_friday_1730_vip_ticket_is_due_monday_1030_and_solved_by_wednesday_1430(rep, vip):
    # when a VIP ticket is opened on Friday at 17:30
    ticket = make_ticket(actor=rep, customer=vip, opened_at=local(2026, 3, 6, 17, 30))
    # then 2 h = Fri 17:30-18:00 (0.5) + Mon 09:00-10:30 (1.5);
    # 24 h = Fri 0.5 + Mon 9 + Tue 9 + Wed 09:00-14:30 (5.5)
    assert ticket.tier == Tier.VIP
    assert ticket.response_due == local(2026, 3, 9, 10, 30)
    assert ticket.resolution_due == local(2026, 3, 11, 14, 30)


def test_a_public_holiday_on_monday_moves_the_response_to_tuesday(rep, vip):
    # given Monday 2026-03-09 is a holiday
    Holiday.objects.create(date=local(2026, 3, 9).date(), name="公共假日")
    # when
    ticket = make_ticket(actor=rep, customer=vip, opened_at=local(2026, 3, 6, 17, 30))
    # then Fri 0.5 h, Mon skipped, Tue 09:00-10:30
    assert ticket.response_due == local(2026, 3, 10, 10, 30)
    # 24 h: Fri 0.5 + Tue 9 + Wed 9 + Thu 09:00-14:30
    assert ticket.resolution_due == local(2026, 3, 12, 14, 30)


def test_a_worked_saturday_counts_like_a_weekday(rep, vip):
    # given Saturday 2026-03-07 is a 调休 workday
    Holiday.objects.create(date=local(2026, 3, 7).date(), name="调休上班", is_workday=True)
    # when
    ticket = make_ticket(actor=rep, customer=vip, opened_at=local(2026, 3, 6, 17, 30))
    # then Fri 0.5 h + Sat 09:00-10:30
    assert ticket.response_due == local(2026, 3, 7, 10, 30)
    # 24 h: Fri 0.5 + Sat 9 + Mon 9 + Tue 09:00-14:30
    assert ticket.resolution_due == local(2026, 3, 10, 14, 30)


@pytest.mark.parametrize(
    ("opened", "response_due"),
    [
        ((2026, 3, 10, 7, 45), (2026, 3, 10, 13, 0)),  # before 9:00: from 09:00
        ((2026, 3, 10, 22, 10), (2026, 3, 11, 13, 0)),  # at night: from 09:00 next day
        ((2026, 3, 8, 15, 0), (2026, 3, 9, 13, 0)),  # on Sunday: from Monday 09:00
        ((2026, 3, 10, 16, 0), (2026, 3, 11, 11, 0)),  # 2 h today, 2 h tomorrow
    ],
)
def test_a_normal_ticket_opened_outside_hours_starts_counting_at_the_next_working_hour(
    rep, normal, opened, response_due
):
    # when
    ticket = make_ticket(actor=rep, customer=normal, opened_at=local(*opened))
    # then 4 working hours
    assert ticket.tier == Tier.NORMAL
    assert ticket.response_due == local(*response_due)


def test_a_normal_ticket_has_72_working_hours_to_be_solved(rep, normal):
    # when opened on Monday 09:00
    ticket = make_ticket(actor=rep, customer=normal, opened_at=local(2026, 3, 9, 9, 0))
    # then eight full days of 9 h: Mon 9 … Fri 13, Mon 16 … Wed 18 at 18:00
    assert ticket.resolution_due == local(2026, 3, 18, 18, 0)


def test_a_key_customer_gets_4_hours_response_and_48_hours_resolution(rep):
    # given
    customer = make_customer(owner=rep, name="温州示例阀门有限公司")
    set_tier(customer, Tier.KEY)
    # when opened Monday 09:00
    ticket = make_ticket(actor=rep, customer=customer, opened_at=local(2026, 3, 9, 9, 0))
    # then 4 h → 13:00; 48 h = 5 × 9 h (Mon-Fri) + 3 h → next Monday 12:00
    assert ticket.response_due == local(2026, 3, 9, 13, 0)
    assert ticket.resolution_due == local(2026, 3, 16, 12, 0)


def test_a_reply_exactly_at_the_deadline_is_on_time(rep, vip):
    # given response due Monday 10:30
    ticket = make_ticket(actor=rep, customer=vip, opened_at=local(2026, 3, 6, 17, 30))
    # when
    services.respond_ticket(ticket=ticket, actor=rep, body="已收到", now=local(2026, 3, 9, 10, 30))
    # then
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.first_response_at == local(2026, 3, 9, 10, 30)
    assert ticket.response_breached is False
    assert sla_view(ticket, local(2026, 3, 9, 10, 30)) == SlaView.ON_TRACK


def test_a_reply_one_second_after_the_deadline_is_breached(rep, vip):
    # given
    ticket = make_ticket(actor=rep, customer=vip, opened_at=local(2026, 3, 6, 17, 30))
    # when
    services.respond_ticket(
        ticket=ticket, actor=rep, body="已收到", now=local(2026, 3, 9, 10, 30, 1)
    )
    # then
    ticket.refresh_from_db()
    assert ticket.response_breached is True
    assert sla_view(ticket, local(2026, 3, 9, 10, 31)) == SlaView.BREACHED


def test_the_scan_flags_a_breach_only_after_the_deadline(rep, vip):
    # given response due Monday 10:30, no reply
    ticket = make_ticket(actor=rep, customer=vip, opened_at=local(2026, 3, 6, 17, 30))
    # when the scan runs exactly at the deadline, then one second later
    at_deadline = services.escalate_tickets(local(2026, 3, 9, 10, 30))
    ticket.refresh_from_db()
    flagged_at_deadline = ticket.response_breached
    services.escalate_tickets(local(2026, 3, 9, 10, 30, 1))
    ticket.refresh_from_db()
    # then
    assert flagged_at_deadline is False
    assert at_deadline == 1  # the manager hears of it 30 minutes before: at risk
    assert ticket.response_breached is True
    assert ticket.resolution_breached is False


def test_resolving_after_the_resolution_deadline_is_breached_and_counts_as_response(rep, vip):
    # given resolution due Wednesday 14:30
    ticket = make_ticket(actor=rep, customer=vip, opened_at=local(2026, 3, 6, 17, 30))
    # when solved Wednesday 14:31 without an earlier reply
    services.resolve_ticket(ticket=ticket, actor=rep, now=local(2026, 3, 11, 14, 31))
    # then
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_at) == (
        TicketStatus.RESOLVED,
        local(2026, 3, 11, 14, 31),
    )
    assert ticket.first_response_at == local(2026, 3, 11, 14, 31)
    assert (ticket.response_breached, ticket.resolution_breached) == (True, True)


def test_an_edited_sla_table_applies_to_tickets_opened_afterwards(rep, vip, director):
    # given VIP response changed to 1 h / 8 h
    old = make_ticket(actor=rep, customer=vip, opened_at=local(2026, 3, 9, 9, 0))
    services.update_sla(actor=director, rows={"vip": {"response_hours": 1, "resolution_hours": 8}})
    # when
    new = make_ticket(actor=rep, customer=vip, opened_at=local(2026, 3, 9, 9, 0))
    # then
    assert (new.response_due, new.resolution_due) == (
        local(2026, 3, 9, 10, 0),
        local(2026, 3, 9, 17, 0),
    )
    old.refresh_from_db()
    assert old.response_due == local(2026, 3, 9, 11, 0)
