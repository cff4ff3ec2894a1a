"""Control characters are refused on every path, with the same message; a line break
is refused only in one-line fields; `null` never clears a field the API declares
non-nullable."""

import pytest
from django.urls import reverse

from loudou.core.testing.html_forms import submitted_values
from loudou.customers.models import Contact
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead
from loudou.org.services import issue_api_token
from loudou.pipeline.models import Stage

BAD = [
    ("\x1b[31m红色\x1b[0m", "\\x1b"),
    ("上海\u202e司公限有", "\\u202e"),
    ("北京\x00科技", "\\x00"),
    ("广州\x7f贸易", "\\x7f"),
    ("两行\n公司", "\\x0a"),
]


@pytest.fixture
def api(client, rep):
    headers = {"Authorization": f"Bearer {issue_api_token(user=rep)}"}

    def call(method, path, body):
        return client.generic(
            method, path, data=body, content_type="application/json", headers=headers
        )

    return call


@pytest.mark.parametrize(("name", "shown"), BAD)
def test_the_api_refuses_a_company_name_with_a_control_character(api, name, shown):
    # given
    import json

    body = json.dumps({"company_name": name, "phone": "13812345678"})
    # when
    response = api("POST", "/api/leads", body)
    # then
    assert response.status_code == 422
    assert shown in response.json()["errors"]["company_name"][0]
    assert Lead.objects.count() == 0


def test_a_line_break_in_notes_is_kept(api):
    # when
    response = api(
        "POST",
        "/api/leads",
        '{"company_name": "杭州示例", "phone": "13812345678", "notes": "第一行\\n第二行\\t缩进"}',
    )
    # then
    assert response.status_code == 201
    assert Lead.objects.get().notes == "第一行\n第二行\t缩进"


def test_the_registration_form_refuses_a_control_character_in_the_contact_name(client, rep):
    # given
    client.force_login(rep)
    posted = submitted_values(client.get(reverse("leads:create")).content.decode(), "lead-form")
    posted.update(company_name="杭州示例", contact_name="王\x08伟", phone="13812345678")
    # when
    response = client.post(reverse("leads:create"), posted)
    # then
    assert response.status_code == 200
    assert "控制字符（\\x08）" in response.content.decode()
    assert Lead.objects.count() == 0


def test_a_contact_title_with_a_direction_mark_is_refused_and_nothing_changes(api, rep):
    # given
    lead = make_lead(actor=rep)
    # when
    response = api("PATCH", f"/api/contacts/{lead.contact_id}", '{"title": "经理\u2066"}')
    # then
    assert response.status_code == 422
    assert Contact.objects.get(pk=lead.contact_id).title == ""


def test_a_stage_name_with_an_escape_is_refused(client, admin_user):
    # given
    stage = Stage.objects.order_by("pk").first()
    headers = {"Authorization": f"Bearer {issue_api_token(user=admin_user)}"}
    # when
    response = client.patch(
        f"/api/pipeline/stages/{stage.pk}",
        '{"name": "已\\u001b接触"}',
        content_type="application/json",
        headers=headers,
    )
    # then
    assert response.status_code == 422
    assert "\\x1b" in response.json()["errors"]["name"][0]
    stage.refresh_from_db()
    assert "\x1b" not in stage.name


@pytest.mark.parametrize("field", ["phone", "email", "wechat", "company_name", "notes"])
def test_a_null_does_not_clear_a_lead_field(api, rep, field):
    # given
    lead = make_lead(actor=rep, email="a@example.com", wechat="wx_abcdef", notes="备注")
    before = getattr(Lead.objects.get(pk=lead.pk), field)
    # when
    response = api("PATCH", f"/api/leads/{lead.pk}", f'{{"{field}": null}}')
    # then
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert getattr(Lead.objects.get(pk=lead.pk), field) == before != ""
