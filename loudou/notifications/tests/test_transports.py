"""Each transport against a local receiver: payload, signature, success and refusal."""

import base64
import hashlib
import hmac
import socket
import time
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
from django.core import mail

from loudou.notifications.choices import RobotKind
from loudou.notifications.models import Delivery
from loudou.notifications.services import notify
from loudou.notifications.tests.factories import make_robot
from loudou.notifications.transports import (
    PermanentTransportError,
    TransportError,
    dingtalk,
    email,
    feishu,
    wecom,
)

SECRET = "SEC0123456789abcdef+/="


@pytest.fixture
def reminder(rep):
    rep.email = "rep@example.com"
    rep.save()
    return dict(
        user=rep,
        kind="overdue",
        title="跟进已逾期：苏州矩阵电子",
        body="下一步：电话回访",
        url="/leads/7/",
        dedupe_key="overdue:7",
    )


def _delivery(reminder, robot) -> Delivery:
    notification = notify(**reminder)
    return notification.deliveries.get(target=str(robot.pk))


def test_wecom_posts_markdown_and_accepts_errcode_0(receiver, reminder, team_a):
    # given
    robot = make_robot(team=team_a, url=f"{receiver.url}/cgi-bin/webhook/send?key=k1")
    delivery = _delivery(reminder, robot)
    # when
    wecom.send(delivery)
    # then
    assert receiver.requests == [
        (
            "/cgi-bin/webhook/send?key=k1",
            {
                "msgtype": "markdown",
                "markdown": {
                    "content": "**跟进已逾期：苏州矩阵电子**\n\n下一步：电话回访\n\n"
                    "[https://crm.example.com/leads/7/](https://crm.example.com/leads/7/)"
                },
            },
        )
    ]


def test_wecom_reply_with_another_errcode_is_a_failure(receiver, reminder, team_a):
    # given
    receiver.reply = (200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    robot = make_robot(team=team_a, url=f"{receiver.url}/send?key=bad")
    # when / then
    with pytest.raises(TransportError, match="93000"):
        wecom.send(_delivery(reminder, robot))


def test_dingtalk_signs_the_url_with_hmac_sha256_of_timestamp_and_secret(
    receiver, reminder, team_a
):
    # given
    url = f"{receiver.url}/robot/send?access_token=t0k"
    robot = make_robot(team=team_a, url=url, kind=RobotKind.DINGTALK, secret=SECRET)
    delivery = _delivery(reminder, robot)
    before_ms = int(time.time() * 1000)
    # when
    dingtalk.send(delivery)
    # then
    ((path, body),) = receiver.requests
    query = parse_qs(urlsplit(path).query)
    timestamp = query["timestamp"][0]
    string_to_sign = f"{timestamp}\n{SECRET}".encode()
    expected = base64.b64encode(hmac.new(SECRET.encode(), string_to_sign, hashlib.sha256).digest())
    assert query["access_token"] == ["t0k"]
    assert query["sign"] == [expected.decode()]
    assert path.endswith(f"&sign={quote_plus(expected.decode())}")
    assert before_ms <= int(timestamp) <= int(time.time() * 1000)
    assert body == {
        "msgtype": "markdown",
        "markdown": {
            "title": "跟进已逾期：苏州矩阵电子",
            "text": "**跟进已逾期：苏州矩阵电子**\n\n下一步：电话回访\n\n"
            "[https://crm.example.com/leads/7/](https://crm.example.com/leads/7/)",
        },
    }


def test_dingtalk_without_secret_posts_to_the_bare_url(receiver, reminder, team_a):
    # given
    robot = make_robot(
        team=team_a, url=f"{receiver.url}/robot/send?access_token=t", kind="dingtalk"
    )
    # when
    dingtalk.send(_delivery(reminder, robot))
    # then
    assert receiver.requests[0][0] == "/robot/send?access_token=t"


def test_feishu_signs_the_body_with_the_string_to_sign_as_hmac_key(receiver, reminder, team_a):
    # given
    receiver.reply = (200, {"code": 0, "msg": "success", "data": {}})
    url = f"{receiver.url}/open-apis/bot/v2/hook/abc"
    robot = make_robot(team=team_a, url=url, kind=RobotKind.FEISHU, secret=SECRET)
    before = int(time.time())
    # when
    feishu.send(_delivery(reminder, robot))
    # then
    ((path, body),) = receiver.requests
    key = f"{body['timestamp']}\n{SECRET}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert path == "/open-apis/bot/v2/hook/abc"
    assert body["sign"] == expected
    assert before <= int(body["timestamp"]) <= int(time.time())
    assert body["msg_type"] == "post"
    assert body["content"] == {
        "post": {
            "zh_cn": {
                "title": "跟进已逾期：苏州矩阵电子",
                "content": [
                    [{"tag": "text", "text": "下一步：电话回访"}],
                    [
                        {
                            "tag": "a",
                            "text": "https://crm.example.com/leads/7/",
                            "href": "https://crm.example.com/leads/7/",
                        }
                    ],
                ],
            }
        }
    }


@pytest.mark.parametrize(
    ("reply", "ok"),
    [
        ({"code": 0, "msg": "success"}, True),
        ({"StatusCode": 0, "StatusMessage": "success"}, True),
        ({"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}, False),
    ],
)
def test_feishu_success_is_code_or_status_code_zero(receiver, reminder, team_a, reply, ok):
    # given
    receiver.reply = (200, reply)
    robot = make_robot(team=team_a, url=f"{receiver.url}/hook", kind="feishu", secret=SECRET)
    delivery = _delivery(reminder, robot)
    # when / then
    if ok:
        feishu.send(delivery)
    else:
        with pytest.raises(TransportError, match="19021"):
            feishu.send(delivery)


def test_a_switched_off_robot_is_a_permanent_failure(receiver, reminder, team_a):
    # given
    robot = make_robot(team=team_a, url=f"{receiver.url}/send")
    delivery = _delivery(reminder, robot)
    robot.is_active = False
    robot.save()
    # when / then
    with pytest.raises(PermanentTransportError):
        wecom.send(delivery)
    assert receiver.requests == []


def test_email_goes_through_the_default_mailer(reminder, settings):
    # given
    settings.DEFAULT_FROM_EMAIL = "loudou@example.com"
    delivery = notify(**reminder).deliveries.get(channel="email")
    # when
    email.send(delivery)
    # then
    (message,) = mail.outbox
    assert (message.subject, message.to, message.from_email) == (
        "跟进已逾期：苏州矩阵电子",
        ["rep@example.com"],
        "loudou@example.com",
    )
    assert message.body == "下一步：电话回访\n\nhttps://crm.example.com/leads/7/"


def test_an_unreachable_smtp_server_is_a_transport_error(reminder, settings):
    # given: an SMTP mailer pointing at a local port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 0.5},
        }
    }
    delivery = notify(**reminder).deliveries.get(channel="email")
    # when / then
    with pytest.raises(TransportError, match="ConnectionRefusedError"):
        email.send(delivery)
