"""DingTalk (钉钉) group robot: markdown message, signed with HMAC-SHA256 when it has a secret.

sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp_ms}\\n{secret}"))),
appended to the webhook URL as &timestamp=…&sign=….
"""

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

from loudou.notifications.models import Delivery
from loudou.notifications.transports import markdown_text, robot_for
from loudou.notifications.transports.webhook import check_code, post_json


def signature(timestamp: str, secret: str) -> str:
    """The base64 signature, not yet URL-encoded."""
    string_to_sign = f"{timestamp}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str) -> str:
    if not secret:
        return url
    timestamp = str(int(time.time() * 1000))
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={quote_plus(signature(timestamp, secret))}"


def payload(delivery: Delivery) -> dict:
    title = delivery.notification.title
    return {"msgtype": "markdown", "markdown": {"title": title, "text": markdown_text(delivery)}}


def send(delivery: Delivery) -> None:
    robot = robot_for(delivery)
    reply = post_json(signed_url(robot.webhook_url, robot.secret), payload(delivery))
    check_code(reply, "errcode")
