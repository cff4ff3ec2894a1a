"""The reminder scan: each overdue next action and each SLA breach notifies once."""

from datetime import timedelta

import pytest
import time_machine

from loudou.activities.choices import Result
from loudou.activities.services import complete_next_action, process_due_reminders
from loudou.activities.tasks import scan_reminders
from loudou.activities.tests.factories import local, log, make_high_intent_lead
from loudou.leads.tests.factories import make_lead
from loudou.notifications.models import Notification

pytestmark = pytest.mark.django_db

MONDAY_9 = local(2026, 3, 9, 9, 0)


@pytest.fixture
def overdue_action(rep):
    with time_machine.travel(MONDAY_9, tick=False):
        lead = make_lead(actor=rep, company_name="杭州云帆软件有限公司")
        return log(lead=lead, actor=rep, next_action="寄送样品", next_action_due=MONDAY_9)


def test_overdue_next_action_notifies_its_owner_once_even_when_scanned_twice(rep, overdue_action):
    # given the action due at 09:00; when the scan runs at 09:05 and again at 09:10
    first = process_due_reminders(MONDAY_9 + timedelta(minutes=5))
    second = process_due_reminders(MONDAY_9 + timedelta(minutes=10))
    # then one notification, to the owner, pointing at the lead
    assert (first, second) == (1, 0)
    notification = Notification.objects.get()
    lead = overdue_action.lead
    assert notification.user == rep
    assert notification.kind == "next_action_overdue"
    assert notification.dedupe_key == f"next_action:{overdue_action.pk}:overdue"
    assert notification.title == f"下一步行动已逾期：{lead.number} 杭州云帆软件有限公司"
    assert notification.body == "寄送样品"
    assert notification.url == f"/leads/{lead.pk}/#follow-ups"


def test_actions_not_yet_due_or_closed_do_not_notify(rep, overdue_action):
    # given a later action and the overdue one closed
    with time_machine.travel(MONDAY_9, tick=False):
        log(
            lead=overdue_action.lead,
            actor=rep,
            next_action="回访",
            next_action_due=MONDAY_9 + timedelta(days=1),
        )
        complete_next_action(follow_up=overdue_action, actor=rep, result=Result.DONE)
    # when
    created = process_due_reminders(MONDAY_9 + timedelta(hours=1))
    # then
    assert created == 0
    assert Notification.objects.count() == 0


def test_first_response_breach_notifies_the_owner_once(rep):
    # given a high-intent lead assigned Friday 17:00 and never followed up (due Monday 10:00)
    with time_machine.travel(local(2026, 3, 6, 17, 0), tick=False):
        lead = make_high_intent_lead(actor=rep)
    # when the scan runs before and after the deadline, twice
    before = process_due_reminders(local(2026, 3, 9, 9, 59))
    after = [process_due_reminders(local(2026, 3, 9, 10, 1)) for _ in range(2)]
    # then
    assert (before, after) == (0, [1, 0])
    notification = Notification.objects.get()
    assert notification.user == rep
    assert notification.kind == "sla_breached"
    assert notification.dedupe_key == f"sla:{lead.pk}:first_response"
    assert notification.body == "应在 2026-03-09 10:00 前首次跟进。"


def test_a_followed_up_lead_raises_no_breach(rep):
    # given
    with time_machine.travel(local(2026, 3, 6, 17, 0), tick=False):
        lead = make_high_intent_lead(actor=rep)
        log(lead=lead, actor=rep)
    # when
    created = process_due_reminders(local(2026, 3, 20, 9, 0))
    # then
    assert created == 0


def test_the_task_runs_the_scan_at_the_current_time(rep, overdue_action):
    # when the task body runs after the due time
    with time_machine.travel(MONDAY_9 + timedelta(minutes=1), tick=False):
        created = scan_reminders.call()
    # then
    assert created == 1
    assert Notification.objects.filter(user=rep).count() == 1


def test_open_actions_of_lost_leads_are_not_reminded(rep, overdue_action):
    # given the lead was abandoned
    from loudou.pipeline.models import LostReason, Stage
    from loudou.pipeline.services import move_stage

    abandoned = Stage.objects.get(pipeline__is_default=True, code="abandoned")
    with time_machine.travel(MONDAY_9, tick=False):
        move_stage(
            lead=overdue_action.lead,
            to_stage=abandoned,
            actor=rep,
            via="form",
            lost_reason=LostReason.objects.first(),
        )
    # when
    created = process_due_reminders(MONDAY_9 + timedelta(hours=1))
    # then
    assert created == 0
