"""Who sees and does what, on the pages and the API alike. Hidden records are 404 on
both; visible ones the user may not change are 403; marketing has no service at all; a
refusal writes nothing."""

import json

import pytest

from loudou.core.models import Event
from loudou.service import services
from loudou.service.choices import TicketStatus, Tier
from loudou.service.models import CustomerTier, DueAction, MaintenancePlan, SlaPolicy, Ticket
from loudou.service.tests.factories import local, make_customer, make_ticket, set_tier

pytestmark = pytest.mark.django_db

EVERYONE = ["rep", "teammate", "manager", "other_manager", "other_team_rep", "director"]
EVERYONE += ["admin_user", "marketing"]
#: who sees rep's customer and its tickets
SEES = {"rep", "manager", "director", "admin_user"}


@pytest.fixture
def people(request, cast, other_manager):
    return {name: request.getfixturevalue(name) for name in EVERYONE}


@pytest.fixture
def world(rep):
    customer = make_customer(owner=rep)
    set_tier(customer, Tier.VIP)
    ticket = make_ticket(actor=rep, customer=customer, opened_at=local(2026, 3, 9, 9, 0))
    services.generate_due_actions(local(2026, 3, 9).date(), customer_ids=[customer.pk])
    due = DueAction.objects.filter(customer=customer).order_by("pk").first()
    return {"customer": customer, "ticket": ticket, "due": due}


def _call(client, user, url: str, method: str = "get", **body) -> int:
    client.force_login(user)
    if method == "get":
        return client.get(url).status_code
    if url.startswith("/api/"):
        return client.generic(
            method.upper(), url, data=json.dumps(body), content_type="application/json"
        ).status_code
    return client.post(url, body).status_code


def _expect(who: str, allowed: int) -> int:
    if who == "marketing":
        return 403
    return allowed if who in SEES else 404


@pytest.mark.parametrize("who", EVERYONE)
def test_a_ticket_page_and_its_api_are_for_those_who_see_the_customer(client, people, world, who):
    ticket = world["ticket"]
    page = _call(client, people[who], f"/service/tickets/{ticket.pk}/")
    api = _call(client, people[who], f"/api/service/tickets/{ticket.pk}")
    # marketing gets the same 404 from the API's access_ticket (it sees no ticket)
    assert page == _expect(who, 200)
    assert api == (404 if who == "marketing" else _expect(who, 200))


@pytest.mark.parametrize("who", EVERYONE)
def test_replying_to_a_ticket_is_for_those_who_see_it(client, people, world, who):
    ticket = world["ticket"]
    page = _call(client, people[who], f"/service/tickets/{ticket.pk}/respond/", "post", body="收到")
    api = _call(
        client, people[who], f"/api/service/tickets/{ticket.pk}/respond", "post", body="收到"
    )
    if who in SEES:
        assert (page, api) == (302, 200)
        assert ticket.notes.count() == 2
    else:
        assert page == (403 if who == "marketing" else 404)
        assert api == 404
        assert ticket.notes.count() == 0
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.NEW


@pytest.mark.parametrize("who", EVERYONE)
def test_a_customers_service_page_and_api_are_for_those_who_see_it(client, people, world, who):
    pk = world["customer"].pk
    assert _call(client, people[who], f"/service/customers/{pk}/") == _expect(who, 200)
    api = _call(client, people[who], f"/api/service/customers/{pk}")
    assert api == (404 if who == "marketing" else _expect(who, 200))


@pytest.mark.parametrize("who", EVERYONE)
def test_logging_a_due_action_is_for_those_who_see_the_customer(client, people, world, who):
    due = world["due"]
    url = f"/api/service/due-actions/{due.pk}/done"
    with __import__("time_machine").travel(local(2026, 3, 10, 9, 0), tick=False):
        page = _call(
            client, people[who], f"/service/actions/{due.pk}/done/", "post", done_on="2026-03-09"
        )
        api = _call(client, people[who], url, "post", done_on="2026-03-09")
    due.refresh_from_db()
    if who in SEES:
        assert (page, api, due.status) == (302, 200, "done")
    else:
        assert (page, api) == ((403 if who == "marketing" else 404), 404)
        assert due.status == "open"


@pytest.mark.parametrize("who", EVERYONE)
def test_only_the_customers_manager_director_and_admin_override_its_tier(
    client, people, world, who
):
    pk = world["customer"].pk
    page = _call(
        client, people[who], f"/service/customers/{pk}/tier/", "post", tier="key", reason="调整"
    )
    api = _call(
        client, people[who], f"/api/service/customers/{pk}/tier", "post", tier="key", reason="调整"
    )
    tier = CustomerTier.objects.get(customer_id=pk).tier
    if who in {"manager", "director", "admin_user"}:
        assert (page, api, tier) == (302, 200, Tier.KEY)
    else:
        assert page == {"rep": 403, "marketing": 403}.get(who, 404)
        assert api == {"rep": 403}.get(who, 404)
        assert tier == Tier.VIP
        assert not Event.objects.filter(verb="service.tier_overridden").exists()


@pytest.mark.parametrize("who", EVERYONE)
def test_only_directors_and_admins_change_tiers_sla_and_plans(client, people, who):
    user = people[who]
    plan = MaintenancePlan.objects.get(tier=Tier.VIP)
    statuses = [
        _call(client, user, "/service/settings/", "post", form="tiers", vip="600000", key="250000"),
        _call(client, user, "/api/service/tiers", "put", vip="600000", key="250000"),
        _call(
            client,
            user,
            "/api/service/sla",
            "put",
            rows=[{"tier": "vip", "response_hours": "1", "resolution_hours": "8"}],
        ),
        _call(client, user, f"/service/plans/{plan.pk}/", "post", form="plan", name="新计划"),
        _call(client, user, f"/api/service/plans/{plan.pk}", "patch", name="新计划"),
    ]
    if who in {"director", "admin_user"}:
        assert statuses == [302, 200, 200, 302, 200]
        return
    # marketing cannot even see the plan through the API
    assert statuses == [403, 403, 403, 403, 404 if who == "marketing" else 403]
    assert SlaPolicy.objects.get(tier=Tier.VIP).response_hours == 2
    plan.refresh_from_db()
    assert plan.name == "VIP客户维护计划"
    assert not Event.objects.filter(verb__startswith="service.").exists()


@pytest.mark.parametrize("who", EVERYONE)
def test_lists_and_exports_hold_only_what_the_user_sees(client, people, world, who):
    user = people[who]
    client.force_login(user)
    listed = client.get("/api/service/tickets")
    export = client.get("/service/tickets/export/?format=csv")
    log = client.get("/service/log/export/?format=csv")
    if who == "marketing":
        assert (listed.status_code, export.status_code, log.status_code) == (403, 403, 403)
        return
    count = 1 if who in SEES else 0
    assert listed.json()["count"] == count
    body = b"".join(export.streaming_content).decode()
    assert body.count("设备无法启动") == count
    log_body = b"".join(log.streaming_content).decode()
    assert ("杭州示例机械有限公司" in log_body) is (who in SEES)


def test_the_navigation_shows_service_to_everyone_but_marketing(client, rep, marketing):
    client.force_login(rep)
    assert "/service/" in client.get("/").content.decode()
    client.force_login(marketing)
    assert 'href="/service/"' not in client.get("/").content.decode()


def test_a_rep_cannot_open_a_ticket_for_another_teams_customer(client, other_team_rep, world):
    # when
    client.force_login(other_team_rep)
    page = client.post(
        "/service/tickets/new/",
        {"customer": world["customer"].pk, "subject": "x", "priority": "normal"},
    )
    api = client.post(
        "/api/service/tickets",
        {"customer_id": world["customer"].pk, "subject": "x"},
        content_type="application/json",
    )
    # then
    assert (page.status_code, api.status_code) == (200, 422)
    assert "customer" in page.context["form"].errors
    assert Ticket.objects.count() == 1
