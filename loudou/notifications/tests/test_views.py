"""The bell, the notifications page and the admin pages."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from loudou.notifications.models import Delivery, Notification, RobotConfig
from loudou.notifications.services import notify

NON_ADMINS = ["rep", "teammate", "manager", "other_team_rep", "director", "marketing"]


def _notify(user, key, **values):
    return notify(user=user, kind="overdue", title=f"提醒 {key}", dedupe_key=key, **values)


def _bell(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template('{% include "notifications/_bell.html" %}')
    return template.render(Context({"request": request, "user": user})).strip()


def test_bell_shows_my_unread_count_with_one_query(rep, teammate, django_assert_num_queries):
    # given
    _notify(rep, "a")
    _notify(rep, "b")
    _notify(teammate, "c")
    # when
    with django_assert_num_queries(1):
        html = _bell(rep)
    # then
    assert 'id="bell"' in html
    assert 'href="/notifications/"' in html
    assert '<span id="bell-count">2</span>' in html


def test_bell_renders_nothing_for_anonymous_users(db):
    # given
    from django.contrib.auth.models import AnonymousUser

    # when
    html = _bell(AnonymousUser())
    # then
    assert html == ""


def test_page_header_carries_the_bell(client, rep):
    # given
    _notify(rep, "a")
    client.force_login(rep)
    # when
    html = client.get(reverse("notifications:list")).content.decode()
    # then
    assert '<span id="bell-count">1</span>' in html


def test_list_page_shows_my_notifications_newest_first(
    client, rep, teammate, django_assert_max_num_queries
):
    # given
    _notify(rep, "old", url="/leads/1/")
    _notify(rep, "new")
    for n in range(20):
        _notify(rep, f"more {n}")
    _notify(teammate, "theirs")
    client.force_login(rep)
    # when
    with django_assert_max_num_queries(6):
        html = client.get(reverse("notifications:list")).content.decode()
    # then
    assert html.index("提醒 new") < html.index("提醒 old")
    assert '<a href="/leads/1/" class="notification-title">提醒 old</a>' in html
    assert "提醒 theirs" not in html


def test_list_page_filters_unread(client, rep):
    # given
    read = _notify(rep, "read")
    _notify(rep, "unread")
    Notification.objects.filter(pk=read.pk).update(read_at="2026-11-23T09:00Z")
    client.force_login(rep)
    # when
    html = client.get(reverse("notifications:list") + "?show=unread").content.decode()
    # then
    assert "提醒 unread" in html
    assert "提醒 read<" not in html


def test_list_page_needs_login(client):
    # when
    response = client.get(reverse("notifications:list"))
    # then
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_marking_read_on_the_page_ignores_other_users_ids(client, rep, teammate):
    # given
    mine = _notify(rep, "mine")
    theirs = _notify(teammate, "theirs")
    client.force_login(rep)
    # when
    response = client.post(reverse("notifications:read"), {"ids": [mine.pk, theirs.pk]})
    # then
    assert response.status_code == 302
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read_on_the_page(client, rep, teammate):
    # given
    _notify(rep, "a")
    _notify(rep, "b")
    _notify(teammate, "c")
    client.force_login(rep)
    # when
    response = client.post(reverse("notifications:read_all"), {"show": "unread"})
    # then
    assert response["Location"] == "/notifications/?show=unread"
    assert Notification.objects.filter(read_at=None).count() == 1


@pytest.fixture
def failed_delivery(rep):
    rep.email = "rep@example.com"
    rep.save()
    _notify(rep, "a")
    Delivery.objects.update(status="failed", attempts=6, last_error="HTTP 500")
    return Delivery.objects.get()


def test_admin_lists_failed_deliveries_with_their_error(client, admin_user, failed_delivery):
    # given
    client.force_login(admin_user)
    # when
    html = client.get("/admin/notifications/delivery/?status__exact=failed").content.decode()
    # then
    assert "rep@example.com" in html
    assert "HTTP 500" in html


@pytest.mark.parametrize("who", NON_ADMINS)
def test_non_admins_cannot_open_the_outbox_admin(client, cast, who, failed_delivery):
    # given
    client.force_login(cast[who])
    # when
    response = client.get("/admin/notifications/delivery/")
    # then
    assert response.status_code == 302


def test_admin_retry_now_action_requeues_failed_deliveries(client, admin_user, failed_delivery):
    # given
    client.force_login(admin_user)
    # when
    response = client.post(
        "/admin/notifications/delivery/",
        {"action": "retry_now", "_selected_action": [failed_delivery.pk]},
    )
    # then
    failed_delivery.refresh_from_db()
    assert response.status_code == 302
    assert (failed_delivery.status, failed_delivery.attempts) == ("pending", 0)


def test_admin_robot_form_keeps_the_secret_when_left_blank(client, admin_user, team_a):
    # given
    client.force_login(admin_user)
    values = {
        "team": team_a.pk,
        "kind": "feishu",
        "name": "飞书群",
        "webhook_url": "https://open.feishu.cn/open-apis/bot/v2/hook/x",
        "secret": "s3cret",
        "is_active": "on",
    }
    client.post("/admin/notifications/robotconfig/add/", values)
    robot = RobotConfig.objects.get()
    # when
    page = client.get(f"/admin/notifications/robotconfig/{robot.pk}/change/").content.decode()
    client.post(
        f"/admin/notifications/robotconfig/{robot.pk}/change/",
        {**values, "secret": "", "name": "飞书销售群"},
    )
    # then
    robot.refresh_from_db()
    assert "s3cret" not in page
    assert (robot.name, robot.secret) == ("飞书销售群", "s3cret")
