"""Demo follow-ups: backdated, realistic, living agenda, idempotent."""

import random
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from loudou.activities.demo import simulate_follow_ups
from loudou.activities.models import FollowUp
from loudou.leads.choices import LeadStatus
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(rep, teammate):
    now = timezone.now()
    made = []
    for n in range(30):
        with time_machine.travel(now - timedelta(days=60 - n), tick=False):
            made.append(make_lead(actor=rep if n % 2 else teammate, company_name=f"演示公司{n}"))
    return made


def test_simulated_follow_ups_are_backdated_mixed_and_leave_open_actions(leads):
    # given
    now = timezone.now()
    # when
    created = simulate_follow_ups(leads=leads, rng=random.Random(7), now=now)
    # then
    follow_ups = list(FollowUp.objects.select_related("lead"))
    assert created == len(follow_ups) > 0
    assert all(fu.lead.captured_at < fu.occurred_at <= now for fu in follow_ups)
    assert all(fu.author_id == fu.lead.owner_id for fu in follow_ups)
    followed = {fu.lead_id for fu in follow_ups}
    assert 0.4 * len(leads) <= len(followed) < len(leads)
    assert len({fu.channel for fu in follow_ups}) >= 3
    assert any(fu.feedback_category_id for fu in follow_ups)
    open_actions = [fu for fu in follow_ups if fu.is_open]
    assert any(fu.next_action_due < now for fu in open_actions)
    assert any(fu.next_action_due > now for fu in open_actions)
    assert any(fu.result == "done" and fu.next_action for fu in follow_ups)
    statuses = dict(Lead.objects.filter(pk__in=followed).values_list("pk", "status"))
    assert set(statuses.values()) == {LeadStatus.IN_PROGRESS}


def test_a_second_run_adds_nothing(leads):
    # given
    now = timezone.now()
    simulate_follow_ups(leads=leads, rng=random.Random(7), now=now)
    count = FollowUp.objects.count()
    # when
    again = simulate_follow_ups(leads=leads, rng=random.Random(8), now=now)
    # then
    assert again == 0
    assert FollowUp.objects.count() == count
