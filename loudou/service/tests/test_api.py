"""/api/service/: the same services and selectors as the pages."""

from datetime import date

import pytest
import time_machine

from loudou.service import services
from loudou.service.choices import Tier
from loudou.service.models import DueAction, Ticket
from loudou.service.tests.factories import local, make_contact, make_customer, make_ticket, set_tier

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 9, 10, 0)


@pytest.fixture
def vip(rep):
    customer = make_customer(owner=rep)
    set_tier(customer, Tier.VIP)
    return customer


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_opening_a_ticket_through_the_api_fixes_its_deadlines(client, rep, vip):
    contact = make_contact(customer=vip)
    client.force_login(rep)
    with time_machine.travel(local(2026, 3, 6, 17, 30), tick=False):
        response = _post(
            client,
            "/api/service/tickets",
            {"customer_id": vip.pk, "contact_id": contact.pk, "subject": "系统登录失败"},
        )
    body = response.json()
    assert response.status_code == 201
    assert (body["tier"], body["status"], body["assignee_id"], body["contact_id"]) == (
        "vip",
        "new",
        rep.pk,
        contact.pk,
    )
    assert body["response_due"] == "2026-03-09T10:30:00+08:00"
    assert body["resolution_due"] == "2026-03-11T14:30:00+08:00"


def test_a_contact_of_another_customer_is_refused(client, rep, vip):
    other = make_customer(owner=rep, name="别的客户")
    client.force_login(rep)
    response = _post(
        client,
        "/api/service/tickets",
        {"customer_id": vip.pk, "contact_id": make_contact(customer=other).pk, "subject": "x"},
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["contact_id"]
    assert Ticket.objects.count() == 0


def test_the_ticket_lifecycle_through_the_api(client, rep, vip):
    ticket = make_ticket(actor=rep, customer=vip, opened_at=local(2026, 3, 9, 9, 0))
    base = f"/api/service/tickets/{ticket.pk}"
    client.force_login(rep)
    with time_machine.travel(local(2026, 3, 9, 11, 30), tick=False):
        replied = _post(client, base + "/respond", {"body": "已安排"}).json()
        resolved = _post(client, base + "/resolve", {}).json()
        rated = _post(client, base + "/rate", {"satisfaction": 2, "comment": "太慢"}).json()
        closed = _post(client, base + "/close", {}).json()
        refused = _post(client, base + "/rate", {"satisfaction": 6})
        reopened = _post(client, base + "/reopen", {"reason": "复现"}).json()
    assert (replied["status"], replied["response_breached"], replied["sla"]) == (
        "in_progress",
        True,  # due 11:00, answered 11:30
        "breached",
    )
    assert (resolved["status"], resolved["resolution_breached"]) == ("resolved", False)
    assert (rated["satisfaction"], closed["status"], reopened["status"]) == (
        2,
        "closed",
        "in_progress",
    )
    assert refused.status_code == 422
    assert "satisfaction" in refused.json()["errors"]


def test_the_ticket_list_filters_by_sla_state_and_tier(client, rep, vip):
    make_ticket(actor=rep, customer=vip, opened_at=local(2026, 3, 9, 9, 55))
    make_ticket(actor=rep, customer=vip, opened_at=local(2026, 3, 2, 9, 0), subject="旧工单")
    client.force_login(rep)
    with time_machine.travel(NOW, tick=False):
        breached = client.get("/api/service/tickets?sla=breached").json()
        normal = client.get("/api/service/tickets?tier=normal").json()
        bad = client.get("/api/service/tickets?sla=late")
    assert [t["subject"] for t in breached["items"]] == ["旧工单"]
    assert normal["count"] == 0
    assert bad.status_code == 422


def test_settings_through_the_api(client, director, rep):
    client.force_login(director)
    tiers = client.put(
        "/api/service/tiers", {"vip": "800000", "key": "300000"}, content_type="application/json"
    )
    unordered = client.put(
        "/api/service/tiers", {"vip": "100000", "key": "300000"}, content_type="application/json"
    )
    sla = client.put(
        "/api/service/sla",
        {"rows": [{"tier": "key", "response_hours": "3", "resolution_hours": "2"}]},
        content_type="application/json",
    )
    assert tiers.json() == {"vip": "800000.00", "key": "300000.00", "normal": "0"}
    assert unordered.status_code == 422
    assert "vip" in unordered.json()["errors"]
    assert sla.status_code == 422
    assert "key" in sla.json()["errors"]
    client.force_login(rep)
    rows = client.get("/api/service/sla").json()
    assert [(r["tier"], r["response_hours"], r["resolution_hours"]) for r in rows] == [
        ("vip", "2.0", "24.0"),
        ("key", "4.0", "48.0"),
        ("normal", "4.0", "72.0"),
    ]


def test_due_actions_customers_evaluations_and_plans_through_the_api(client, rep, director, vip):
    services.generate_due_actions(date(2026, 3, 9), customer_ids=[vip.pk])
    client.force_login(rep)
    with time_machine.travel(NOW, tick=False):
        listed = client.get(f"/api/service/due-actions?customer={vip.pk}").json()
        due = DueAction.objects.get(customer=vip, action__title="行业报告")
        done = _post(
            client,
            f"/api/service/due-actions/{due.pk}/done",
            {"done_on": "2026-03-08", "notes": "已发送", "feedback": "客户满意"},
        ).json()
        evaluated = _post(
            client,
            f"/api/service/customers/{vip.pk}/evaluations",
            {"year": 2026, "quarter": 1, "rating": 5},
        )
        customers = client.get("/api/service/customers?tier=vip").json()
    assert listed["count"] == 4
    assert (done["status"], done["done_by_id"], done["feedback"]) == ("done", rep.pk, "客户满意")
    assert evaluated.status_code == 200
    assert evaluated.json()["rating"] == 5
    assert [(c["name"], c["tier"]) for c in customers["items"]] == [("杭州示例机械有限公司", "vip")]
    client.force_login(director)
    plans = client.get("/api/service/plans").json()
    added = _post(
        client,
        f"/api/service/plans/{plans[0]['id']}/actions",
        {"kind": "visit", "title": "高层拜访", "frequency": "yearly"},
    )
    assert [p["tier"] for p in plans] == ["key", "normal", "vip"]
    assert added.status_code == 201
    patched = client.patch(
        f"/api/service/plan-actions/{added.json()['id']}",
        {"is_active": False},
        content_type="application/json",
    )
    assert patched.json()["is_active"] is False
