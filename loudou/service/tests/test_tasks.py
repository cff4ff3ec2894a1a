"""The worker's entry points call the services at the current time."""

from datetime import date

import pytest
import time_machine

from loudou.notifications.models import Notification
from loudou.service import tasks
from loudou.service.choices import Tier
from loudou.service.models import CustomerTier, DueAction
from loudou.service.tests.factories import local, make_customer, make_order, make_ticket, set_tier

pytestmark = pytest.mark.django_db


def test_the_periodic_tasks_run_the_services_now(rep, manager):
    # given a VIP ticket unanswered since Monday 09:00 and a 30万 buyer
    vip = make_customer(owner=rep)
    set_tier(vip, Tier.VIP)
    make_ticket(actor=rep, customer=vip, opened_at=local(2026, 3, 9, 9, 0))
    buyer = make_customer(owner=rep, name="宁波示例塑料有限公司")
    make_order(customer=buyer, amount="300000", ordered_on=date(2026, 3, 1))
    # when the worker runs them on Monday 10:40
    with time_machine.travel(local(2026, 3, 9, 10, 40), tick=False):
        escalated = tasks.escalate_tickets.call()
        tiered = tasks.refresh_tiers.call()
        tasks.remind_due_actions.call()
    # then
    assert (escalated, tiered) == (1, 2)  # the buyer's row created, the VIP one reset
    assert CustomerTier.objects.get(customer=buyer).tier == Tier.KEY
    assert Notification.objects.filter(user=manager).count() == 1
    assert DueAction.objects.filter(customer=buyer).count() == 3  # the 重点 plan's actions


def test_the_worker_schedules_the_service_tasks(settings):
    periodic = dict(settings.LOUDOU_PERIODIC_TASKS)
    assert periodic["loudou.service.tasks.refresh_tiers"] == 24 * 3600
    assert periodic["loudou.service.tasks.remind_due_actions"] == 3600
    assert periodic["loudou.service.tasks.escalate_tickets"] == 300
