"""Web-to-lead: the public form, each spam defence, and hostile input."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loudou.compliance.models import ConsentRecord
from loudou.leads.models import Lead, SourceChannel
from loudou.webforms.models import WebForm
from loudou.webforms.spam import fill_stamp

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
VALID = {
    "company_name": "杭州数智科技有限公司",
    "contact_name": "李娜",
    "phone": "13700001111",
    "need_description": "想了解生产管理系统",
    "consent": "on",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def webform(db):
    channel, _ = SourceChannel.objects.get_or_create(code="web_test", defaults={"name": "官网"})
    return WebForm.objects.create(
        name="官网咨询",
        channel=channel,
        banned_company_names="骗子科技有限公司",
        stop_phrases="代开发票\nSEO优化",
    )


def _post(client, webform, data, *, ip="203.0.113.7", wait=10, stamp=None):
    """Load the form at T0, send it `wait` seconds later."""
    with time_machine.travel(T0, tick=False):
        stamp = fill_stamp(webform) if stamp is None else stamp
    with time_machine.travel(T0 + timedelta(seconds=wait), tick=False):
        url = reverse("webforms:submit", args=[webform.token])
        return client.post(url, {**data, "ts": stamp}, REMOTE_ADDR=ip)


def test_the_page_is_embeddable_by_any_site(client, webform):
    # when
    response = client.get(reverse("webforms:form", args=[webform.token]))

    # then
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    page = response.content.decode()
    assert 'name="website"' in page
    assert 'name="ts"' in page


def test_other_pages_still_refuse_framing(client, rep):
    # given
    client.force_login(rep)

    # when
    response = client.get(reverse("leads:list"))

    # then
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_valid_post_creates_exactly_one_pooled_lead_from_the_channel(webform):
    # given: a plain HTML post from another site, without a CSRF token
    client = Client(enforce_csrf_checks=True)

    # when
    response = _post(client, webform, VALID)

    # then
    assert response.status_code == 200
    assert "感谢您的留言" in response.content.decode()
    lead = Lead.objects.get()
    assert (lead.company_name, lead.source_id, lead.owner_id) == (
        "杭州数智科技有限公司",
        webform.channel_id,
        None,
    )
    assert (lead.captured_by.username, lead.captured_by.role) == ("webform", "marketing")
    webform.refresh_from_db()
    assert (webform.lead_count, webform.spam_count) == (1, 0)


@pytest.mark.parametrize(
    ("data", "options"),
    [
        ({**VALID, "website": "http://spam.example"}, {}),
        (VALID, {"wait": 1}),
        (VALID, {"stamp": ""}),
        (VALID, {"stamp": "1:forged:signature"}),
        (VALID, {"wait": 2 * 24 * 3600}),
        ({**VALID, "company_name": "骗子科技"}, {}),
        ({**VALID, "company_name": "（骗子）科技股份有限公司"}, {}),
        ({**VALID, "need_description": "专业代开发票"}, {}),
        ({**VALID, "contact_name": "ｓｅｏ优化"}, {}),
    ],
    ids=[
        "honeypot",
        "too-fast",
        "no-stamp",
        "forged-stamp",
        "stale-stamp",
        "banned-name",
        "banned-name-variant",
        "stop-phrase",
        "stop-phrase-full-width",
    ],
)
def test_spam_is_dropped_silently_and_counted(client, webform, data, options):
    # when
    response = _post(client, webform, data, **options)

    # then
    assert response.status_code == 200
    assert "感谢您的留言" in response.content.decode()
    assert Lead.objects.count() == 0
    webform.refresh_from_db()
    assert (webform.lead_count, webform.spam_count) == (0, 1)


def test_one_ip_may_post_five_times_in_ten_minutes(client, webform):
    # when
    for index in range(6):
        _post(client, webform, {**VALID, "phone": f"1370000{index:04d}"})
    _post(client, webform, VALID, ip="198.51.100.9")

    # then
    assert Lead.objects.count() == 6
    webform.refresh_from_db()
    assert (webform.lead_count, webform.spam_count) == (6, 1)


def test_a_form_without_fill_time_accepts_a_plain_post_without_stamp(client, webform):
    # given
    webform.require_fill_time = False
    webform.save()

    # when
    _post(client, webform, VALID, stamp="")

    # then
    assert Lead.objects.count() == 1


def test_a_humans_mistake_gets_the_form_back(client, webform):
    # when
    response = _post(client, webform, {**VALID, "phone": "12345"})

    # then
    assert response.status_code == 400
    assert "不是有效的电话号码" in response.content.decode()
    assert Lead.objects.count() == 0


def test_unknown_and_inactive_forms_are_404(client, webform):
    # given
    token = webform.token
    webform.is_active = False
    webform.save()

    # when / then
    assert client.get(reverse("webforms:form", args=[token])).status_code == 404
    assert _post(client, webform, VALID).status_code == 404
    assert client.get(reverse("webforms:form", args=["nope"])).status_code == 404
    assert Lead.objects.count() == 0


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fields=st.dictionaries(
        st.sampled_from(["company_name", "contact_name", "phone", "email", "website", "ts", "x"]),
        st.text(max_size=300),
    )
)
def test_hostile_posts_never_cause_a_server_error(client, webform, fields):
    # given
    cache.clear()
    url = reverse("webforms:submit", args=[webform.token])

    # when
    with transaction.atomic():
        response = client.post(url, fields, REMOTE_ADDR="203.0.113.7")
        created = Lead.objects.count()
        transaction.set_rollback(True)

    # then
    assert response.status_code in {200, 400}
    assert created <= 1


def test_the_visitor_must_tick_the_consent_shown_on_the_form(client, webform):
    # given
    webform.consent_text = "我同意测试公司处理我的信息。"
    webform.save(update_fields=["consent_text"])
    unticked = {k: v for k, v in VALID.items() if k != "consent"}
    # when
    page = client.get(reverse("webforms:form", args=[webform.token])).content.decode()
    response = _post(client, webform, unticked)
    # then
    assert "我同意测试公司处理我的信息。" in page
    assert 'name="consent"' in page
    assert response.status_code == 400
    assert "请阅读并勾选同意声明后再提交。" in response.content.decode()
    assert Lead.objects.count() == 0


def test_a_ticked_consent_is_recorded_on_the_new_contact(client, webform):
    # when
    response = _post(client, webform, VALID)
    # then
    assert response.status_code == 200
    lead = Lead.objects.get()
    [record] = ConsentRecord.objects.filter(contact=lead.contact)
    assert (record.purpose, record.granted, record.source) == ("sales", True, "web_form")
    assert record.evidence == f"官网咨询: {webform.consent_text}"
    assert record.recorded_at == T0 + timedelta(seconds=10)
