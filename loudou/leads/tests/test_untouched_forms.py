"""Saving a form without touching it changes nothing: every value the page renders is one
the browser keeps and posts back (dates in ISO form, whatever the language)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from loudou.core.models import Event
from loudou.core.testing.html_forms import submitted_values
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead

SHEET = {
    "expected_purchase_date": datetime.date(2026, 12, 19),
    "budget_min": 10,
    "budget_max": 15,
    "employees": 120,
    "need_description": "生产排程数字化",
    "pain_point": "排产靠手工表格",
    "notes": "展会上留的名片\n第二行",
    "email": "wang@example.com",
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_saving_the_untouched_lead_edit_form_changes_nothing(client, rep, language):
    # given
    rep.language = language
    rep.save(update_fields=["language"])
    lead = make_lead(actor=rep, **SHEET)
    lead.refresh_from_db()
    before = {f.name: getattr(lead, f.name) for f in Lead._meta.concrete_fields}
    events = Event.objects.count()
    client.force_login(rep)
    page = client.get(reverse("leads:edit", args=[lead.pk]))
    posted = submitted_values(page.content.decode(), "lead-form")
    # when
    response = client.post(reverse("leads:edit", args=[lead.pk]), posted)
    # then
    assert response.status_code == 302
    assert posted["expected_purchase_date"] == "2026-12-19"
    lead.refresh_from_db()
    after = {f.name: getattr(lead, f.name) for f in Lead._meta.concrete_fields}
    assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}
    assert Event.objects.count() == events


def test_saving_the_untouched_opportunity_form_changes_nothing(client, rep):
    # given
    lead = make_lead(actor=rep)
    lead.amount, lead.expected_close_date = Decimal("120000.00"), datetime.date(2027, 1, 8)
    lead.save(update_fields=["amount", "expected_close_date"])
    events = Event.objects.count()
    client.force_login(rep)
    url = reverse("pipeline:opportunity", args=[lead.pk])
    posted = submitted_values(client.get(url).content.decode(), "opportunity-form")
    # when
    response = client.post(url, posted)
    # then
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.amount, lead.expected_close_date) == (
        Decimal("120000.00"),
        datetime.date(2027, 1, 8),
    )
    assert Event.objects.count() == events
