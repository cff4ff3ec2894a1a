"""Customers and contacts: the cast × (list, read, update) on pages and API."""

import pytest
from django.urls import reverse

from loudou.core.models import Event
from loudou.customers.models import Contact, Customer
from loudou.leads.tests.factories import make_lead
from loudou.org.services import issue_api_token

VISIBLE_TO = {
    "rep": True,
    "teammate": False,
    "manager": True,
    "other_team_rep": False,
    "director": True,
    "marketing": False,
}


@pytest.fixture
def customer(rep):
    return make_lead(actor=rep, phone="13812345678").customer


def _headers(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


@pytest.mark.parametrize(("who", "visible"), VISIBLE_TO.items())
def test_customer_pages_follow_visibility(client, cast, customer, who, visible):
    # given
    client.force_login(cast[who])
    # when
    listed = client.get(reverse("customers:list")).content.decode()
    detail = client.get(reverse("customers:detail", args=[customer.pk]))
    edit = client.post(reverse("customers:edit", args=[customer.pk]), {"name": "改名公司"})
    # then
    customer.refresh_from_db()
    assert (customer.get_absolute_url() in listed) == visible
    assert detail.status_code == (200 if visible else 404)
    assert edit.status_code == (302 if visible else 404)
    assert (customer.name == "改名公司") == visible


@pytest.mark.parametrize(("who", "visible"), VISIBLE_TO.items())
def test_customer_and_contact_api_follow_visibility_and_mask(client, cast, customer, who, visible):
    # given
    headers = _headers(cast[who])
    contact = customer.contacts.get()
    events_before = Event.objects.count()
    # when
    customers = [c["id"] for c in client.get("/api/customers", **headers).json()["items"]]
    contact_read = client.get(f"/api/contacts/{contact.pk}", **headers)
    patched = client.patch(
        f"/api/contacts/{contact.pk}",
        {"title": "总经理"},
        content_type="application/json",
        **headers,
    )
    # then
    assert (customers == [customer.pk]) == visible
    assert contact_read.status_code == (200 if visible else 404)
    assert patched.status_code == (200 if visible else 404)
    if visible:
        expected_phone = "13812345678" if who == "rep" else "138****5678"
        assert contact_read.json()["phone"] == expected_phone
    else:
        assert Contact.objects.get(pk=contact.pk).title == ""
        assert Event.objects.count() == events_before


def test_contact_with_invalid_phone_is_refused_and_nothing_written(client, rep, customer):
    # given
    count = Contact.objects.count()
    # when
    response = client.post(
        "/api/contacts",
        {"customer_id": customer.pk, "name": "赵敏", "phone": "000"},
        content_type="application/json",
        **_headers(rep),
    )
    # then
    assert response.status_code == 422
    assert "phone" in response.json()["errors"]
    assert Contact.objects.count() == count


def test_customer_with_id_card_number_is_refused(client, rep):
    # given
    count = Customer.objects.count()
    # when
    response = client.post(
        "/api/customers",
        {"name": "某公司", "notes": "法人身份证11010519491231002X"},
        content_type="application/json",
        **_headers(rep),
    )
    # then
    assert response.status_code == 422
    assert "身份证" in response.json()["errors"]["notes"][0]
    assert Customer.objects.count() == count


def test_rep_cannot_create_a_contact_on_another_teams_customer(client, rep, other_team_rep):
    # given
    foreign = make_lead(actor=other_team_rep).customer
    count = Contact.objects.count()
    # when
    response = client.post(
        "/api/contacts",
        {"customer_id": foreign.pk, "name": "钱多多"},
        content_type="application/json",
        **_headers(rep),
    )
    # then
    assert response.status_code == 404
    assert Contact.objects.count() == count


def test_customer_search_with_a_nul_byte_is_not_a_server_error(client, rep, customer):
    # given
    client.force_login(rep)
    # when / then
    assert client.get(reverse("customers:list"), {"q": "苏\x00州"}).status_code == 200
    assert client.get("/api/customers", {"q": "\x00"}, **_headers(rep)).status_code == 200
