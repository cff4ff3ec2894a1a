import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from loudou.assignment.choices import AssignVia, EntryReason
from loudou.assignment.models import Assignment, PoolEntry
from loudou.assignment.services import claim_from_pool, recycle, release_to_pool
from loudou.assignment.tests.factories import make_pool, pooled_lead
from loudou.core.models import Event
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead
from loudou.org.choices import Role
from loudou.org.tests.factories import UserFactory
from loudou.pipeline.models import Stage

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def _events(lead, verb):
    return list(Event.objects.for_object(lead).filter(verb=verb))


def test_rep_claims_a_pooled_lead(rep, marketing):
    # given
    pool = make_pool()
    lead = pooled_lead(pool=pool, actor=marketing)

    # when
    claimed = claim_from_pool(lead_id=lead.pk, rep=rep, now=NOW)

    # then
    assert (claimed.owner, claimed.assigned_at) == (rep, NOW)
    assert not PoolEntry.objects.filter(lead=lead).exists()
    record = Assignment.objects.get(lead=lead)
    assert (record.user, record.via, record.pool, record.at) == (rep, AssignVia.CLAIM, pool, NOW)
    [event] = _events(lead, "lead.claimed")
    assert (event.actor, event.reason) == (rep, "华东公海")


def test_claiming_a_lead_already_claimed_is_refused(rep, teammate, marketing):
    # given
    lead = pooled_lead(pool=make_pool(), actor=marketing)
    claim_from_pool(lead_id=lead.pk, rep=teammate, now=NOW)

    # when
    with pytest.raises(ValidationError) as refused:
        claim_from_pool(lead_id=lead.pk, rep=rep, now=NOW)

    # then
    assert refused.value.code == "not_in_pool"
    lead.refresh_from_db()
    assert lead.owner == teammate
    assert Assignment.objects.filter(lead=lead).count() == 1


def test_claims_beyond_the_daily_cap_are_refused_and_write_nothing(rep, marketing):
    # given
    pool = make_pool(max_claims_per_day=2)
    leads = [pooled_lead(pool=pool, actor=marketing, company_name=f"公司{i}") for i in range(3)]
    for lead in leads[:2]:
        claim_from_pool(lead_id=lead.pk, rep=rep, now=NOW)
    events_before = Event.objects.count()

    # when
    with pytest.raises(ValidationError) as refused:
        claim_from_pool(lead_id=leads[2].pk, rep=rep, now=NOW)

    # then
    assert refused.value.code == "daily_cap"
    assert refused.value.messages == ["今天已从华东公海领取 2 条线索，达到每日上限。"]
    leads[2].refresh_from_db()
    assert leads[2].owner is None
    assert PoolEntry.objects.filter(lead=leads[2]).exists()
    assert Assignment.objects.filter(user=rep).count() == 2
    assert Event.objects.count() == events_before


def test_the_daily_cap_resets_the_next_local_day(rep, marketing):
    # given
    pool = make_pool(max_claims_per_day=1)
    first, second = (pooled_lead(pool=pool, actor=marketing, company_name=n) for n in "甲乙")
    claim_from_pool(lead_id=first.pk, rep=rep, now=NOW)

    # when
    claim_from_pool(lead_id=second.pk, rep=rep, now=NOW + timedelta(days=1))

    # then
    assert Lead.objects.filter(owner=rep).count() == 2


def test_claims_beyond_the_holding_cap_are_refused(rep, marketing):
    # given
    pool = make_pool(max_holding=1)
    make_lead(actor=rep)
    lead = pooled_lead(pool=pool, actor=marketing)

    # when
    with pytest.raises(ValidationError) as refused:
        claim_from_pool(lead_id=lead.pk, rep=rep, now=NOW)

    # then
    assert refused.value.code == "holding_cap"
    assert refused.value.messages == ["您已持有 1 条线索，达到上限 1。"]
    lead.refresh_from_db()
    assert lead.owner is None
    assert not Assignment.objects.exists()


def test_marketing_cannot_claim(marketing):
    # given
    lead = pooled_lead(pool=make_pool(), actor=marketing)

    # when
    with pytest.raises(PermissionDenied):
        claim_from_pool(lead_id=lead.pk, rep=marketing, now=NOW)

    # then
    lead.refresh_from_db()
    assert lead.owner is None


def test_release_puts_the_lead_in_the_pool_with_cool_downs(rep):
    # given
    pool = make_pool(cooldown_days=7, previous_owner_cooldown_days=30)
    lead = make_lead(actor=rep)

    # when
    release_to_pool(lead=lead, pool=pool, actor=rep, now=NOW)

    # then
    lead.refresh_from_db()
    assert lead.owner is None
    entry = PoolEntry.objects.get(lead=lead)
    assert (entry.pool, entry.reason, entry.previous_owner) == (pool, EntryReason.RELEASED, rep)
    assert entry.cooldown_until == NOW + timedelta(days=7)
    assert entry.previous_owner_cooldown_until == NOW + timedelta(days=30)
    [event] = _events(lead, "lead.released")
    assert event.changes == [{"field": "owner", "before": str(rep), "after": None}]


def test_abandoned_lead_waits_out_the_cool_down_and_the_previous_owner_longer(rep, teammate):
    # given
    pool = make_pool(cooldown_days=7, previous_owner_cooldown_days=30)
    lead = make_lead(actor=rep)
    release_to_pool(lead=lead, pool=pool, actor=rep, now=NOW)

    # when
    with pytest.raises(ValidationError) as too_soon:
        claim_from_pool(lead_id=lead.pk, rep=teammate, now=NOW + timedelta(days=6))
    with pytest.raises(ValidationError) as previous_owner:
        claim_from_pool(lead_id=lead.pk, rep=rep, now=NOW + timedelta(days=8))
    claim_from_pool(lead_id=lead.pk, rep=teammate, now=NOW + timedelta(days=8))

    # then
    assert too_soon.value.code == "cooldown"
    assert too_soon.value.messages == ["该线索冷处理中，2026-06-08 10:00 之后才能领取。"]
    assert previous_owner.value.code == "previous_owner_cooldown"
    assert previous_owner.value.messages == ["您是原负责人，2026-07-01 之前不能再领取。"]
    lead.refresh_from_db()
    assert lead.owner == teammate
    assert Assignment.objects.filter(lead=lead).count() == 1


def test_rep_cannot_release_another_reps_lead(rep, teammate):
    # given
    pool = make_pool()
    lead = make_lead(actor=teammate)

    # when
    with pytest.raises(PermissionDenied):
        release_to_pool(lead=lead, pool=pool, actor=rep, now=NOW)

    # then
    lead.refresh_from_db()
    assert lead.owner == teammate
    assert not PoolEntry.objects.exists()
    assert _events(lead, "lead.released") == []


def test_manager_releases_a_team_members_lead(manager, rep):
    # given
    pool = make_pool()
    lead = make_lead(actor=rep)

    # when
    release_to_pool(lead=lead, pool=pool, actor=manager, now=NOW)

    # then
    lead.refresh_from_db()
    assert lead.owner is None
    assert PoolEntry.objects.get(lead=lead).previous_owner == rep


def test_recycle_moves_leads_without_follow_up_by_grade(rep, time_machine):
    # given
    time_machine.move_to(NOW - timedelta(days=20))
    pool = make_pool(protection_days=30, protection_days_by_grade={"C": 15})
    c_lead = make_lead(actor=rep, company_name="丙公司")
    a_lead = make_lead(actor=rep, company_name="甲公司")
    Lead.objects.filter(pk=a_lead.pk).update(intent_grade="A")
    time_machine.move_to(NOW)

    # when
    moved = recycle(NOW)
    again = recycle(NOW)

    # then
    assert (moved, again) == (1, 0)
    c_lead.refresh_from_db()
    a_lead.refresh_from_db()
    assert (c_lead.owner, a_lead.owner) == (None, rep)
    entry = PoolEntry.objects.get(lead=c_lead)
    assert (entry.pool, entry.reason, entry.cooldown_until) == (
        pool,
        EntryReason.NO_FOLLOW_UP,
        None,
    )
    [event] = _events(c_lead, "lead.recycled")
    assert event.actor is None


def test_recycle_moves_lost_leads_with_a_cool_down(rep, time_machine):
    # given
    time_machine.move_to(NOW - timedelta(days=1))
    pool = make_pool(cooldown_days=7)
    lead = make_lead(actor=rep)
    lost = Stage.objects.filter(kind="lost").first()
    Lead.objects.filter(pk=lead.pk).update(stage=lost, stage_entered_at=NOW)

    # when
    moved = recycle(NOW)

    # then
    assert moved == 1
    entry = PoolEntry.objects.get(lead=lead)
    assert (entry.pool, entry.reason, entry.cooldown_until) == (
        pool,
        EntryReason.LOST,
        NOW + timedelta(days=7),
    )


def test_recycle_picks_the_most_specific_pool(rep, time_machine):
    # given
    time_machine.move_to(NOW)
    from loudou.org.models import Region

    east = Region.objects.first()
    make_pool(name="总公海")
    regional = make_pool(name="区域公海", region=east)
    lead = make_lead(actor=rep, region=east)
    Lead.objects.filter(pk=lead.pk).update(assigned_at=NOW - timedelta(days=60))

    # when
    recycle(NOW)

    # then
    assert PoolEntry.objects.get(lead=lead).pool == regional


@pytest.mark.django_db(transaction=True)
def test_of_many_concurrent_claims_exactly_one_wins():
    # given
    threads = 8
    marketing = UserFactory(username="mkt", role=Role.MARKETING)
    reps = [UserFactory(username=f"r{i}", role=Role.JUNIOR_REP) for i in range(threads)]
    lead = pooled_lead(pool=make_pool(), actor=marketing)
    start = threading.Barrier(threads)

    def claim(rep) -> str:
        try:
            start.wait(timeout=30)
            claim_from_pool(lead_id=lead.pk, rep=rep, now=NOW)
        except ValidationError as refused:
            return refused.code
        finally:
            connection.close()
        return "won"

    # when
    with ThreadPoolExecutor(max_workers=threads) as executor:
        outcomes = list(executor.map(claim, reps))

    # then
    assert outcomes.count("won") == 1
    assert set(outcomes) - {"won"} <= {"taken", "not_in_pool"}
    winner = reps[outcomes.index("won")]
    lead.refresh_from_db()
    assert lead.owner == winner
    assert Assignment.objects.filter(lead=lead).count() == 1
    assert len(_events(lead, "lead.claimed")) == 1
    assert not PoolEntry.objects.filter(lead=lead).exists()


def test_the_periodic_task_recycles(rep, time_machine):
    # given
    from loudou.assignment.tasks import recycle_leads

    time_machine.move_to(NOW - timedelta(days=40))
    make_pool(protection_days=30)
    lead = make_lead(actor=rep)
    time_machine.move_to(NOW)

    # when
    moved = recycle_leads.call()

    # then
    assert moved == 1
    lead.refresh_from_db()
    assert lead.owner is None


@pytest.mark.django_db(transaction=True)
def test_parallel_claims_by_one_rep_cannot_pass_the_daily_cap():
    # given
    threads = 6
    marketing = UserFactory(username="mkt", role=Role.MARKETING)
    rep = UserFactory(username="greedy", role=Role.JUNIOR_REP)
    pool = make_pool(max_claims_per_day=2)
    leads = [pooled_lead(pool=pool, actor=marketing, company_name=f"公司{i}") for i in range(6)]
    start = threading.Barrier(threads)

    def claim(lead) -> str:
        try:
            start.wait(timeout=30)
            claim_from_pool(lead_id=lead.pk, rep=rep, now=NOW)
        except ValidationError as refused:
            return refused.code
        finally:
            connection.close()
        return "won"

    # when
    with ThreadPoolExecutor(max_workers=threads) as executor:
        outcomes = list(executor.map(claim, leads))

    # then
    assert sorted(outcomes) == ["daily_cap"] * 4 + ["won"] * 2
    assert Lead.objects.filter(owner=rep).count() == 2
    assert Assignment.objects.filter(user=rep).count() == 2
    assert Event.objects.filter(verb="lead.claimed").count() == 2
