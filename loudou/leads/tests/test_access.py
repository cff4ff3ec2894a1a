"""Permission matrix: the cast × (list, read, update) on pages and API, with masking."""

import json

import pytest
from django.urls import reverse

from loudou.core.models import Event
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead
from loudou.org.services import issue_api_token

PHONE, MASKED_PHONE = "13812345678", "138****5678"
EMAIL, MASKED_EMAIL = "wang@example.com", "w***@example.com"

# who sees the lead owned by `rep`, and whether they see its contact details unmasked
REP_LEAD_MATRIX = {
    "rep": ("visible", "unmasked"),
    "teammate": ("hidden", None),
    "manager": ("visible", "masked"),
    "other_team_rep": ("hidden", None),
    "director": ("visible", "masked"),
    "marketing": ("hidden", None),
}


@pytest.fixture
def rep_lead(rep):
    return make_lead(actor=rep, company_name="苏州矩阵电子有限公司", phone=PHONE, email=EMAIL)


def _api(client, user):
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


@pytest.mark.parametrize(("who", "expected"), REP_LEAD_MATRIX.items())
def test_lead_list_page_shows_only_visible_leads(client, cast, rep_lead, who, expected):
    # given
    client.force_login(cast[who])
    # when
    html = client.get(reverse("leads:list")).content.decode()
    # then
    assert (rep_lead.number in html) == (expected[0] == "visible")


@pytest.mark.parametrize(("who", "expected"), REP_LEAD_MATRIX.items())
def test_lead_detail_page_follows_visibility_and_masks(client, cast, rep_lead, who, expected):
    # given
    client.force_login(cast[who])
    # when
    response = client.get(reverse("leads:detail", args=[rep_lead.pk]))
    # then
    if expected[0] == "hidden":
        assert response.status_code == 404
        return
    html = response.content.decode()
    assert response.status_code == 200
    if expected[1] == "unmasked":
        assert PHONE in html
        assert EMAIL in html
    else:
        assert MASKED_PHONE in html
        assert MASKED_EMAIL in html
        assert PHONE not in html
        assert EMAIL not in html


@pytest.mark.parametrize(("who", "expected"), REP_LEAD_MATRIX.items())
def test_lead_update_page_is_refused_to_those_who_cannot_see(client, cast, rep_lead, who, expected):
    # given
    client.force_login(cast[who])
    events_before = Event.objects.count()
    data = {
        "company_name": "被改过的名字",
        "decision_cycle": "unknown",
        "need_level": "unknown",
        "budget_fit": "unknown",
        "customer_type": "ordinary",
        "purchasing_power": "medium",
    }
    # when
    response = client.post(reverse("leads:edit", args=[rep_lead.pk]), data)
    # then
    rep_lead.refresh_from_db()
    if expected[0] == "hidden":
        assert response.status_code == 404
        assert rep_lead.company_name == "苏州矩阵电子有限公司"
        assert Event.objects.count() == events_before
    else:
        assert response.status_code == 302
        assert rep_lead.company_name == "被改过的名字"


@pytest.mark.parametrize(("who", "expected"), REP_LEAD_MATRIX.items())
def test_lead_api_list_and_read_follow_visibility_and_mask(client, cast, rep_lead, who, expected):
    # given
    headers = _api(client, cast[who])
    # when
    listed = client.get("/api/leads", **headers).json()["items"]
    detail = client.get(f"/api/leads/{rep_lead.pk}", **headers)
    # then
    assert ([item["id"] for item in listed] == [rep_lead.pk]) == (expected[0] == "visible")
    if expected[0] == "hidden":
        assert detail.status_code == 404
        return
    body = detail.json()
    if expected[1] == "unmasked":
        assert (body["phone"], body["email"]) == (PHONE, EMAIL)
    else:
        assert (body["phone"], body["email"]) == (MASKED_PHONE, MASKED_EMAIL)
        assert PHONE not in json.dumps(body)
        assert EMAIL not in json.dumps(body)


@pytest.mark.parametrize(("who", "expected"), REP_LEAD_MATRIX.items())
def test_lead_api_update_is_refused_to_those_who_cannot_see(client, cast, rep_lead, who, expected):
    # given
    headers = _api(client, cast[who])
    events_before = Event.objects.count()
    # when
    response = client.patch(
        f"/api/leads/{rep_lead.pk}",
        {"notes": "API 修改"},
        content_type="application/json",
        **headers,
    )
    # then
    rep_lead.refresh_from_db()
    if expected[0] == "hidden":
        assert response.status_code == 404
        assert rep_lead.notes == ""
        assert Event.objects.count() == events_before
    else:
        assert response.status_code == 200
        assert rep_lead.notes == "API 修改"


def test_missing_and_invisible_leads_answer_the_same_404(client, rep, other_team_rep):
    # given
    lead = make_lead(actor=other_team_rep)
    client.force_login(rep)
    headers = _api(client, rep)
    # when
    invisible = client.get(f"/api/leads/{lead.pk}", **headers)
    missing = client.get(f"/api/leads/{lead.pk + 1000}", **headers)
    # then
    assert invisible.status_code == missing.status_code == 404
    assert invisible.json() == missing.json()
    assert client.get(reverse("leads:detail", args=[lead.pk])).status_code == 404
    assert client.get(reverse("leads:detail", args=[lead.pk + 1000])).status_code == 404


def test_marketing_sees_what_it_captured_until_handed_over(client, marketing, rep):
    # given
    lead = make_lead(actor=marketing, phone=PHONE)
    headers = _api(client, marketing)
    # when / then: unowned, marketing sees it unmasked, a rep does not see it
    assert client.get(f"/api/leads/{lead.pk}", **headers).json()["phone"] == PHONE
    assert client.get(f"/api/leads/{lead.pk}", **_api(client, rep)).status_code == 404
    # when handed over to a rep
    Lead.objects.filter(pk=lead.pk).update(owner=rep)
    # then marketing no longer sees it
    assert client.get(f"/api/leads/{lead.pk}", **headers).status_code == 404


def test_timeline_masks_contact_changes_for_non_owners(client, rep, manager):
    # given
    lead = make_lead(actor=rep, phone=PHONE)
    client.force_login(rep)
    client.post(
        reverse("leads:edit", args=[lead.pk]),
        {
            "company_name": lead.company_name,
            "phone": "13987654321",
            "decision_cycle": "unknown",
            "need_level": "unknown",
            "budget_fit": "unknown",
            "customer_type": "ordinary",
            "purchasing_power": "medium",
        },
    )
    # when
    client.force_login(manager)
    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    timeline = client.get(f"/api/leads/{lead.pk}/timeline", **_api(client, manager)).json()
    # then
    assert "139****4321" in html
    assert "13987654321" not in html
    assert PHONE not in json.dumps(timeline, ensure_ascii=False)
    phone_changes = [c for e in timeline for c in e["changes"] if c["label"] == "电话"]
    assert phone_changes[0]["before"] == MASKED_PHONE
    assert phone_changes[0]["after"] == "139****4321"


def test_rep_cannot_assign_a_lead_to_another_teams_rep_through_the_api(client, rep, other_team_rep):
    # given
    lead = make_lead(actor=rep)
    # when
    response = client.patch(
        f"/api/leads/{lead.pk}",
        {"owner_id": other_team_rep.pk},
        content_type="application/json",
        **_api(client, rep),
    )
    # then
    lead.refresh_from_db()
    assert response.status_code == 403
    assert lead.owner == rep


def test_anonymous_requests_are_refused(client, rep):
    # given
    lead = make_lead(actor=rep)
    # when / then
    assert client.get("/api/leads").status_code == 401
    assert client.get(reverse("leads:detail", args=[lead.pk])).status_code == 302
    assert client.get("/api/leads", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def _queries(client, url, **headers) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **headers).status_code == 200
    return len(captured)


def test_lead_list_page_and_api_make_no_per_row_queries(client, rep):
    # given a list of 5 leads, measured
    for i in range(5):
        make_lead(actor=rep, company_name=f"第{i}号测试有限公司")
    client.force_login(rep)
    headers = _api(client, rep)
    page_with_5 = _queries(client, reverse("leads:list"))
    api_with_5 = _queries(client, "/api/leads?limit=50", **headers)
    # when 25 more leads are listed
    for i in range(5, 30):
        make_lead(actor=rep, company_name=f"第{i}号测试有限公司")
    # then the number of queries does not grow with the rows
    assert _queries(client, reverse("leads:list")) == page_with_5
    assert _queries(client, "/api/leads?limit=50", **headers) == api_with_5
    assert page_with_5 <= 16
