"""Web form administration through the API: administrators only."""

import json

import pytest

from loudou.leads.models import SourceChannel
from loudou.org.services import issue_api_token
from loudou.webforms.models import WebForm

pytestmark = pytest.mark.django_db

BODY = {"name": "官网咨询", "channel": "web_api", "stop_phrases": "代开发票"}


@pytest.fixture(autouse=True)
def _channel(db):
    SourceChannel.objects.get_or_create(code="web_api", defaults={"name": "官网"})


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


def test_an_administrator_creates_a_form_and_gets_its_public_url(client, admin_user):
    # when
    response = client.post(
        "/api/webforms", BODY, content_type="application/json", **_auth(admin_user)
    )

    # then
    assert response.status_code == 201
    data = json.loads(response.content)
    form = WebForm.objects.get()
    assert data["url"] == f"/f/{form.token}/"
    assert (data["channel"], data["stop_phrases"], data["spam_count"]) == ("web_api", "代开发票", 0)


def test_an_administrator_edits_a_form(client, admin_user):
    # given
    form_id = json.loads(
        client.post(
            "/api/webforms", BODY, content_type="application/json", **_auth(admin_user)
        ).content
    )["id"]

    # when
    response = client.put(
        f"/api/webforms/{form_id}",
        {**BODY, "is_active": False},
        content_type="application/json",
        **_auth(admin_user),
    )

    # then
    assert response.status_code == 200
    assert WebForm.objects.get().is_active is False


def test_others_may_neither_list_nor_create_forms(client, marketing, manager):
    for user in (marketing, manager):
        # when
        listed = client.get("/api/webforms", **_auth(user))
        created = client.post("/api/webforms", BODY, content_type="application/json", **_auth(user))

        # then
        assert (listed.status_code, created.status_code) == (403, 403)
    assert WebForm.objects.count() == 0


def test_an_unknown_channel_is_422(client, admin_user):
    # when
    response = client.post(
        "/api/webforms",
        {**BODY, "channel": "nope"},
        content_type="application/json",
        **_auth(admin_user),
    )

    # then
    assert response.status_code == 422
    assert WebForm.objects.count() == 0
