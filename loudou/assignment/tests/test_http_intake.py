"""Intake through the registration form and POST /api/leads: a rep's own lead is credited
self-sourced once; marketing's lead follows the marketing intake mode."""

import pytest
from django.urls import reverse

from loudou.assignment.choices import AssignVia, IntakeMode
from loudou.assignment.models import Assignment, IntakePolicy, PoolEntry
from loudou.assignment.tests.factories import make_pool
from loudou.leads.models import Lead
from loudou.org.services import issue_api_token

pytestmark = pytest.mark.django_db

FORM = {
    "company_name": "杭州数智科技股份有限公司",
    "contact_name": "李娜",
    "phone": "13700001111",
    "decision_cycle": "unknown",
    "need_level": "unknown",
    "budget_fit": "unknown",
    "customer_type": "ordinary",
    "purchasing_power": "medium",
}
BODY = {"company_name": "苏州精工机械有限公司", "contact_name": "赵强", "phone": "13900002222"}


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


def _marketing_mode(mode: str) -> None:
    IntakePolicy.objects.update_or_create(pk=1, defaults={"marketing_mode": mode})


def test_a_rep_registering_on_the_form_is_credited_self_sourced_once(client, rep):
    # given
    client.force_login(rep)

    # when
    response = client.post(reverse("leads:create"), FORM)

    # then
    lead = Lead.objects.get()
    assert response.status_code == 302
    assert response.url == lead.get_absolute_url()
    [credit] = Assignment.objects.all()
    assert (credit.lead, credit.user, credit.via) == (lead, rep, AssignVia.SELF_SOURCED)


def test_a_rep_registering_through_the_api_is_credited_self_sourced_once(client, rep):
    # when
    response = client.post("/api/leads", BODY, content_type="application/json", **_auth(rep))

    # then
    assert response.status_code == 201
    [credit] = Assignment.objects.all()
    assert (credit.lead_id, credit.user, credit.via) == (
        response.json()["id"],
        rep,
        AssignVia.SELF_SOURCED,
    )


def test_marketing_lead_left_to_marketing_stays_visible_to_marketing(client, marketing, rep):
    # given: the default mode
    client.force_login(marketing)

    # when
    response = client.post(reverse("leads:create"), FORM)

    # then
    lead = Lead.objects.get()
    assert response.url == lead.get_absolute_url()
    assert lead.owner is None
    assert client.get(lead.get_absolute_url()).status_code == 200
    assert not Assignment.objects.exists()


def test_marketing_lead_by_rules_goes_to_a_rep_and_marketing_lands_on_the_list(
    client, marketing, rep, teammate
):
    # given
    _marketing_mode(IntakeMode.RULES)
    teammate.on_leave = True
    teammate.save()
    client.force_login(marketing)

    # when
    response = client.post(reverse("leads:create"), FORM)

    # then: no 404 for marketing, who no longer sees the lead
    lead = Lead.objects.get()
    assert (response.status_code, response.url) == (302, reverse("leads:list"))
    assert lead.owner == rep
    assert lead.customer.owner == rep
    assert Assignment.objects.get().via == AssignVia.RULE


def test_marketing_lead_through_the_api_goes_to_the_pool(client, marketing):
    # given
    _marketing_mode(IntakeMode.POOL)
    pool = make_pool()

    # when
    response = client.post("/api/leads", BODY, content_type="application/json", **_auth(marketing))

    # then
    assert response.status_code == 201
    entry = PoolEntry.objects.get()
    assert (entry.lead_id, entry.pool) == (response.json()["id"], pool)


def test_a_merge_on_registration_runs_no_intake(client, marketing):
    # given: marketing's unowned lead, then the rules mode
    first = client.post("/api/leads", BODY, content_type="application/json", **_auth(marketing))
    _marketing_mode(IntakeMode.RULES)
    body = {**BODY, "on_duplicate": "merge", "duplicate_of": first.json()["id"]}

    # when
    response = client.post("/api/leads", body, content_type="application/json", **_auth(marketing))

    # then
    assert response.status_code == 200
    assert Lead.objects.get().owner is None
    assert not Assignment.objects.exists()
