"""Automatic assignment at intake: rules, pool, left to marketing, self-sourced credit."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from loudou.assignment.choices import AssignVia, EntryReason, IntakeMode
from loudou.assignment.models import Assignment, IntakePolicy, PoolEntry
from loudou.assignment.services.intake import (
    assign_at_intake,
    credit_self_sourced,
    credit_self_sourced_many,
)
from loudou.assignment.tests.factories import make_pool
from loudou.core.models import Event
from loudou.leads.models import Lead, SourceChannel
from loudou.leads.selectors import visible_leads
from loudou.leads.tests.factories import make_lead
from loudou.org.models import Region

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def only_rep_available(rep, teammate):
    """Of the cast only `rep` (senior) may receive leads by rule: `teammate` is on leave."""
    teammate.on_leave = True
    teammate.save()
    return rep


def test_rules_mode_gives_the_lead_to_the_rep_the_rules_choose(marketing, only_rep_available):
    # given
    lead = make_lead(actor=marketing)

    # when
    intake = assign_at_intake(lead, via="import", now=NOW)

    # then
    lead.refresh_from_db()
    assert intake.outcome == "assigned"
    assert (lead.owner, lead.assigned_at) == (only_rep_available, NOW)
    assert (intake.assignment.user, intake.assignment.via) == (only_rep_available, AssignVia.RULE)
    assert f"加权轮询选中 {only_rep_available}" in intake.assignment.explanation
    assert intake.assignment.actor is None
    assert lead.customer.owner == only_rep_available
    assert not PoolEntry.objects.exists()


def test_rules_mode_without_an_eligible_rep_puts_the_lead_in_its_pool(rep, teammate, marketing):
    # given: everybody on leave
    for user in (rep, teammate):
        user.on_leave = True
        user.save()
    region = Region.objects.first()
    make_pool(name="全国公海")
    regional = make_pool(name="区域公海", region=region)
    lead = make_lead(actor=marketing, region=region)

    # when
    intake = assign_at_intake(lead, via="import", now=NOW)

    # then
    lead.refresh_from_db()
    assert (intake.outcome, intake.pool) == ("pooled", regional)
    assert lead.owner is None
    entry = PoolEntry.objects.get(lead=lead)
    assert (entry.pool, entry.reason, entry.entered_at) == (regional, EntryReason.INTAKE, NOW)
    assert not Assignment.objects.exists()


def test_pool_mode_pools_the_lead_once_however_often_it_is_called(marketing, rep):
    # given
    channel = SourceChannel.objects.first()
    make_pool(name="全国公海")
    by_source = make_pool(name="展会公海", source=channel)
    lead = make_lead(actor=marketing, source=channel)

    # when
    first = assign_at_intake(lead, via="webform", mode=IntakeMode.POOL, now=NOW)
    again = assign_at_intake(lead, via="webform", mode=IntakeMode.POOL, now=NOW)

    # then
    assert (first.outcome, first.pool) == ("pooled", by_source)
    assert (again.outcome, again.pool) == ("pooled", by_source)
    assert PoolEntry.objects.filter(lead=lead).count() == 1
    assert Event.objects.for_object(lead).filter(verb="lead.pooled").count() == 1
    lead.refresh_from_db()
    assert lead.owner is None


def test_pool_mode_without_a_matching_pool_leaves_the_lead_unowned(marketing):
    # given
    make_pool(name="区域公海", region=Region.objects.first())
    lead = make_lead(actor=marketing, region=None)

    # when
    intake = assign_at_intake(lead, via="webform", mode=IntakeMode.POOL, now=NOW)

    # then
    assert (intake.outcome, intake.pool) == ("left", None)
    assert not PoolEntry.objects.exists()


def test_marketing_mode_leaves_the_lead_to_marketing_who_still_sees_it(marketing, rep):
    # given: the default policy
    make_pool()
    lead = make_lead(actor=marketing)

    # when
    intake = assign_at_intake(lead, via="form", now=NOW)

    # then
    assert IntakePolicy.current().marketing_mode == IntakeMode.MARKETING
    assert intake.outcome == "left"
    assert list(visible_leads(marketing).filter(pk=lead.pk)) == [lead]
    assert not PoolEntry.objects.exists()
    assert not Assignment.objects.exists()


def test_the_marketing_policy_decides_for_leads_entered_by_hand(marketing, only_rep_available):
    # given
    IntakePolicy.objects.update_or_create(pk=1, defaults={"marketing_mode": IntakeMode.RULES})
    lead = make_lead(actor=marketing)

    # when
    intake = assign_at_intake(lead, via="api", now=NOW)

    # then
    lead.refresh_from_db()
    assert (intake.outcome, lead.owner) == ("assigned", only_rep_available)
    assert not visible_leads(marketing).filter(pk=lead.pk).exists()


def test_an_invalid_lead_is_left_out_of_assignment(marketing, only_rep_available):
    # given: no contact method at all (无效线索)
    lead = make_lead(actor=marketing, phone="")

    # when
    intake = assign_at_intake(lead, via="import", now=NOW)

    # then
    lead.refresh_from_db()
    assert (lead.is_valid, intake.outcome, lead.owner) == (False, "left", None)
    assert not Assignment.objects.exists()


def test_a_reps_own_lead_is_credited_self_sourced_exactly_once(rep):
    # given
    lead = make_lead(actor=rep)

    # when
    first = assign_at_intake(lead, via="form", now=NOW)
    again = assign_at_intake(lead, via="import", now=NOW)
    direct = credit_self_sourced(lead=lead)

    # then
    assert first.outcome == again.outcome == "self_sourced"
    assert first.assignment == again.assignment == direct
    [credit] = Assignment.objects.filter(lead=lead)
    assert (credit.user, credit.via, credit.rule) == (rep, AssignVia.SELF_SOURCED, None)
    assert credit.explanation == f"自主开发：{rep} 录入的客户归其本人"


def test_the_database_refuses_a_second_self_sourced_credit(rep):
    # given
    lead = make_lead(actor=rep)
    credit = credit_self_sourced(lead=lead, now=NOW)

    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(lead=lead, user=rep, via=AssignVia.SELF_SOURCED, at=NOW)
    assert list(Assignment.objects.all()) == [credit]


def test_a_lead_registered_for_someone_else_is_neither_credited_nor_reassigned(
    manager, rep, teammate
):
    # given
    lead = make_lead(actor=manager, owner=teammate)

    # when
    intake = assign_at_intake(lead, via="form", now=NOW)

    # then
    assert (intake.outcome, intake.assignment) == ("left", None)
    assert Lead.objects.get(pk=lead.pk).owner == teammate
    assert not Assignment.objects.exists()


def test_a_batch_of_leads_is_credited_once_each_and_only_the_self_sourced(
    rep, teammate, manager, marketing
):
    # given: two of rep's own leads (one already credited), one given to teammate, one unowned
    own = [make_lead(actor=rep, company_name=f"自有{i}") for i in range(2)]
    credit_self_sourced(lead=own[0], now=NOW)
    given = make_lead(actor=manager, owner=teammate, company_name="分给组员")
    unowned = make_lead(actor=marketing, company_name="市场部")

    # when
    counted = credit_self_sourced_many(lead_ids=[*(x.pk for x in own), given.pk, unowned.pk])

    # then
    assert counted == 2
    rows = Assignment.objects.order_by("lead_id").values_list("lead_id", "user_id", "via")
    assert list(rows) == [(x.pk, rep.pk, AssignVia.SELF_SOURCED) for x in own]
