"""Permission matrix over the cast: follow-ups, completion, agenda, team overdue, .ics."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from loudou.activities.models import FollowUp
from loudou.activities.tests.factories import log
from loudou.core.models import Event
from loudou.leads.tests.factories import make_lead
from loudou.org.services import issue_api_token

pytestmark = pytest.mark.django_db

#: Who may log and close follow-ups on the lead owned by `rep`.
MATRIX = {
    "rep": True,
    "teammate": False,
    "manager": True,
    "other_team_rep": False,
    "director": True,
    "marketing": False,
    "admin_user": True,
}


def _api(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


@pytest.fixture
def rep_lead(rep):
    return make_lead(actor=rep, company_name="苏州矩阵电子有限公司")


def _form(**extra) -> dict:
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    return {"occurred_at": now, "channel": "phone", "summary": "电话介绍产品", **extra}


@pytest.mark.parametrize(("who", "allowed"), MATRIX.items())
def test_logging_a_follow_up_on_the_page_follows_visibility(
    client, cast, rep, rep_lead, who, allowed
):
    # given
    client.force_login(cast[who])
    events = Event.objects.count()
    # when
    url = reverse("activities:lead_follow_ups", args=[rep_lead.pk])
    response = client.post(url, _form(next_action="发资料"))
    # then
    if not allowed:
        assert response.status_code == 404
        assert FollowUp.objects.count() == 0
        assert Event.objects.count() == events
        return
    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert (follow_up.author, follow_up.next_action_owner) == (cast[who], rep)


@pytest.mark.parametrize(("who", "allowed"), MATRIX.items())
def test_logging_a_follow_up_through_the_api_follows_visibility(
    client, cast, rep, rep_lead, who, allowed
):
    # given
    events = Event.objects.count()
    # when
    response = client.post(
        f"/api/activities/leads/{rep_lead.pk}/follow-ups",
        {"summary": "微信沟通", "channel": "wechat", "next_action": "约演示"},
        content_type="application/json",
        **_api(cast[who]),
    )
    # then
    if not allowed:
        assert response.status_code == 404
        assert FollowUp.objects.count() == 0
        assert Event.objects.count() == events
        return
    assert response.status_code == 201
    body = response.json()
    assert (body["channel"], body["next_action_owner_id"], body["result"]) == (
        "wechat",
        rep.pk,
        "pending",
    )


@pytest.mark.parametrize(("who", "allowed"), MATRIX.items())
def test_reading_follow_ups_sla_and_timeline_through_the_api_follows_visibility(
    client, cast, rep, rep_lead, who, allowed
):
    # given
    log(lead=rep_lead, actor=rep)
    for path in ["follow-ups", "sla", "timeline"]:
        # when
        response = client.get(f"/api/activities/leads/{rep_lead.pk}/{path}", **_api(cast[who]))
        # then
        assert response.status_code == (200 if allowed else 404), path


@pytest.mark.parametrize(("who", "allowed"), MATRIX.items())
def test_closing_a_next_action_follows_visibility_on_page_and_api(
    client, cast, rep, rep_lead, who, allowed
):
    # given two open actions of the rep's lead
    page_action = log(lead=rep_lead, actor=rep, next_action="报价")
    api_action = log(lead=rep_lead, actor=rep, next_action="演示")
    client.force_login(cast[who])
    # when
    page = client.post(reverse("activities:complete", args=[page_action.pk]), {"result": "done"})
    api = client.post(
        f"/api/activities/follow-ups/{api_action.pk}/complete",
        {"result": "failed"},
        content_type="application/json",
        **_api(cast[who]),
    )
    # then
    page_action.refresh_from_db()
    api_action.refresh_from_db()
    if not allowed:
        assert (page.status_code, api.status_code) == (404, 404)
        assert (page_action.result, api_action.result) == ("pending", "pending")
        return
    assert (page.status_code, api.status_code) == (302, 200)
    assert (page_action.result, api_action.result) == ("done", "failed")


def test_agenda_shows_only_my_own_next_actions(client, rep, teammate):
    # given an overdue action each, and one due later today for the rep
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=2), tick=False):
        mine = make_lead(actor=rep, company_name="我的客户")
        theirs = make_lead(actor=teammate, company_name="同事的客户")
        log(
            lead=mine,
            actor=rep,
            next_action="回访我的客户",
            next_action_due=now - timedelta(days=1),
        )
        log(
            lead=theirs,
            actor=teammate,
            next_action="回访同事客户",
            next_action_due=now - timedelta(days=1),
        )
    client.force_login(rep)
    # when
    page = client.get(reverse("activities:agenda")).content.decode()
    api = client.get("/api/activities/agenda", **_api(rep)).json()
    # then
    assert "回访我的客户" in page
    assert "回访同事客户" not in page
    assert [a["next_action"] for a in api["overdue"]] == ["回访我的客户"]
    assert api["today"] == api["week"] == []


@pytest.mark.parametrize("who", ["rep", "teammate", "other_team_rep", "marketing"])
def test_team_overdue_is_refused_to_non_managers(client, cast, who):
    # when
    api = client.get("/api/activities/team-overdue", **_api(cast[who]))
    client.force_login(cast[who])
    page = client.get(reverse("activities:agenda")).content.decode()
    # then
    assert api.status_code == 403
    assert 'id="team-overdue"' not in page


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("manager", ["A 组逾期"]),
        ("other_manager", ["B 组逾期"]),
        ("director", ["A 组逾期", "B 组逾期"]),
    ],
)
def test_team_overdue_lists_the_managers_team(
    client, rep, other_team_rep, other_manager, director, manager, who, expected
):
    # given one overdue action in each team
    users = {"manager": manager, "other_manager": other_manager, "director": director}
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=2), tick=False):
        for owner, text in [(rep, "A 组逾期"), (other_team_rep, "B 组逾期")]:
            lead = make_lead(actor=owner)
            log(lead=lead, actor=owner, next_action=text, next_action_due=now - timedelta(days=1))
    # when
    api = client.get("/api/activities/team-overdue", **_api(users[who]))
    client.force_login(users[who])
    page = client.get(reverse("activities:agenda")).content.decode()
    # then
    assert api.status_code == 200
    assert sorted(a["next_action"] for a in api.json()["next_actions"]) == expected
    assert 'id="team-overdue"' in page
    assert all(text in page for text in expected)


def test_calendar_feed_with_a_wrong_secret_is_404(client, rep):
    # given the rep has a feed
    client.force_login(rep)
    client.post(reverse("activities:regenerate_calendar"))
    client.logout()
    # when
    response = client.get(reverse("activities:calendar_feed", args=["not-the-secret-" * 3]))
    # then
    assert response.status_code == 404


def test_calendar_feed_with_the_right_secret_lists_my_open_next_actions(client, rep, teammate):
    # given
    lead = make_lead(actor=rep, company_name="宁波海联精密制造有限公司")
    log(
        lead=lead,
        actor=rep,
        next_action="上门演示",
        next_action_due=timezone.now() + timedelta(days=1),
    )
    other = make_lead(actor=teammate)
    log(lead=other, actor=teammate, next_action="同事的行动", next_action_due=timezone.now())
    url = client.get("/api/activities/calendar-feed", **_api(rep)).json()["url"]
    # when fetched without logging in
    response = client.get(url)
    # then
    text = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 1
    assert f"SUMMARY:{lead.number} 宁波海联精密制造有限公司: 上门演示" in text
    assert "同事的行动" not in text


def test_regenerating_the_feed_revokes_the_old_address(client, rep):
    # given
    old = client.get("/api/activities/calendar-feed", **_api(rep)).json()["url"]
    # when
    new = client.post("/api/activities/calendar-feed", **_api(rep)).json()["url"]
    # then
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_the_agenda_summary_counts_and_heads_what_the_agenda_lists(rep, teammate):
    # given the rep's actions overdue, due later today, this week, later, undated and
    # done, and an action of the teammate's
    from loudou.activities.selectors import agenda, agenda_summary

    now = datetime(2026, 5, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    dues = [-50, -30, -2, -1, 1, 5, 30, 200, None, None]  # hours from now
    with time_machine.travel(now - timedelta(days=3), tick=False):
        lead = make_lead(actor=rep, company_name="日程汇总客户")
        other = make_lead(actor=teammate, company_name="同事日程客户")
        for i, hours in enumerate(dues):
            due = None if hours is None else now + timedelta(hours=hours)
            log(lead=lead, actor=rep, next_action=f"动作{i}", next_action_due=due)
        log(lead=other, actor=teammate, next_action="同事动作", next_action_due=now)
        done = log(lead=lead, actor=rep, next_action="已完成", next_action_due=now)
    FollowUp.objects.filter(pk=done.pk).update(next_action_done_at=now)
    # when
    full = agenda(rep, now)
    summary = agenda_summary(rep, now, shown=3)
    # then: the counts of the full agenda, and the first three of each part shown
    assert summary["counts"] == {name: len(items) for name, items in full.items()}
    assert summary["counts"] == {"overdue": 4, "today": 2, "week": 1, "undated": 2}
    assert summary["overdue"] == full["overdue"][:3]
    assert summary["today"] == full["today"][:3]
    assert [a.next_action for a in summary["overdue"]] == ["动作0", "动作1", "动作2"]
