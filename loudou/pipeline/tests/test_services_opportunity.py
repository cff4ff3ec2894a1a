"""The opportunity fields: validated, decision-chain contacts from the lead's customer, logged."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from loudou.core import audit
from loudou.core.models import Event
from loudou.customers.models import Contact
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead
from loudou.org.models import ProductLine
from loudou.pipeline.services import update_opportunity

pytestmark = pytest.mark.django_db


def test_opportunity_fields_are_saved_and_logged_before_and_after(rep, lead):
    # given a second contact at the lead's customer and two product lines
    cto = Contact.objects.create(customer=lead.customer, name="赵工", title="CTO")
    products = list(ProductLine.objects.order_by("pk")[:2])
    # when the rep fills the opportunity
    update_opportunity(
        lead=lead,
        actor=rep,
        values={
            "amount": Decimal("360000"),
            "currency": "CNY",
            "products": products,
            "expected_close_date": date(2026, 12, 15),
            "competitors": "用友",
            "technical_contact": cto,
            "purchasing_contact": lead.contact_id,
        },
    )
    # then it is stored, and one event lists every change
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.amount, stored.technical_contact, stored.purchasing_contact) == (
        Decimal("360000.00"),
        cto,
        lead.contact,
    )
    assert list(stored.products.order_by("pk")) == products
    event = audit.history(lead).first()
    assert event.verb == "lead.opportunity_updated"
    assert {"field": "amount", "before": None, "after": "360000.00"} in event.changes
    assert {"field": "technical_contact", "before": None, "after": "赵工"} in event.changes
    assert {
        "field": "products",
        "before": [],
        "after": sorted(p.name for p in products),
    } in event.changes


def test_unchanged_values_write_no_event(rep, lead):
    update_opportunity(lead=lead, actor=rep, values={"amount": Decimal(5000)})
    events = Event.objects.count()
    update_opportunity(lead=lead, actor=rep, values={"amount": Decimal("5000.00")})
    assert Event.objects.count() == events


def test_a_contact_of_another_customer_is_refused(rep, lead):
    other = make_lead(actor=rep, company_name="别家公司", contact_name="钱总", phone="13900007777")
    events = Event.objects.count()
    with pytest.raises(ValidationError) as refused:
        update_opportunity(
            lead=lead,
            actor=rep,
            values={"amount": Decimal(1), "management_contact": other.contact},
        )
    assert list(refused.value.message_dict) == ["management_contact"]
    assert Event.objects.count() == events
    assert Lead.objects.get(pk=lead.pk).amount is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"probability": 120}, "probability"),
        ({"currency": "XYZ"}, "currency"),
        ({"amount": Decimal(-1)}, "amount"),
        ({"products": [999999]}, "products"),
        ({"owner": None}, "owner"),
        ({"competitors": "对方身份证 11010519491231002X"}, "competitors"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(rep, lead, values, field):
    events = Event.objects.count()
    with pytest.raises(ValidationError) as refused:
        update_opportunity(lead=lead, actor=rep, values=values)
    assert list(refused.value.message_dict) == [field]
    assert Event.objects.count() == events
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.probability, stored.currency, stored.amount) == (None, "CNY", None)
