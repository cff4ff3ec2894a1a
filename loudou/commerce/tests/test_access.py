"""Who sees and does what, on the pages and through the API alike: rep own, manager the
team, director/admin all, marketing nothing (403 on lists, 404 on records); the
catalogue is read by everyone and kept by directors/admins. Hidden looks like missing."""

import io
import json
from datetime import date

import pytest

from loudou.commerce import services
from loudou.commerce.models import Attachment, Product, Quote
from loudou.commerce.tests.factories import PDF, make_contract, make_product, make_quote, sign

pytestmark = pytest.mark.django_db

SEES = {
    "rep": True,
    "teammate": False,
    "manager": True,
    "other_team_rep": False,
    "director": True,
    "admin_user": True,
    "marketing": False,
}


@pytest.fixture
def records(rep, settings, tmp_path, time_machine):
    time_machine.move_to(date(2026, 4, 2), tick=False)
    settings.DATA_DIR = tmp_path
    quote = make_quote(actor=rep)
    contract = sign(make_contract(actor=rep), actor=rep)
    attachment = services.add_attachment(
        contract=contract, actor=rep, name="合同.pdf", stream=io.BytesIO(PDF)
    )
    return {"quote": quote, "contract": contract, "order": contract.order, "file": attachment}


def _pages(r) -> list[str]:
    c = r["contract"].pk
    return [
        f"/commerce/quotes/{r['quote'].pk}/",
        f"/commerce/quotes/{r['quote'].pk}/pdf/",
        f"/commerce/contracts/{c}/",
        f"/commerce/contracts/{c}/attachments/{r['file'].pk}/",
        f"/commerce/orders/{r['order'].pk}/",
    ]


def _api(r) -> list[str]:
    c = r["contract"].pk
    return [
        f"/api/commerce/quotes/{r['quote'].pk}",
        f"/api/commerce/contracts/{c}",
        f"/api/commerce/contracts/{c}/payments",
        f"/api/commerce/contracts/{c}/attachments/{r['file'].pk}",
        f"/api/commerce/orders/{r['order'].pk}",
    ]


@pytest.mark.parametrize("who", list(SEES))
def test_records_are_seen_by_owner_team_manager_and_directors_only(client, cast, records, who):
    # given
    client.force_login(cast[who])
    # when
    codes = {url: client.get(url).status_code for url in _pages(records) + _api(records)}
    # then
    expected = 200 if SEES[who] else 404
    assert codes == dict.fromkeys(codes, expected)


@pytest.mark.parametrize("who", list(SEES))
def test_lists_show_only_what_one_sees(client, cast, records, who):
    # given
    client.force_login(cast[who])
    # when
    page = client.get("/commerce/contracts/")
    api = client.get("/api/commerce/contracts")
    # then
    if who == "marketing":
        assert (page.status_code, api.status_code) == (403, 403)
        return
    shown = [c["id"] for c in api.json()["items"]]
    assert shown == ([records["contract"].pk] if SEES[who] else [])
    assert (records["contract"].number in page.content.decode()) is SEES[who]


@pytest.mark.parametrize(
    "url",
    ["/commerce/quotes/", "/commerce/orders/", "/commerce/quotes/new/", "/commerce/orders/export/"],
)
def test_marketing_is_refused_the_commerce_pages(client, marketing, url):
    # given
    client.force_login(marketing)
    # when / then
    assert client.get(url).status_code == 403


def test_marketing_is_refused_creating_through_the_api(client, marketing, rep):
    # given
    client.force_login(marketing)
    body = {"title": "x", "customer_id": 1, "lines": [{"product_id": make_product().pk}]}
    # when
    response = client.post("/api/commerce/quotes", json.dumps(body), "application/json")
    # then
    assert response.status_code in {403, 422}
    assert Quote.objects.count() == 0


@pytest.mark.parametrize("who", ["teammate", "other_team_rep"])
def test_others_cannot_move_pay_or_upload_on_a_contract(client, cast, records, who):
    # given
    client.force_login(cast[who])
    c = records["contract"].pk
    # when
    moved = client.post(f"/commerce/contracts/{c}/move/", {"to": "cancelled", "reason": "x"})
    api_moved = client.post(
        f"/api/commerce/contracts/{c}/transition",
        json.dumps({"to": "cancelled", "reason": "x"}),
        "application/json",
    )
    upload = client.post(
        f"/api/commerce/contracts/{c}/attachments",
        {"file": io.BytesIO(PDF)},
    )
    # then
    assert (moved.status_code, api_moved.status_code, upload.status_code) == (404, 404, 404)
    records["contract"].refresh_from_db()
    assert records["contract"].status == "signed"
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_only_directors_and_admins_keep_the_catalogue(client, cast, who):
    # given
    product = make_product(price="100.00")
    client.force_login(cast[who])
    # when
    page = client.post(f"/commerce/products/{product.pk}/edit/", {"list_price": "1"})
    api = client.patch(
        f"/api/commerce/products/{product.pk}", json.dumps({"list_price": "1"}), "application/json"
    )
    listed = client.get("/api/commerce/products")
    # then
    assert (page.status_code, api.status_code, listed.status_code) == (403, 403, 200)
    assert str(Product.objects.get().list_price) == "100.00"


def test_a_director_edits_the_catalogue(client, director):
    # given
    product = make_product(price="100.00")
    client.force_login(director)
    # when
    response = client.patch(
        f"/api/commerce/products/{product.pk}",
        json.dumps({"list_price": "120.50"}),
        "application/json",
    )
    # then
    assert (response.status_code, response.json()["list_price"]) == (200, "120.50")


def test_a_quote_approval_is_refused_to_another_teams_manager(client, rep, other_manager):
    # given
    from decimal import Decimal

    line = {"product": make_product(), "quantity": 1, "discount_pct": Decimal(30)}
    quote = services.submit_quote(quote=make_quote(actor=rep, lines=[line]), actor=rep)
    client.force_login(other_manager)
    # when
    page = client.post(f"/commerce/quotes/{quote.pk}/decide/", {"approve": "1"})
    api = client.post(
        f"/api/commerce/quotes/{quote.pk}/decision",
        json.dumps({"approve": True}),
        "application/json",
    )
    # then  another team's manager does not even see it
    assert (page.status_code, api.status_code) == (404, 404)
    assert Quote.objects.get().status == "pending"


def test_the_contract_page_masks_the_contact_for_a_manager(client, rep, manager, records):
    # given  rep owns the lead (phone 1392000…); the manager sees it masked
    lead = records["contract"].lead
    client.force_login(manager)
    # when
    html = client.get(f"/commerce/contracts/{records['contract'].pk}/").content.decode()
    api = client.get(f"/api/commerce/contracts/{records['contract'].pk}").json()
    # then
    assert lead.phone[-11:] not in html
    assert api["contact_phone"] == f"139****{lead.phone[-4:]}"
