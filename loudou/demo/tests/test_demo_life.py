"""The demo looks like a year of B2B selling: a realistic win rate, abandoned leads with
their reasons, amounts and win factors, a 公海 a rep can claim from, and analytics with
conversion to show."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from loudou.assignment.models import PoolEntry
from loudou.assignment.services import claim_from_pool
from loudou.demo.services import load_demo
from loudou.leads.models import Lead
from loudou.org.models import User
from loudou.pipeline.models import StageChange

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 30, 10, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def year(time_machine):
    """A demo big enough for its shares to mean something."""
    time_machine.move_to(NOW, tick=False)
    return load_demo(leads=200)


@pytest.fixture
def demo(demo_once, time_machine):
    """The demo with 60 leads (loaded once for the module), the clock at NOW."""
    time_machine.move_to(NOW, tick=False)
    return demo_once


def test_the_year_looks_like_b2b_selling(year):
    # given the demo loaded with 200 leads (fixture)
    valid = Lead.objects.filter(is_valid=True)
    won = valid.filter(stage__kind="won")
    # when we read the signing and abandoning moves
    signings = StageChange.objects.filter(to_stage__code="signed")
    losses = StageChange.objects.filter(to_stage__kind="lost")
    # then 8-15% of valid leads signed, each with an amount and the factors that won it;
    # abandoning is far more common, and always has a reason
    assert 0.08 <= won.count() / valid.count() <= 0.15
    assert won.count() == signings.count()
    assert not won.filter(amount=None).exists()
    assert [row.pk for row in signings if not row.win_factors] == []
    assert losses.count() > 3 * won.count()
    assert not losses.filter(lost_reason=None).exists()
    assert len(set(losses.values_list("lost_reason", flat=True))) >= 5


def test_the_pool_has_leads_a_rep_can_claim_at_once(demo):
    # given the demo loaded (fixture), and a rep who never owned the lead
    entries = PoolEntry.objects.filter(
        pool__name="公共公海", lead__owner=None, cooldown_until=None
    ).select_related("lead")
    rep = User.objects.get(username="rep1")
    entry = entries.exclude(previous_owner=rep).first()
    # when the rep claims it
    lead = claim_from_pool(lead_id=entry.lead_id, rep=rep)
    # then the rep owns it and it left the pool
    assert demo["pooled"] == entries.count() + 1 >= 10
    assert lead.owner == rep
    assert not PoolEntry.objects.filter(lead=lead).exists()


def test_a_rep_sees_the_demo_pool_and_claims_from_the_page(demo, client):
    # given the demo loaded (fixture) and rep1 signed in
    rep = User.objects.get(username="rep1")
    entry = PoolEntry.objects.exclude(previous_owner=rep).filter(cooldown_until=None).first()
    client.force_login(rep)
    # when the rep opens the 公海 and claims a lead
    page = client.get(reverse("assignment:pools"))
    claimed = client.post(reverse("assignment:claim", args=[entry.lead_id]))
    # then the page listed the pool's leads and the claim went through
    assert page.status_code == 200
    assert f"公共公海 ({demo['pooled']})" in page.content.decode()
    assert claimed.status_code == 302
    assert Lead.objects.get(pk=entry.lead_id).owner == rep


def test_the_funnel_page_shows_a_non_zero_conversion(demo, client):
    # given the demo loaded (fixture) and the director signed in
    client.force_login(User.objects.get(username="director"))
    # when the director opens the funnel analytics with its default period
    response = client.get(reverse("analytics:funnel"))
    # then the totals show signed leads and a conversion rate above zero
    assert response.status_code == 200
    won, rate = re.search(r"成交 (\d+)，转化率 ([\d.]+)%", response.content.decode()).groups()
    assert int(won) > 0
    assert float(rate) > 0
