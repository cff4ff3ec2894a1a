"""Masked contact details stay masked in edit forms and searches; directors and
administrators may reveal them, and every reveal is logged."""

import pytest
from django.urls import reverse

from loudou.core.models import Event
from loudou.core.testing.html_forms import submitted_values
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead
from loudou.org.services import issue_api_token

PHONE, EMAIL, WECHAT = "13812345678", "wang.wei@example.com", "wx_wangwei88"


@pytest.fixture
def lead(rep):
    return make_lead(actor=rep, phone=PHONE, email=EMAIL, wechat=WECHAT)


def _reveals():
    return Event.objects.filter(verb="contact.revealed")


@pytest.mark.parametrize("viewer", ["manager", "director"])
def test_the_edit_form_shows_masks_and_an_untouched_save_keeps_the_stored_details(
    client, cast, lead, viewer
):
    # given
    client.force_login(cast[viewer])
    url = reverse("leads:edit", args=[lead.pk])
    html = client.get(url).content.decode()
    posted = submitted_values(html, "lead-form")
    # when
    response = client.post(url, posted)
    # then
    assert "12345678" not in html
    assert "wang.wei" not in html
    assert "wangwei88" not in html
    assert posted["phone"].replace(" ", "").startswith("138****")
    assert response.status_code == 302
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.phone, stored.email, stored.wechat) == ("+86" + PHONE, EMAIL, WECHAT)


def test_a_manager_may_replace_a_masked_phone_with_a_new_number(client, manager, lead):
    # given
    client.force_login(manager)
    url = reverse("leads:edit", args=[lead.pk])
    posted = submitted_values(client.get(url).content.decode(), "lead-form")
    posted["phone"] = "13900001111"
    # when
    response = client.post(url, posted)
    # then
    assert response.status_code == 302
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.phone, stored.email) == ("+8613900001111", EMAIL)


def test_a_changed_value_that_still_holds_the_mask_is_refused(client, manager, lead):
    # given
    client.force_login(manager)
    url = reverse("leads:edit", args=[lead.pk])
    posted = submitted_values(client.get(url).content.decode(), "lead-form")
    posted["email"] = "x***@example.com"
    # when
    response = client.post(url, posted)
    # then
    assert response.status_code == 200
    assert "请输入完整的新值" in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).email == EMAIL


def test_the_contact_edit_form_keeps_masked_details_on_an_untouched_save(client, manager, lead):
    # given
    client.force_login(manager)
    url = reverse("customers:contact_edit", args=[lead.customer_id, lead.contact_id])
    html = client.get(url).content.decode()
    posted = submitted_values(html, "contact-form")
    # when
    response = client.post(url, posted)
    # then
    assert "12345678" not in html
    assert "wang.wei" not in html
    assert response.status_code == 302
    contact = lead.contact
    contact.refresh_from_db()
    assert (contact.phone, contact.email, contact.wechat) == ("+86" + PHONE, EMAIL, WECHAT)


def test_a_director_reveals_a_lead_and_the_reveal_is_logged(client, director, lead):
    # given
    client.force_login(director)
    # when
    page = client.post(reverse("leads:reveal", args=[lead.pk]))
    answer = client.post(
        f"/api/leads/{lead.pk}/reveal",
        headers={"Authorization": f"Bearer {issue_api_token(user=director)}"},
    )
    # then
    assert page.status_code == 200
    assert "+86" + PHONE in page.content.decode()
    assert answer.json() == {"phone": "+86" + PHONE, "email": EMAIL, "wechat": WECHAT}
    events = list(_reveals().order_by("pk").values_list("actor__username", "object_id", "reason"))
    assert events == [
        ("director", lead.pk, "button: phone, email, wechat"),
        ("director", lead.pk, "api: phone, email, wechat"),
    ]


@pytest.mark.parametrize(("viewer", "status"), [("manager", 403), ("other_manager", 404)])
def test_a_manager_may_not_reveal_and_nothing_is_logged(
    client, cast, other_manager, lead, viewer, status
):
    # given
    user = cast.get(viewer) or other_manager
    client.force_login(user)
    # when
    page = client.post(reverse("leads:reveal", args=[lead.pk]))
    answer = client.post(
        f"/api/leads/{lead.pk}/reveal",
        headers={"Authorization": f"Bearer {issue_api_token(user=user)}"},
    )
    contact = client.post(f"/api/contacts/{lead.contact_id}/reveal")
    # then
    assert (page.status_code, answer.status_code, contact.status_code) == (status,) * 3
    assert _reveals().count() == 0


def test_the_owner_gets_the_details_without_a_reveal_being_logged(client, rep, lead):
    # when
    answer = client.post(
        f"/api/contacts/{lead.contact_id}/reveal",
        headers={"Authorization": f"Bearer {issue_api_token(user=rep)}"},
    )
    # then
    assert answer.json()["phone"] == "+86" + PHONE
    assert _reveals().count() == 0


def _found(client, user, q):
    client.force_login(user)
    page = client.get(reverse("leads:list"), {"q": q})
    api = client.get(
        "/api/leads", {"q": q}, headers={"Authorization": f"Bearer {issue_api_token(user=user)}"}
    )
    return [r.pk for r in page.context["leads"]], [item["id"] for item in api.json()["items"]]


def test_a_manager_cannot_confirm_hidden_digits_by_searching_a_full_number(client, manager, lead):
    # when
    full = _found(client, manager, PHONE)
    last4 = _found(client, manager, "5678")
    # then
    assert full == ([], [])
    assert last4 == ([lead.pk], [lead.pk])
    assert _reveals().count() == 0


def test_a_director_finds_a_lead_by_its_full_number_and_each_hit_is_logged(client, director, lead):
    # when
    found = _found(client, director, "138 1234 5678")
    # then
    assert found == ([lead.pk], [lead.pk])
    assert list(_reveals().values_list("object_id", "reason")) == [
        (lead.pk, "search: phone"),
        (lead.pk, "search: phone"),
    ]


def test_a_rep_finds_their_own_lead_by_its_full_number_without_a_log(client, rep, lead):
    # when
    found = _found(client, rep, PHONE)
    # then
    assert found == ([lead.pk], [lead.pk])
    assert _reveals().count() == 0


@pytest.mark.parametrize(
    ("viewer", "shown"), [("director", True), ("manager", False), ("rep", False)]
)
def test_the_reveal_button_is_offered_only_to_those_who_may_reveal(
    client, cast, lead, viewer, shown
):
    # given
    client.force_login(cast[viewer])
    # when
    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    customer = client.get(reverse("customers:detail", args=[lead.customer_id])).content.decode()
    # then
    assert (reverse("leads:reveal", args=[lead.pk]) in html) is shown
    assert ("/reveal/" in customer) is shown
