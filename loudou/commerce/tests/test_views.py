"""The pages: forms through the services, htmx fragments, exports, 390 px layout hooks."""

from datetime import date
from decimal import Decimal

import pytest

from loudou.commerce.choices import QuoteStatus
from loudou.commerce.models import Contract, Order, Payment, Quote
from loudou.commerce.tests.factories import (
    make_contract,
    make_customer_lead,
    make_order,
    make_product,
    sign,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(date(2026, 6, 1), tick=False)


def test_a_rep_writes_a_quote_with_lines_on_the_page(client, rep):
    # given
    lead = make_customer_lead(owner=rep)
    product = make_product(price="500.00")
    client.force_login(rep)
    form = client.get(f"/commerce/quotes/new/?lead={lead.pk}&customer={lead.customer_id}")
    data = {
        "title": "续费报价",
        "lead": lead.pk,
        "customer": lead.customer_id,
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": product.pk,
        "lines-0-quantity": "4",
        "lines-0-discount_pct": "25",
        "lines-1-quantity": "",
    }
    # when
    response = client.post("/commerce/quotes/new/", data)
    # then  4 × 500 × 75 % = 1500.00, 25 % off: waits for approval once submitted
    assert form.status_code == 200
    assert response.status_code == 302, response.content.decode()[-3000:]
    quote = Quote.objects.get()
    assert response.status_code == 302
    assert (quote.total, quote.discount_pct) == (Decimal("1500.00"), Decimal("25.00"))
    client.post(f"/commerce/quotes/{quote.pk}/submit/")
    page = client.get(f"/commerce/quotes/{quote.pk}/").content.decode()
    assert Quote.objects.get().status == QuoteStatus.PENDING
    assert "需审批" in page


def test_a_payment_posted_by_htmx_answers_the_money_fragment(client, rep, clock):
    # given
    contract = sign(make_contract(actor=rep, amount="800.00"), actor=rep)
    client.force_login(rep)
    # when
    response = client.post(
        f"/commerce/contracts/{contract.pk}/payments/",
        {"paid_on": "2026-05-30", "amount": "800.00", "method": "transfer"},
        headers={"HX-Request": "true"},
    )
    # then
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="contract-money">')
    assert "<html" not in html
    assert Payment.objects.get().amount == Decimal("800.00")
    assert Contract.objects.get().status == "paid"


def test_the_contract_list_shows_overdue_instalments(client, rep, clock):
    # given
    contract = sign(make_contract(actor=rep, amount="900.00"), actor=rep)
    from loudou.commerce import services

    services.add_milestone(
        contract=contract,
        actor=rep,
        values={"name": "验收款", "due_on": date(2026, 5, 1), "amount": Decimal("900.00")},
    )
    client.force_login(rep)
    # when
    html = client.get("/commerce/contracts/").content.decode()
    # then
    assert 'id="overdue-milestones"' in html
    assert "验收款" in html


def test_signing_on_the_page_refuses_without_a_date(client, rep):
    # given
    contract = make_contract(actor=rep, amount="100.00")
    client.force_login(rep)
    client.post(f"/commerce/contracts/{contract.pk}/move/", {"to": "review"})
    # when
    response = client.post(f"/commerce/contracts/{contract.pk}/move/", {"to": "signed"})
    # then
    assert response.status_code == 200
    assert "签约需要签约日期" in response.content.decode()
    assert Order.objects.count() == 0


def test_the_customer_page_loads_the_purchase_history(client, rep):
    # given
    lead = make_customer_lead(owner=rep)
    make_order(actor=rep, customer=lead.customer, on=date(2025, 3, 1), amount="300.00")
    make_order(actor=rep, customer=lead.customer, on=date(2026, 3, 1), amount="450.00")
    client.force_login(rep)
    # when
    page = client.get(f"/customers/{lead.customer_id}/").content.decode()
    section = client.get(f"/commerce/customers/{lead.customer_id}/history/").content.decode()
    # then
    assert f"/commerce/customers/{lead.customer_id}/history/" in page
    assert "2026年：450.00 元（1 单）" in section
    assert "2025年：300.00 元（1 单）" in section
    assert "复购客户" in section


def test_list_pages_cost_a_bounded_number_of_queries(client, rep, django_assert_max_num_queries):
    # given
    for _ in range(5):
        sign(make_contract(actor=rep), actor=rep)
    client.force_login(rep)
    # when / then
    for url in ("/commerce/contracts/", "/commerce/orders/", "/commerce/quotes/"):
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200


def test_the_nav_shows_contracts_to_sellers_but_not_marketing(client, rep, marketing):
    # given / when
    client.force_login(rep)
    seller = client.get("/commerce/products/").content.decode()
    client.force_login(marketing)
    market = client.get("/commerce/products/").content.decode()
    # then  (the catalogue page itself is open to everyone)
    assert 'href="/commerce/"' in seller
    assert 'href="/commerce/"' not in market
