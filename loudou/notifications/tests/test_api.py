"""The notifications API: my notifications only; robots and the outbox for admins only."""

import pytest

from loudou.core.models import Event
from loudou.notifications.models import Delivery, Notification, RobotConfig
from loudou.notifications.services import notify
from loudou.notifications.tests.factories import make_robot
from loudou.org.services import issue_api_token

NON_ADMINS = ["rep", "teammate", "manager", "other_team_rep", "director", "marketing"]


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


def _notify(user, key, **values):
    return notify(user=user, kind="overdue", title=f"提醒 {key}", dedupe_key=key, **values)


def test_list_shows_my_notifications_newest_first_with_unread_filter(client, rep, teammate):
    # given
    older = _notify(rep, "a", url="/leads/1/")
    newer = _notify(rep, "b")
    _notify(teammate, "c")
    client.post("/api/notifications/read", {"ids": [older.pk]}, "application/json", **_auth(rep))
    # when
    everything = client.get("/api/notifications", **_auth(rep)).json()
    unread = client.get("/api/notifications?unread=true", **_auth(rep)).json()
    count = client.get("/api/notifications/unread-count", **_auth(rep)).json()
    # then
    assert [n["id"] for n in everything] == [newer.pk, older.pk]
    assert everything[1]["url"] == "/leads/1/"
    assert everything[1]["read_at"] is not None
    assert [n["id"] for n in unread] == [newer.pk]
    assert count == {"count": 1}


def test_reading_another_users_notification_changes_nothing(client, rep, teammate):
    # given
    theirs = _notify(teammate, "t")
    # when
    response = client.post(
        "/api/notifications/read", {"ids": [theirs.pk]}, "application/json", **_auth(rep)
    )
    # then
    assert response.json() == {"updated": 0}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [2**63, -1, 0])
def test_an_id_the_database_cannot_hold_is_refused_with_422(client, rep, bad):
    # given
    mine = _notify(rep, "m")
    # when
    response = client.post(
        "/api/notifications/read", {"ids": [mine.pk, bad]}, "application/json", **_auth(rep)
    )
    # then
    assert response.status_code == 422
    assert Notification.objects.get(pk=mine.pk).read_at is None


def test_read_all_marks_only_mine(client, rep, teammate):
    # given
    _notify(rep, "a")
    _notify(rep, "b")
    _notify(teammate, "c")
    # when
    response = client.post("/api/notifications/read-all", **_auth(rep))
    # then
    assert response.json() == {"updated": 2}
    assert list(
        Notification.objects.filter(read_at=None).values_list("user__username", flat=True)
    ) == ["teammate"]


@pytest.mark.parametrize("who", NON_ADMINS)
def test_robots_and_deliveries_are_refused_to_non_admins(client, cast, who, team_a):
    # given
    robot = make_robot(team=team_a, url="https://qyapi.weixin.qq.com/x")
    headers = _auth(cast[who])
    new = {"team_id": team_a.pk, "kind": "wecom", "webhook_url": "https://example.com/hook"}
    # when
    responses = [
        client.get("/api/notifications/robots", **headers),
        client.post("/api/notifications/robots", new, "application/json", **headers),
        client.patch(
            f"/api/notifications/robots/{robot.pk}",
            {"is_active": False},
            "application/json",
            **headers,
        ),
        client.get("/api/notifications/deliveries?status=failed", **headers),
        client.post(
            "/api/notifications/deliveries/retry", {"ids": [1]}, "application/json", **headers
        ),
    ]
    # then
    assert [r.status_code for r in responses] == [403, 403, 403, 403, 403]
    assert list(RobotConfig.objects.values_list("pk", "is_active")) == [(robot.pk, True)]


def test_admin_creates_a_robot_whose_secret_is_never_shown(client, admin_user, team_a):
    # given
    payload = {
        "team_id": team_a.pk,
        "kind": "dingtalk",
        "name": "华东一组钉钉群",
        "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=t",
        "secret": "SECabc",
    }
    # when
    created = client.post(
        "/api/notifications/robots", payload, "application/json", **_auth(admin_user)
    )
    listed = client.get("/api/notifications/robots", **_auth(admin_user)).json()
    # then
    robot = RobotConfig.objects.get()
    assert created.status_code == 201
    assert created.json() == {
        "id": robot.pk,
        "team_id": team_a.pk,
        "kind": "dingtalk",
        "name": "华东一组钉钉群",
        "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=t",
        "has_secret": True,
        "is_active": True,
    }
    assert listed == [created.json()]
    assert robot.secret == "SECabc"
    event = Event.objects.get(verb="robot_created")
    assert "SECabc" not in str(event.changes)


def test_admin_patch_keeps_the_secret_unless_given(client, admin_user, team_a):
    # given
    robot = make_robot(team=team_a, url="https://open.feishu.cn/x", kind="feishu", secret="old")
    # when
    response = client.patch(
        f"/api/notifications/robots/{robot.pk}",
        {"is_active": False},
        "application/json",
        **_auth(admin_user),
    )
    # then
    robot.refresh_from_db()
    assert response.status_code == 200
    assert (robot.is_active, robot.secret) == (False, "old")


@pytest.mark.parametrize("url", ["ftp://example.com/hook", "javascript:alert(1)", "not a url"])
def test_robot_webhook_must_be_an_http_url(client, admin_user, team_a, url):
    # when
    response = client.post(
        "/api/notifications/robots",
        {"team_id": team_a.pk, "kind": "wecom", "webhook_url": url},
        "application/json",
        **_auth(admin_user),
    )
    # then
    assert response.status_code == 422
    assert "webhook_url" in response.json()["errors"]
    assert RobotConfig.objects.count() == 0


def test_admin_retries_failed_deliveries_through_the_api(client, admin_user, rep):
    # given
    rep.email = "rep@example.com"
    rep.save()
    _notify(rep, "a")
    Delivery.objects.update(status="failed", attempts=6, last_error="HTTP 500")
    delivery = Delivery.objects.get()
    # when
    response = client.post(
        "/api/notifications/deliveries/retry",
        {"ids": [delivery.pk]},
        "application/json",
        **_auth(admin_user),
    )
    # then
    delivery.refresh_from_db()
    assert response.json() == {"updated": 1}
    assert (delivery.status, delivery.attempts) == ("pending", 0)
