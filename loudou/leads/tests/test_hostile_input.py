"""Hostile input through the API and the form: a clear refusal or a save, never a 500."""

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from loudou.leads.models import Lead
from loudou.org.services import issue_api_token

FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
text = st.text(max_size=300)
phones = st.one_of(
    text,
    st.from_regex(r"\+?[0-9 ()\-]{0,25}", fullmatch=True),
    st.builds(lambda n: f"1{n}", st.integers(3_000_000_000, 9_999_999_999).map(str)),
)


@FUZZ
@example(company="", phone="", email="\x00", notes="", wechat="")  # found on PostgreSQL
@given(company=text, phone=phones, email=text, notes=text, wechat=text)
def test_api_lead_creation_never_fails_with_a_server_error(
    client, rep, company, phone, email, notes, wechat
):
    # given
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=rep)}"}
    body = {
        "company_name": company,
        "phone": phone,
        "email": email,
        "notes": notes,
        "wechat": wechat,
    }
    before = Lead.objects.count()
    # when
    with transaction.atomic():
        response = client.post("/api/leads", body, content_type="application/json", **headers)
        created = Lead.objects.count() - before
        transaction.set_rollback(True)
    # then: created with 201, or refused with 422 and nothing written
    assert response.status_code in {201, 422}
    assert created == (1 if response.status_code == 201 else 0)


@FUZZ
@given(company=text, phone=phones, need=text)
def test_lead_form_never_fails_with_a_server_error(client, rep, company, phone, need):
    # given
    client.force_login(rep)
    data = {
        "company_name": company,
        "phone": phone,
        "need_description": need,
        "decision_cycle": "unknown",
        "need_level": "unknown",
        "budget_fit": "unknown",
        "customer_type": "ordinary",
        "purchasing_power": "medium",
    }
    # when
    with transaction.atomic():
        response = client.post(reverse("leads:create"), data)
        transaction.set_rollback(True)
    # then: redirected to the new lead, or the form again with its errors
    assert response.status_code in {200, 302}


@pytest.mark.parametrize(
    "body",
    [
        {"company_name": "A公司", "employees": -1},
        {"company_name": "A公司", "budget_min": 20, "budget_max": 10},
        {"company_name": "A公司", "industry_id": 999999},
        {"company_name": "A公司", "source": "no-such-channel"},
        {"company_name": "A公司", "decision_cycle": "tomorrow"},
        {"company_name": ""},
        {"phone": "13812345678"},
    ],
)
def test_api_refuses_malformed_lead_bodies_with_422_and_writes_nothing(client, rep, body):
    # given
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=rep)}"}
    # when
    response = client.post("/api/leads", body, content_type="application/json", **headers)
    # then
    assert response.status_code == 422
    assert Lead.objects.count() == 0


def test_api_refuses_a_body_that_is_not_json(client, rep):
    # given
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=rep)}"}
    # when
    response = client.post("/api/leads", b"\xff\xfe{", content_type="application/json", **headers)
    # then
    assert response.status_code in {400, 422}
    assert Lead.objects.count() == 0


def test_lead_form_names_the_field_holding_an_id_card_number(client, rep):
    # given
    client.force_login(rep)
    data = {
        "company_name": "杭州某某有限公司",
        "phone": "13812345678",
        "pain_point": "联系人身份证 11010519491231002X",
        "decision_cycle": "unknown",
        "need_level": "unknown",
        "budget_fit": "unknown",
        "customer_type": "ordinary",
        "purchasing_power": "medium",
    }
    # when
    response = client.post(reverse("leads:create"), data)
    # then
    assert response.status_code == 200
    assert "“具体痛点”中含有身份证号码" in response.content.decode()
    assert Lead.objects.count() == 0
