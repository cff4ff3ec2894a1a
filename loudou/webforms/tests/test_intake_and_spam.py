"""Each web form's intake mode; refused spam stored (reason, IP hash, truncated payload)
and shown to administrators; the rate limit counts in the configured Django cache."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache, caches
from django.urls import reverse

from loudou.assignment.choices import AssignVia, IntakeMode
from loudou.assignment.models import Assignment, PoolEntry
from loudou.assignment.tests.factories import make_pool
from loudou.leads.models import Lead, SourceChannel
from loudou.org.services import issue_api_token
from loudou.webforms.models import SpamSubmission, WebForm
from loudou.webforms.spam import RATE_LIMIT, fill_stamp, ip_hash

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
IP = "203.0.113.7"
VALID = {
    "company_name": "杭州数智科技有限公司",
    "contact_name": "李娜",
    "phone": "13700001111",
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
    return WebForm.objects.create(name="官网咨询", channel=channel, stop_phrases="代开发票")


def _post(client, webform, data, *, ip=IP, wait=10):
    with time_machine.travel(T0, tick=False):
        stamp = fill_stamp(webform)
    with time_machine.travel(T0 + timedelta(seconds=wait), tick=False):
        url = reverse("webforms:submit", args=[webform.token])
        return client.post(url, {**data, "ts": stamp}, REMOTE_ADDR=ip)


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


# --- intake -------------------------------------------------------------------------------


def test_a_pool_form_puts_its_leads_into_the_channels_pool(client, webform):
    # given: the default mode
    make_pool(name="全国公海")
    by_source = make_pool(name="官网公海", source=webform.channel)

    # when
    _post(client, webform, VALID)

    # then
    lead = Lead.objects.get()
    assert webform.intake_mode == IntakeMode.POOL
    assert lead.owner is None
    assert PoolEntry.objects.get().pool == by_source


def test_a_rules_form_gives_its_leads_to_a_rep_with_the_customer(client, webform, rep, teammate):
    # given
    teammate.on_leave = True
    teammate.save()
    WebForm.objects.filter(pk=webform.pk).update(intake_mode=IntakeMode.RULES)
    webform.refresh_from_db()

    # when
    response = _post(client, webform, VALID)

    # then
    assert response.status_code == 200
    lead = Lead.objects.get()
    assert (lead.owner, lead.customer.owner) == (rep, rep)
    assert Assignment.objects.get().via == AssignVia.RULE
    assert not PoolEntry.objects.exists()


def test_a_marketing_form_leaves_its_leads_unowned_outside_any_pool(client, webform):
    # given
    make_pool(name="全国公海")
    WebForm.objects.filter(pk=webform.pk).update(intake_mode=IntakeMode.MARKETING)
    webform.refresh_from_db()

    # when
    _post(client, webform, VALID)

    # then
    assert Lead.objects.get().owner is None
    assert not PoolEntry.objects.exists()
    assert not Assignment.objects.exists()


def test_the_intake_mode_is_set_through_the_api(client, admin_user, webform):
    # given
    body = {"name": "官网咨询", "channel": "web_test", "intake_mode": "rules"}

    # when
    response = client.put(
        f"/api/webforms/{webform.pk}", body, content_type="application/json", **_auth(admin_user)
    )
    bad = client.put(
        f"/api/webforms/{webform.pk}",
        {**body, "intake_mode": "nowhere"},
        content_type="application/json",
        **_auth(admin_user),
    )

    # then
    assert (response.status_code, response.json()["intake_mode"]) == (200, "rules")
    assert bad.status_code == 422
    assert WebForm.objects.get().intake_mode == IntakeMode.RULES


# --- spam stored --------------------------------------------------------------------------


def test_spam_is_stored_with_reason_ip_hash_and_a_truncated_payload(client, webform):
    # given
    long_text = "代开发票" + "x" * 1000

    # when
    _post(client, webform, {**VALID, "need_description": long_text, "website": ""})

    # then
    [spam] = SpamSubmission.objects.all()
    assert (spam.form, spam.reason) == (webform, "stop_phrase")
    assert spam.ip_hash == ip_hash(IP)
    assert IP not in spam.ip_hash
    assert len(spam.payload["need_description"]) == 200
    assert spam.payload["company_name"] == "杭州数智科技有限公司"
    assert "ts" not in spam.payload
    assert Lead.objects.count() == 0


def test_a_spam_payload_keeps_only_twenty_short_fields_without_nul(client, webform):
    # given
    data = {**VALID, "website": "http://spam\x00.example"}
    data.update({f"{i:02d}{'k' * 60}": "v" for i in range(40)})

    # when
    _post(client, webform, data)

    # then
    [spam] = SpamSubmission.objects.all()
    assert spam.reason == "honeypot"
    assert len(spam.payload) == 20
    assert all(len(key) <= 40 for key in spam.payload)
    assert spam.payload["website"] == "http://spam.example"


def test_a_rate_limited_burst_is_counted_in_full_but_stored_once(client, webform):
    # when: 5 allowed posts, then 4 over the limit
    for index in range(RATE_LIMIT + 4):
        _post(client, webform, {**VALID, "phone": f"1370000{index:04d}"})

    # then
    webform.refresh_from_db()
    assert (webform.lead_count, webform.spam_count) == (RATE_LIMIT, 4)
    assert list(SpamSubmission.objects.values_list("reason", flat=True)) == ["rate_limited"]


def test_the_rate_limit_counts_in_the_configured_cache(client, webform, settings):
    # given: a second cache (as a shared Redis/Memcached/database cache would be)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "shared-rate",
        },
    }
    settings.WEBFORMS_RATE_CACHE = "shared"

    # when
    _post(client, webform, VALID)
    _post(client, webform, {**VALID, "phone": "13700002222"})

    # then
    key = f"webforms:rate:{webform.pk}:{ip_hash(IP)}"
    with time_machine.travel(T0 + timedelta(seconds=10), tick=False):  # before expiry
        assert caches["shared"].get(key) == 2
        assert caches["default"].get(key) is None


# --- shown to administrators --------------------------------------------------------------


def test_administrators_list_a_forms_spam_through_the_api(client, admin_user, webform):
    # given
    _post(client, webform, {**VALID, "need_description": "代开发票"})
    _post(client, webform, VALID, wait=1)

    # when
    response = client.get(f"/api/webforms/{webform.pk}/spam", **_auth(admin_user))

    # then
    assert response.status_code == 200
    rows = response.json()
    assert [(r["reason"], r["reason_label"]) for r in rows] == [  # newest first
        ("stop_phrase", "包含屏蔽词"),
        ("too_fast", "填写过快"),
    ]
    assert {r["ip_hash"] for r in rows} == {ip_hash(IP)}


@pytest.mark.parametrize("who", ["rep", "manager", "director", "marketing"])
def test_others_may_not_see_spam(client, request, webform, who):
    # given
    _post(client, webform, {**VALID, "need_description": "代开发票"})
    user = request.getfixturevalue(who)
    client.force_login(user)

    # when
    api = client.get(f"/api/webforms/{webform.pk}/spam", **_auth(user))
    admin = client.get(reverse("admin:webforms_spamsubmission_changelist"))

    # then
    assert api.status_code == 403
    assert admin.status_code == 302  # to the admin login: not staff


def test_spam_of_a_missing_form_is_404(client, admin_user):
    assert client.get("/api/webforms/9999/spam", **_auth(admin_user)).status_code == 404


def test_administrators_see_spam_in_the_admin_read_only(client, admin_user, webform):
    # given
    _post(client, webform, {**VALID, "need_description": "代开发票"})
    client.force_login(admin_user)
    spam = SpamSubmission.objects.get()

    # when
    listed = client.get(reverse("admin:webforms_spamsubmission_changelist"))
    add = client.get(reverse("admin:webforms_spamsubmission_add"))

    # then
    assert listed.status_code == 200
    assert spam.ip_hash in listed.content.decode()
    assert add.status_code == 403


def test_stored_spam_is_pruned_after_the_keeping_period(settings, webform):
    # given: two refused posts, one older than the keeping period
    from django.utils import timezone

    from loudou.webforms import tasks
    from loudou.webforms.services import prune_spam, record_spam

    settings.LOUDOU_SPAM_KEPT_DAYS = 30
    now = timezone.now()
    old = record_spam(form=webform, reason="honeypot", ip="10.0.0.1", data={"a": "x"}, now=now)
    SpamSubmission.objects.filter(pk=old.pk).update(at=now - timedelta(days=31))
    recent = record_spam(form=webform, reason="honeypot", ip="10.0.0.2", data={}, now=now)
    # when
    deleted = prune_spam(now=now)
    # then: the old one is gone, the recent one and the form's counter stay
    assert deleted == 1
    assert list(SpamSubmission.objects.values_list("pk", flat=True)) == [recent.pk]
    webform.refresh_from_db()
    assert webform.spam_count == 2
    assert tasks.prune_spam.call() == 0  # the daily task runs the same service
