"""/api/commerce/: the pages' work through the API (ADR 0011's contract)."""

import io
import json
from datetime import date

import pytest

from loudou.commerce.models import Attachment, Contract, Order
from loudou.commerce.tests.factories import PDF, make_customer_lead, make_order, make_product

pytestmark = pytest.mark.django_db

API = "/api/commerce"


def _send(client, url, body=None, method="post"):
    return client.generic(
        method.upper(), url, data=json.dumps(body or {}), content_type="application/json"
    )


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(date(2026, 6, 1), tick=False)


def test_a_quote_is_priced_submitted_and_approved_through_the_api(client, rep, manager):
    # given
    lead = make_customer_lead(owner=rep)
    product = make_product(price="2000.00")
    client.force_login(rep)
    body = {
        "title": "集团版报价",
        "lead_id": lead.pk,
        "customer_id": lead.customer_id,
        "lines": [{"product_id": product.pk, "quantity": 5, "discount_pct": "12.5"}],
    }
    # when
    created = _send(client, f"{API}/quotes", body)
    quote_id = created.json()["id"]
    submitted = _send(client, f"{API}/quotes/{quote_id}/submit")
    client.force_login(manager)
    decided = _send(
        client, f"{API}/quotes/{quote_id}/decision", {"approve": True, "reason": "同意"}
    )
    pdf = client.get(f"{API}/quotes/{quote_id}/pdf")
    # then  5 × 2000 × 87.5 % = 8750.00, 12.50 % off list
    assert created.status_code == 201
    assert (created.json()["total"], created.json()["discount_pct"]) == ("8750.00", "12.50")
    assert created.json()["needs_approval"] is True
    assert submitted.json()["status"] == "pending"
    assert (decided.status_code, decided.json()["status"]) == (200, "approved")
    assert (pdf.status_code, pdf["Content-Type"], pdf.content[:5]) == (
        200,
        "application/pdf",
        b"%PDF-",
    )


def test_a_contract_is_signed_paid_and_accepted_through_the_api(
    client, rep, clock, settings, tmp_path
):
    # given
    settings.DATA_DIR = tmp_path
    lead = make_customer_lead(owner=rep)
    client.force_login(rep)
    body = {"title": "实施合同", "customer_id": lead.customer_id, "lead_id": lead.pk}
    # when
    created = _send(client, f"{API}/contracts", body)
    cid = created.json()["id"]
    review = _send(client, f"{API}/contracts/{cid}/transition", {"to": "review"})
    unsigned = _send(client, f"{API}/contracts/{cid}/transition", {"to": "signed"})
    signed = _send(
        client,
        f"{API}/contracts/{cid}/transition",
        {"to": "signed", "signed_on": "2026-05-08", "amount": "30000.00"},
    )
    plan = _send(
        client,
        f"{API}/contracts/{cid}/instalments",
        {"name": "首付款", "due_on": "2026-05-20", "amount": "10000.00"},
    )
    overdue = client.get(f"{API}/contracts/overdue-instalments")
    paid = [
        _send(client, f"{API}/contracts/{cid}/payments", {"paid_on": d, "amount": a})
        for d, a in (("2026-05-25", "10000.00"), ("2026-05-30", "20000.00"))
    ]
    upload = client.post(
        f"{API}/contracts/{cid}/attachments", {"file": ("合同.pdf", io.BytesIO(PDF))}
    )
    accepted = _send(client, f"{API}/contracts/{cid}/transition", {"to": "accepted"})
    # then
    assert (created.status_code, review.json()["status"]) == (201, "review")
    assert unsigned.status_code == 422
    assert set(unsigned.json()["errors"]) == {"signed_on", "amount"}
    assert signed.json()["status"] == "signed"
    assert plan.json()[0]["overdue"] is True
    assert [o["outstanding"] for o in overdue.json()] == ["10000.00"]
    assert [p.status_code for p in paid] == [201, 201]
    assert upload.status_code == 201, upload.content
    assert (accepted.status_code, accepted.json()["status"], accepted.json()["paid"]) == (
        200,
        "accepted",
        "30000.00",
    )
    order = Order.objects.get()
    assert (order.amount, order.ordered_on) == (30000, date(2026, 5, 8))
    attachment = Attachment.objects.get()
    download = client.get(f"{API}/contracts/{cid}/attachments/{attachment.pk}")
    assert b"".join(download.streaming_content) == PDF


def test_an_upload_that_is_not_an_accepted_kind_is_a_422(client, rep, settings, tmp_path):
    # given
    settings.DATA_DIR = tmp_path
    lead = make_customer_lead(owner=rep)
    client.force_login(rep)
    cid = _send(
        client, f"{API}/contracts", {"title": "合同", "customer_id": lead.customer_id}
    ).json()["id"]
    # when
    response = client.post(
        f"{API}/contracts/{cid}/attachments", {"file": ("合同.pdf", io.BytesIO(b"MZ\x90\x00"))}
    )
    # then
    assert (response.status_code, list(response.json()["errors"])) == (422, ["file"])
    assert Attachment.objects.count() == 0


def test_orders_entered_directly_make_the_purchase_history(client, rep):
    # given
    lead = make_customer_lead(owner=rep)
    make_order(actor=rep, customer=lead.customer, on=date(2025, 11, 3), amount="1200.00")
    client.force_login(rep)
    # when
    created = _send(
        client,
        f"{API}/orders",
        {"customer_id": lead.customer_id, "ordered_on": "2026-02-01", "amount": "800.00"},
    )
    second = _send(
        client,
        f"{API}/orders",
        {"customer_id": lead.customer_id, "ordered_on": "2026-03-01", "amount": "100.00"},
    )
    cancelled = _send(client, f"{API}/orders/{second.json()['id']}/cancel", {"reason": "重复录入"})
    history = client.get(f"{API}/customers/{lead.customer_id}/purchases")
    listed = client.get(f"{API}/orders", {"year": 2026, "status": "confirmed"})
    # then
    assert created.status_code == 201
    assert cancelled.json()["status"] == "cancelled"
    assert history.json()["years"] == [
        {"year": 2026, "amount": "800.00", "orders": 1},
        {"year": 2025, "amount": "1200.00", "orders": 1},
    ]
    assert history.json()["repeat_buyer"] is True
    assert [o["id"] for o in listed.json()["items"]] == [created.json()["id"]]


def test_refused_values_answer_one_422_shape(client, rep):
    # given
    client.force_login(rep)
    # when
    null_title = _send(client, f"{API}/contracts", {"title": None, "customer_id": 1})
    unknown = _send(client, f"{API}/contracts", {"title": "x", "customer_id": 999999})
    bad_status = client.get(f"{API}/contracts", {"status": "nope"})
    # then
    assert null_title.status_code == 422
    assert "title" in null_title.json()["errors"]
    assert unknown.status_code == 422
    assert "customer_id" in unknown.json()["errors"]
    assert bad_status.status_code == 422
    assert Contract.objects.count() == 0


def test_exports_hold_the_visible_rows(client, rep, teammate):
    # given
    mine = make_customer_lead(owner=rep)
    theirs = make_customer_lead(owner=teammate)
    make_order(actor=rep, customer=mine.customer, on=date(2026, 1, 5), amount="10.00")
    make_order(actor=teammate, customer=theirs.customer, on=date(2026, 1, 6), amount="20.00")
    client.force_login(rep)
    # when
    csv = b"".join(client.get(f"{API}/orders/export", {"format": "csv"}).streaming_content)
    xlsx = client.get("/commerce/orders/export/", {"format": "xlsx"})
    # then
    text = csv.decode("utf-8-sig")
    assert mine.customer.name in text
    assert theirs.customer.name not in text
    assert len(text.strip().splitlines()) == 2
    assert xlsx.status_code == 200
