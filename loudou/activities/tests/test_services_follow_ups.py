"""Logging follow-ups: status and last contact follow, next actions, validation, audit."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from loudou.activities.choices import Channel, Result
from loudou.activities.models import FollowUp, ObjectionType
from loudou.activities.services import complete_next_action
from loudou.activities.tests.factories import local, log
from loudou.core.models import Event
from loudou.leads.choices import LeadStatus
from loudou.leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 4, 15, 30)


@pytest.fixture
def lead(rep):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        return make_lead(actor=rep)


@time_machine.travel(NOW, tick=False)
def test_follow_up_moves_lead_from_pending_to_in_progress_and_sets_last_contact(rep, lead):
    # given a lead never contacted
    assert lead.status == LeadStatus.PENDING
    price = ObjectionType.objects.get(name="价格太高")
    # when the rep logs a call
    follow_up = log(
        lead=lead,
        actor=rep,
        occurred_at=NOW - timedelta(hours=1),
        channel=Channel.PHONE,
        feedback_category=price,
        feedback_text="觉得年费偏高",
        objection_handling="介绍了分期方案",
        next_action="发送报价单",
        next_action_due=NOW + timedelta(days=2),
    )
    # then the lead is in progress, last contacted at the call, and an event is recorded
    lead.refresh_from_db()
    assert lead.status == LeadStatus.IN_PROGRESS
    assert lead.last_contact_at == NOW - timedelta(hours=1)
    assert follow_up.author == rep
    assert follow_up.next_action_owner == rep
    assert follow_up.result == Result.PENDING
    assert follow_up.is_open
    event = Event.objects.for_object(lead).filter(verb="lead.follow_up").get()
    assert event.actor == rep
    assert {c["field"] for c in event.changes} == {"status", "last_contact_at"}


@time_machine.travel(NOW, tick=False)
def test_follow_up_defaults_to_now_and_done_without_next_action(rep, lead):
    # when
    follow_up = log(lead=lead, actor=rep)
    # then
    assert follow_up.occurred_at == NOW
    assert follow_up.channel == Channel.PHONE
    assert follow_up.result == Result.DONE
    assert follow_up.next_action_owner is None
    assert not follow_up.is_open


@time_machine.travel(NOW, tick=False)
def test_an_older_follow_up_never_moves_last_contact_back(rep, lead):
    # given a call an hour ago
    log(lead=lead, actor=rep, occurred_at=NOW - timedelta(hours=1))
    # when a visit three days back is entered afterwards
    log(lead=lead, actor=rep, occurred_at=NOW - timedelta(days=3), channel=Channel.VISIT)
    # then the last contact stays the later call
    lead.refresh_from_db()
    assert lead.last_contact_at == NOW - timedelta(hours=1)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"summary": "  "}, "summary"),
        ({"next_action_due": NOW + timedelta(days=1)}, "next_action"),
        ({"occurred_at": NOW + timedelta(hours=1)}, "occurred_at"),
        ({"feedback_text": "身份证 11010519491231002X"}, "feedback_text"),
        ({"channel": "pigeon"}, "channel"),
        ({"color": "red"}, "color"),
    ],
)
def test_invalid_follow_up_is_refused_and_nothing_written(rep, lead, values, field):
    # given
    events = Event.objects.count()
    # when / then
    with pytest.raises(ValidationError) as refused:
        log(lead=lead, actor=rep, **values)
    assert field in refused.value.message_dict
    assert FollowUp.objects.count() == 0
    assert Event.objects.count() == events
    lead.refresh_from_db()
    assert lead.status == LeadStatus.PENDING
    assert lead.last_contact_at is None


@time_machine.travel(NOW, tick=False)
def test_rep_cannot_give_the_next_action_to_a_teammate(rep, teammate, lead):
    # when / then
    with pytest.raises(PermissionDenied):
        log(lead=lead, actor=rep, next_action="拜访", next_action_owner=teammate)
    assert FollowUp.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_manager_logs_on_reps_lead_with_next_action_for_the_team(manager, rep, teammate, lead):
    # when the manager logs without naming an owner, then names a teammate
    by_default = log(lead=lead, actor=manager, next_action="回访")
    to_teammate = log(lead=lead, actor=manager, next_action="演示", next_action_owner=teammate)
    # then the default owner is the lead's owner, and the manager may assign in the team
    assert by_default.next_action_owner == rep
    assert to_teammate.next_action_owner == teammate


@time_machine.travel(NOW, tick=False)
def test_completing_a_next_action_closes_it_once(rep, lead):
    # given
    follow_up = log(lead=lead, actor=rep, next_action="发报价", next_action_due=NOW)
    # when
    complete_next_action(follow_up=follow_up, actor=rep, result=Result.DONE)
    # then
    follow_up.refresh_from_db()
    assert follow_up.result == Result.DONE
    assert follow_up.next_action_done_at == NOW
    assert Event.objects.for_object(lead).filter(verb="lead.next_action_done").count() == 1
    # and a second completion is refused without another event
    with pytest.raises(ValidationError):
        complete_next_action(follow_up=follow_up, actor=rep, result=Result.FAILED)
    follow_up.refresh_from_db()
    assert follow_up.result == Result.DONE
    assert Event.objects.for_object(lead).filter(verb__startswith="lead.next_action").count() == 1


@time_machine.travel(NOW, tick=False)
def test_completion_result_must_be_done_or_failed(rep, lead):
    # given
    follow_up = log(lead=lead, actor=rep, next_action="发报价")
    # when / then
    with pytest.raises(ValidationError):
        complete_next_action(follow_up=follow_up, actor=rep, result=Result.PENDING)
    follow_up.refresh_from_db()
    assert follow_up.next_action_done_at is None
