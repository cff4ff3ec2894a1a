"""Data-subject rights (PIPL): consent per contact, a person's export, erasure that keeps
the ledger and the figures, and retention limits purged by the worker."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from loudou.analytics.services.conversion import conversion
from loudou.analytics.services.funnel import funnel
from loudou.analytics.services.process import process_indicators
from loudou.analytics.services.scope import Scope
from loudou.compliance.models import ConsentRecord
from loudou.compliance.subjects import ANONYMISED, find_subject, purge_expired_personal_data
from loudou.core.models import Event
from loudou.health.tests.factories import T0, follow_up, move, new_lead
from loudou.leads.models import Lead
from loudou.org.services import issue_api_token
from loudou.pipeline.models import Stage, StageChange
from loudou.webforms.models import SpamSubmission, WebForm

PHONE = "13955556666"


def _api(client, user, method, path, body=None):
    headers = {"Authorization": f"Bearer {issue_api_token(user=user)}"}
    data = json.dumps(body) if body is not None else None
    return client.generic(
        method, path, data=data or "", content_type="application/json", headers=headers
    )


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def person(clock, rep):
    """Two leads of one person (one contacted and then lost), and a stranger's lead."""
    stages = {s.kind if s.kind in {"lost", "won"} else s.code: s for s in Stage.objects.all()}
    first = new_lead(rep, phone=PHONE, contact_name="周小川", email="zhou@example.com")
    follow_up(clock, first, T0 + timedelta(hours=2))
    second = new_lead(rep, phone=PHONE, contact_name="周小川", notes="喜欢下午联系")
    move(second, stages["lost"], T0 + timedelta(hours=3))
    other = new_lead(rep, phone="13800001111", contact_name="吴大伟")
    clock.move_to(T0 + timedelta(days=1))
    return {"leads": [first, second], "other": other}


def _figures(viewer):
    scope = Scope.build(viewer, start=T0.date(), end=(T0 + timedelta(days=1)).date())
    return {
        "funnel": funnel(scope, now=T0 + timedelta(days=1)),
        "conversion": conversion(scope, by="source"),
        "process": process_indicators(scope, now=T0 + timedelta(days=1)),
        "ledger": list(StageChange.objects.order_by("pk").values_list("lead", "to_stage", "at")),
    }


# --- consent ------------------------------------------------------------------------------


def test_a_rep_records_and_withdraws_consent_on_the_contact_page(client, rep, person):
    # given
    contact = person["leads"][0].contact
    client.force_login(rep)
    url = reverse("customers:contact_consent", args=[contact.customer_id, contact.pk])
    # when
    client.post(
        url, {"purpose": "marketing", "granted": "1", "source": "verbal", "evidence": "电话中同意"}
    )
    client.post(
        url, {"purpose": "marketing", "granted": "0", "source": "written", "evidence": "邮件退订"}
    )
    page = client.get(reverse("customers:contact_edit", args=[contact.customer_id, contact.pk]))
    # then
    records = list(
        ConsentRecord.objects.filter(contact=contact).values_list("purpose", "granted", "source")
    )
    assert records == [("marketing", False, "written"), ("marketing", True, "verbal")]
    html = page.content.decode()
    assert "已撤回" in html
    assert "邮件退订" in html
    assert Event.objects.filter(verb="contact.consent").count() == 2


def test_consent_through_the_api_and_refused_for_a_contact_the_user_cannot_see(
    client, rep, other_team_rep, person
):
    # given
    contact = person["leads"][0].contact
    body = {"purpose": "sales", "granted": True, "source": "api", "evidence": "CRM 同步"}
    # when
    created = _api(client, rep, "POST", f"/api/contacts/{contact.pk}/consents", body)
    listed = _api(client, rep, "GET", f"/api/contacts/{contact.pk}/consents")
    refused = _api(client, other_team_rep, "POST", f"/api/contacts/{contact.pk}/consents", body)
    refused_page = client.post(
        reverse("customers:contact_consent", args=[contact.customer_id, contact.pk]),
        {"purpose": "sales", "granted": "1", "source": "verbal"},
    )
    # then
    assert created.status_code == 201
    assert [(c["purpose"], c["granted"]) for c in listed.json()] == [("sales", True)]
    assert refused.status_code == 404
    assert refused_page.status_code == 302
    assert "login" in refused_page.url
    assert ConsentRecord.objects.count() == 1


# --- export -------------------------------------------------------------------------------


def test_an_administrator_exports_everything_about_the_person(client, admin_user, person):
    # when
    answer = _api(client, admin_user, "POST", "/api/compliance/subjects/export", {"phone": PHONE})
    client.force_login(admin_user)
    page = client.post(reverse("compliance:subject_export"), {"phone": "+86 139 5555 6666"})
    # then
    data = answer.json()
    assert sorted(lead["number"] for lead in data["leads"]) == sorted(
        lead.number for lead in person["leads"]
    )
    assert {lead["phone"] for lead in data["leads"]} == {"+86" + PHONE}
    assert [c["name"] for c in data["contacts"]] == ["周小川", "周小川"]
    assert len(data["follow_ups"]) == 1
    assert json.loads(page.content)["leads"] == data["leads"]
    assert page["Content-Disposition"].startswith('attachment; filename="personal-data-')
    assert Event.objects.filter(verb="subject.exported").count() == 8


@pytest.mark.parametrize("who", ["director", "manager", "rep"])
def test_only_administrators_may_export_or_erase(client, cast, person, who):
    # given
    user = cast[who]
    client.force_login(user)
    # when
    answers = [
        _api(
            client,
            user,
            "POST",
            f"/api/compliance/subjects/{action}",
            {"phone": PHONE, "reason": "x"},
        )
        for action in ("search", "export", "erase")
    ]
    pages = [
        client.get(reverse("compliance:subjects"), {"phone": PHONE}),
        client.post(reverse("compliance:subject_export"), {"phone": PHONE}),
        client.post(
            reverse("compliance:subject_erase"), {"phone": PHONE, "reason": "x", "confirm": "on"}
        ),
    ]
    # then
    assert [a.status_code for a in answers] == [403, 403, 403]
    assert [p.status_code for p in pages] == [403, 403, 403]
    assert Lead.objects.filter(phone="+86" + PHONE).count() == 2
    assert not Event.objects.filter(verb__startswith="subject.").exists()


# --- erasure ------------------------------------------------------------------------------


def test_erasure_anonymises_the_person_and_keeps_the_ledger_and_the_figures(
    client, admin_user, director, person
):
    # given
    form = WebForm.objects.create(name="官网", channel=person["other"].source or _channel())
    SpamSubmission.objects.create(
        form=form, at=T0, reason="honeypot", ip_hash="x", payload={"phone": PHONE}
    )
    before = _figures(director)
    # when
    client.force_login(admin_user)
    response = client.post(
        reverse("compliance:subject_erase"),
        {"phone": PHONE, "reason": "本人电话要求删除", "confirm": "on"},
    )
    again = _api(
        client,
        admin_user,
        "POST",
        "/api/compliance/subjects/erase",
        {"phone": "", "email": "zhou@example.com", "reason": "重复请求"},
    )
    # then
    assert response.status_code == 302
    assert _figures(director) == before
    for lead in Lead.objects.filter(pk__in=[lead.pk for lead in person["leads"]]):
        assert (lead.contact_name, lead.phone, lead.email, lead.notes) == (ANONYMISED, "", "", "")
        assert lead.contact.name == ANONYMISED
        assert lead.contact.anonymised_at is not None
        assert lead.is_valid  # still counted as it was
        logged = Event.objects.for_object(lead).get(verb="lead.created").changes
        assert "+86" + PHONE not in json.dumps(logged, ensure_ascii=False)
        assert "周小川" not in json.dumps(logged, ensure_ascii=False)
    assert Lead.objects.get(pk=person["other"].pk).phone == "+8613800001111"
    assert not SpamSubmission.objects.exists()
    assert again.status_code == 200  # found by nothing now: nothing left to change
    assert again.json()["leads"] == 0
    assert Event.objects.filter(verb="subject.erased", reason="本人电话要求删除").count() == 4


def _channel():
    from loudou.leads.models import SourceChannel

    return SourceChannel.objects.first()


def test_erasure_needs_a_reason_and_a_confirmation(client, admin_user, person):
    # given
    client.force_login(admin_user)
    # when
    response = client.post(reverse("compliance:subject_erase"), {"phone": PHONE, "reason": ""})
    # then
    assert response.status_code == 400
    assert Lead.objects.filter(phone="+86" + PHONE).count() == 2


# --- retention ----------------------------------------------------------------------------


def test_the_worker_anonymises_lost_leads_past_the_retention_limit_only(settings, person):
    # given: a year and a day later, the lost lead is past the limit, the open one is not
    settings.LOUDOU_RETENTION_DAYS = 365
    first, second = person["leads"]
    later = T0 + timedelta(days=366)
    # when
    with time_machine.travel(later, tick=False):
        done = purge_expired_personal_data(now=later)
        twice = purge_expired_personal_data(now=later)
    # then
    assert (done, twice) == (1, 0)
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.contact_name, second.phone, second.contact.name) == (ANONYMISED, "", ANONYMISED)
    assert (first.contact_name, first.phone) == ("周小川", "+86" + PHONE)
    assert Event.objects.filter(verb="subject.erased", reason="retention").count() == 1


def test_find_subject_matches_phone_in_any_format(person):
    # when
    subject = find_subject(phone="+86 139-5555-6666")
    # then
    assert sorted(lead.pk for lead in subject.leads) == sorted(lead.pk for lead in person["leads"])


def test_the_request_page_lists_the_persons_records_masked(client, admin_user, person):
    # given
    client.force_login(admin_user)
    # when
    page = client.get(reverse("compliance:subjects"), {"phone": PHONE})
    empty = client.get(reverse("compliance:subjects"), {"phone": ""})
    # then
    html = page.content.decode()
    table = html[html.index("<table>") : html.index("</table>")]
    assert "找到 2 个联系人、2 条线索" in html
    assert "139****6666" in table
    assert PHONE not in table
    assert 'id="subject-erase"' in html
    assert "请至少填写电话、邮箱或微信之一。" in empty.content.decode()
