"""Feishu (飞书) group robot: rich-text ("post") message, signed when it has a secret.

sign = base64(HMAC-SHA256(key=f"{timestamp_s}\\n{secret}", msg=b"")) — Feishu uses the
string to sign as the key and an empty message — sent in the body with the timestamp.
"""

import base64
import hashlib
import hmac
import time

from loudou.notifications.models import Delivery
from loudou.notifications.transports import absolute_url, robot_for
from loudou.notifications.transports.webhook import check_code, post_json


def signature(timestamp: str, secret: str) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def _content(delivery: Delivery) -> dict:
    notification = delivery.notification
    lines = [[{"tag": "text", "text": notification.body}]] if notification.body else []
    link = absolute_url(notification.url)
    if link:
        lines.append([{"tag": "a", "text": link, "href": link}])
    return {"post": {"zh_cn": {"title": notification.title, "content": lines}}}


def payload(delivery: Delivery, secret: str) -> dict:
    body: dict = {"msg_type": "post", "content": _content(delivery)}
    if secret:
        timestamp = str(int(time.time()))
        body = {"timestamp": timestamp, "sign": signature(timestamp, secret), **body}
    return body


def send(delivery: Delivery) -> None:
    robot = robot_for(delivery)
    check_code(post_json(robot.webhook_url, payload(delivery, robot.secret)), "code", "StatusCode")
