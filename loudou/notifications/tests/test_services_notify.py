"""notify(): one in-app notification and its deliveries per dedupe key; marking read."""

import datetime as dt

import pytest
from django.db import transaction

from loudou.notifications.choices import DeliveryStatus, RobotKind
from loudou.notifications.models import Delivery, Notification
from loudou.notifications.services import mark_all_read, mark_read, notify
from loudou.notifications.tests.factories import make_robot

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def rep_with_email(rep):
    rep.email = "rep@example.com"
    rep.save()
    return rep


def _notify(user, key="overdue:1", **values):
    values = {"kind": "overdue", "title": "跟进已逾期：苏州矩阵电子", "url": "/leads/1/", **values}
    return notify(user=user, dedupe_key=key, **values)


def test_notify_writes_notification_and_one_delivery_per_channel(rep_with_email, team_a, team_b):
    # given
    wecom = make_robot(team=team_a, url="https://qyapi.weixin.qq.com/x", kind=RobotKind.WECOM)
    feishu = make_robot(team=team_a, url="https://open.feishu.cn/x", kind=RobotKind.FEISHU)
    make_robot(team=team_a, url="https://oapi.dingtalk.com/x", kind="dingtalk", is_active=False)
    make_robot(team=team_b, url="https://qyapi.weixin.qq.com/y")
    # when
    notification = _notify(rep_with_email, body="下一步：电话回访")
    # then
    assert Notification.objects.get().pk == notification.pk
    assert (notification.user, notification.title, notification.url) == (
        rep_with_email,
        "跟进已逾期：苏州矩阵电子",
        "/leads/1/",
    )
    assert notification.read_at is None
    rows = set(notification.deliveries.values_list("channel", "target", "status", "attempts"))
    assert rows == {
        ("email", "rep@example.com", DeliveryStatus.PENDING, 0),
        ("wecom", str(wecom.pk), DeliveryStatus.PENDING, 0),
        ("feishu", str(feishu.pk), DeliveryStatus.PENDING, 0),
    }


def test_notify_twice_with_one_key_writes_one_notification_and_one_set_of_deliveries(
    rep_with_email, team_a
):
    # given
    make_robot(team=team_a, url="https://qyapi.weixin.qq.com/x")
    first = _notify(rep_with_email)
    # when
    second = _notify(rep_with_email, title="另一个标题")
    # then
    assert second is None
    assert list(Notification.objects.values_list("pk", "title")) == [
        (first.pk, "跟进已逾期：苏州矩阵电子")
    ]
    assert Delivery.objects.count() == 2


def test_duplicate_notify_leaves_the_callers_transaction_usable(rep_with_email):
    # given
    _notify(rep_with_email)
    # when
    with transaction.atomic():
        duplicate = _notify(rep_with_email)
        other = _notify(rep_with_email, key="overdue:2")
    # then
    assert duplicate is None
    assert other is not None
    assert Notification.objects.count() == 2


def test_notify_without_email_or_team_writes_only_the_in_app_notification(director):
    # when
    notification = _notify(director)
    # then
    assert notification.deliveries.count() == 0


def test_notify_refuses_a_script_url_and_writes_nothing(rep):
    # when / then
    with pytest.raises(ValueError, match="path or an http"):
        _notify(rep, url="javascript:alert(1)")
    assert Notification.objects.count() == 0


def test_mark_read_changes_only_the_users_own_notifications(rep, teammate):
    # given
    mine = _notify(rep, key="a")
    theirs = _notify(teammate, key="b")
    # when
    updated = mark_read(user=rep, ids=[mine.pk, theirs.pk], now=NOW)
    # then
    assert updated == 1
    assert Notification.objects.get(pk=mine.pk).read_at == NOW
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read_marks_every_unread_of_the_user_only(rep, teammate):
    # given
    _notify(rep, key="a")
    _notify(rep, key="b")
    _notify(teammate, key="c")
    # when
    updated = mark_all_read(user=rep, now=NOW)
    # then
    assert updated == 2
    assert Notification.objects.filter(read_at=None).get().user == teammate
