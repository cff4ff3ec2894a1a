"""The customer (and its contacts) follows a lead to its new owner on claim, assignment and
handover — unless another lead of the customer, neither lost nor merged, is someone else's."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from loudou.assignment.choices import HandoverSpread
from loudou.assignment.services import assign_lead, claim_from_pool, release_to_pool
from loudou.assignment.services.handover import plan_handover, run_handover
from loudou.assignment.tests.factories import make_pool, pooled_lead
from loudou.core.models import Event
from loudou.customers.models import Contact, Customer
from loudou.customers.services import follow_lead_owner
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead
from loudou.org.services import issue_api_token
from loudou.pipeline.models import Stage

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


def _under(lead: Lead, customer: Customer) -> Lead:
    """Move `lead` and its contact under `customer` (as a 撞单 link would)."""
    Lead.objects.filter(pk=lead.pk).update(customer=customer)
    Contact.objects.filter(pk=lead.contact_id).update(customer=customer)
    lead.refresh_from_db()
    return lead


def _sees_customer_and_contact(client, user, lead) -> tuple[int, int, int]:
    client.force_login(user)
    page = client.get(reverse("customers:detail", args=[lead.customer_id])).status_code
    api = client.get(f"/api/customers/{lead.customer_id}", **_auth(user)).status_code
    contact = client.get(f"/api/contacts/{lead.contact_id}", **_auth(user)).status_code
    return page, api, contact


def test_claimed_lead_brings_its_customer_and_contact_to_the_claimer(client, rep, marketing):
    # given: marketing's lead in the pool; its customer belongs to nobody
    lead = pooled_lead(pool=make_pool(), actor=marketing)
    assert _sees_customer_and_contact(client, rep, lead) == (404, 404, 404)

    # when
    claim_from_pool(lead_id=lead.pk, rep=rep, now=NOW)

    # then
    assert Customer.objects.get(pk=lead.customer_id).owner == rep
    assert _sees_customer_and_contact(client, rep, lead) == (200, 200, 200)
    [event] = Event.objects.filter(verb="customer.owner_followed")
    assert (event.object_id, event.actor, event.reason) == (lead.customer_id, rep, lead.number)
    assert event.changes == [{"field": "owner", "before": None, "after": str(rep)}]


def test_a_released_and_reclaimed_lead_takes_the_customer_from_the_previous_owner(
    client, rep, teammate
):
    # given
    pool = make_pool(cooldown_days=0)
    lead = make_lead(actor=rep)
    release_to_pool(lead=lead, pool=pool, actor=rep, now=NOW)

    # when
    claim_from_pool(lead_id=lead.pk, rep=teammate, now=NOW)

    # then
    assert Customer.objects.get(pk=lead.customer_id).owner == teammate
    assert _sees_customer_and_contact(client, teammate, lead) == (200, 200, 200)
    assert _sees_customer_and_contact(client, rep, lead) == (404, 404, 404)


def test_assigned_lead_brings_its_customer_to_the_assignee(client, rep, teammate, marketing):
    # given
    teammate.on_leave = True
    teammate.save()
    lead = make_lead(actor=marketing)

    # when
    assignment = assign_lead(lead=lead, actor=marketing, now=NOW)

    # then
    assert assignment.user == rep
    assert Customer.objects.get(pk=lead.customer_id).owner == rep
    assert _sees_customer_and_contact(client, rep, lead) == (200, 200, 200)


def test_handed_over_lead_brings_a_customer_its_old_owner_no_longer_works(
    client, manager, rep, teammate, other_team_rep
):
    # given: rep's lead sits under a customer other_team_rep once worked and lost
    customer = Customer.objects.create(name="旧客户", owner=other_team_rep)
    old = _under(make_lead(actor=other_team_rep, company_name="旧客户"), customer)
    lost = Stage.objects.filter(kind="lost").first()
    Lead.objects.filter(pk=old.pk).update(stage=lost)
    lead = _under(make_lead(actor=rep), customer)
    plan = plan_handover(
        from_user=rep, successors=[teammate], rule=HandoverSpread.ONE, actor=manager
    )

    # when
    run_handover(plan=plan, actor=manager, now=NOW)

    # then
    assert Customer.objects.get(pk=customer.pk).owner == teammate
    assert _sees_customer_and_contact(client, teammate, lead) == (200, 200, 200)


def test_the_customer_stays_with_a_rep_who_still_works_another_of_its_leads(
    rep, teammate, marketing
):
    # given: rep works an open lead of the customer; marketing's second lead is pooled
    mine = make_lead(actor=rep)
    second = _under(pooled_lead(pool=make_pool(), actor=marketing), mine.customer)

    # when
    claim_from_pool(lead_id=second.pk, rep=teammate, now=NOW)

    # then
    assert Customer.objects.get(pk=mine.customer_id).owner == rep
    assert not Event.objects.filter(verb="customer.owner_followed").exists()


def test_following_twice_changes_nothing_the_second_time(rep, marketing):
    # given
    lead = pooled_lead(pool=make_pool(), actor=marketing)
    claim_from_pool(lead_id=lead.pk, rep=rep, now=NOW)
    lead.refresh_from_db()

    # when
    moved = follow_lead_owner(lead=lead, actor=rep)

    # then
    assert moved is False
    assert Event.objects.filter(verb="customer.owner_followed").count() == 1


def test_reassigning_a_lead_on_its_sheet_brings_its_customer_along(client, rep, teammate, manager):
    # given: the rep's lead; the manager gives it to a teammate on the lead's sheet
    from loudou.leads.services import update_lead

    lead = make_lead(actor=rep)
    assert Customer.objects.get(pk=lead.customer_id).owner == rep
    assert _sees_customer_and_contact(client, teammate, lead) == (404, 404, 404)
    # when
    update_lead(actor=manager, lead=lead, values={}, owner=teammate)
    # then
    assert Customer.objects.get(pk=lead.customer_id).owner == teammate
    assert _sees_customer_and_contact(client, teammate, lead) == (200, 200, 200)
