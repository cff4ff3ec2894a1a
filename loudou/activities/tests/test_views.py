"""The follow-up panel with htmx and without, the agenda page, cadence rules in the API."""

import pytest
import time_machine
from django.urls import reverse

from loudou.activities.models import CadenceRule, FollowUp
from loudou.activities.tests.factories import local, log, make_high_intent_lead
from loudou.core.models import Event
from loudou.leads.tests.factories import make_lead
from loudou.org.services import issue_api_token

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 4, 15, 30)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def lead(rep):
    with time_machine.travel(NOW, tick=False):
        return make_high_intent_lead(actor=rep)


@time_machine.travel(NOW, tick=False)
def test_lead_page_shows_the_panel_with_sla_and_sensible_defaults(client, rep, lead):
    # given
    client.force_login(rep)
    # when
    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    # then the SLA is due by 17:30 (2 working hours), and the form is prefilled
    assert 'id="sla-state"' in html
    assert "待响应" in html
    assert "首次响应时限 2026-03-04 17:30（2 个工作小时）" in html
    assert 'value="2026-03-04T15:30"' in html  # occurred now
    assert '<option value="phone" selected>' in html
    assert f'<option value="{rep.pk}" selected>' in html  # owner: the lead's owner
    assert 'value="2026-03-11T10:00"' in html  # due: a week later (grade A), 10:00
    assert f'hx-post="/activities/leads/{lead.pk}/follow-ups/"' in html


@time_machine.travel(NOW, tick=False)
def test_htmx_post_logs_and_swaps_in_the_fresh_panel_and_timeline(client, rep, lead):
    # given
    client.force_login(rep)
    data = {
        "occurred_at": "2026-03-04T15:00",
        "channel": "visit",
        "summary": "上门拜访，见了IT负责人",
        "next_action": "周五前发方案",
        "next_action_owner": "",
        "next_action_due": "2026-03-06T17:00",
    }
    # when
    response = client.post(reverse("activities:lead_follow_ups", args=[lead.pk]), data, **HTMX)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('id="follow-ups"') == 1
    assert "已达标" in html
    assert "上门拜访，见了IT负责人" in html
    assert 'id="lead-timeline" hx-swap-oob="true"' in html
    follow_up = FollowUp.objects.get()
    assert follow_up.occurred_at == local(2026, 3, 4, 15, 0)
    assert follow_up.next_action_due == local(2026, 3, 6, 17, 0)
    assert follow_up.next_action_owner == rep


@time_machine.travel(NOW, tick=False)
def test_without_a_next_action_the_prefilled_due_time_is_dropped(client, rep, lead):
    # given the form as it comes prefilled, with only a summary typed
    client.force_login(rep)
    data = {
        "occurred_at": "2026-03-04T15:30",
        "channel": "phone",
        "summary": "没接通",
        "next_action_owner": str(rep.pk),
        "next_action_due": "2026-03-11T10:00",
    }
    # when
    response = client.post(reverse("activities:lead_follow_ups", args=[lead.pk]), data)
    # then
    assert response.status_code == 302
    assert response["Location"] == f"/leads/{lead.pk}/#follow-ups"
    follow_up = FollowUp.objects.get()
    assert (follow_up.next_action, follow_up.next_action_due, follow_up.result) == (
        "",
        None,
        "done",
    )


@time_machine.travel(NOW, tick=False)
def test_invalid_post_shows_the_errors_and_writes_nothing(client, rep, lead):
    # given
    client.force_login(rep)
    events = Event.objects.count()
    data = {"occurred_at": "2026-03-04T15:30", "channel": "phone", "summary": ""}
    url = reverse("activities:lead_follow_ups", args=[lead.pk])
    # when
    plain = client.post(url, data)
    htmx = client.post(url, data, **HTMX)
    # then
    assert plain.status_code == 400
    assert htmx.status_code == 200
    assert "errorlist" in htmx.content.decode()
    assert FollowUp.objects.count() == 0
    assert Event.objects.count() == events


@time_machine.travel(NOW, tick=False)
def test_marking_done_with_htmx_returns_the_panel(client, rep, lead):
    # given
    follow_up = log(lead=lead, actor=rep, next_action="寄样品")
    client.force_login(rep)
    # when
    response = client.post(
        reverse("activities:complete", args=[follow_up.pk]), {"result": "done"}, **HTMX
    )
    # then
    assert response.status_code == 200
    assert "已完成" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.result == "done"


def test_agenda_offers_a_calendar_address_once_generated(client, rep):
    # given
    client.force_login(rep)
    assert 'id="calendar-url"' not in client.get(reverse("activities:agenda")).content.decode()
    # when
    response = client.post(reverse("activities:regenerate_calendar"), follow=True)
    # then
    html = response.content.decode()
    token = rep.calendar_feed.token
    assert len(token) >= 32
    assert f"/activities/calendar/{token}.ics" in html


def test_cadence_rules_are_listed_to_all_and_changed_by_admin_only(client, rep, admin_user):
    # given
    body = {"grade": "B", "touch_interval_days": 10}
    # when
    listed = client.get("/api/activities/cadence-rules", HTTP_AUTHORIZATION=_bearer(rep))
    refused = client.patch(
        "/api/activities/cadence-rules", body, "application/json", HTTP_AUTHORIZATION=_bearer(rep)
    )
    changed = client.patch(
        "/api/activities/cadence-rules",
        body,
        "application/json",
        HTTP_AUTHORIZATION=_bearer(admin_user),
    )
    # then
    assert [r["grade"] for r in listed.json()] == ["A", "B", "C"]
    assert refused.status_code == 403
    assert changed.status_code == 200
    rule = CadenceRule.objects.get(grade="B")
    assert (rule.first_response_hours, rule.touch_interval_days) == (18, 10)  # hours unchanged
    assert Event.objects.filter(verb="cadence_rule.updated").count() == 1


def test_a_lead_page_with_follow_ups_stays_within_its_query_budget(
    client, rep, django_assert_max_num_queries
):
    # given a lead with a few follow-ups
    lead = make_lead(actor=rep)
    for n in range(5):
        log(lead=lead, actor=rep, summary=f"第{n}次", next_action="回访")
    client.force_login(rep)
    # when / then
    with django_assert_max_num_queries(30):
        response = client.get(reverse("leads:detail", args=[lead.pk]))
    assert response.status_code == 200


def _bearer(user) -> str:
    return f"Bearer {issue_api_token(user=user)}"
