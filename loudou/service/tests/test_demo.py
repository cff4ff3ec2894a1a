"""The demo's customer service: made once, with tickets in every state."""

from datetime import date

import pytest
import time_machine

from loudou.service.choices import TicketStatus
from loudou.service.demo import load_demo_service
from loudou.service.models import CustomerTier, DueAction, Evaluation, Ticket
from loudou.service.tests.factories import local, make_customer, make_order

pytestmark = pytest.mark.django_db


def test_the_demo_service_data_is_made_once_with_tickets_in_every_state(cast):
    # given two customers with orders and some without
    users = {"director": cast["director"], "rep1": cast["rep"], "manager1": cast["manager"]}
    big = make_customer(owner=cast["rep"], name="演示大客户")
    make_order(customer=big, amount="800000", ordered_on=date(2026, 2, 1))
    for n in range(10):
        make_customer(owner=cast["rep"], name=f"演示客户{n}")
    now = local(2026, 6, 10, 10, 0)
    # when
    with time_machine.travel(now, tick=False):
        first = load_demo_service(users=users, now=now)
        second = load_demo_service(users=users, now=now)
    # then
    assert first["tickets"] == 7
    assert first["tiered"] == 9
    assert second == {"tiered": 0, "logged": 0, "evaluations": 0, "tickets": 0, "escalations": 0}
    assert CustomerTier.objects.get(customer=big).tier == "vip"
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert statuses == set(TicketStatus.values)
    assert Ticket.objects.filter(response_breached=True).exists()
    assert Ticket.objects.filter(escalation__gt=0).exists()
    assert DueAction.objects.filter(status="done").exclude(feedback="").exists()
    assert Evaluation.objects.count() == first["evaluations"] > 0
