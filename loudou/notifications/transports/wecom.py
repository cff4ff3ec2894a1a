"""WeCom (企业微信) group robot: markdown message; the key in the webhook URL authenticates."""

from loudou.notifications.models import Delivery
from loudou.notifications.transports import markdown_text, robot_for
from loudou.notifications.transports.webhook import check_code, post_json


def payload(delivery: Delivery) -> dict:
    return {"msgtype": "markdown", "markdown": {"content": markdown_text(delivery)}}


def send(delivery: Delivery) -> None:
    robot = robot_for(delivery)
    check_code(post_json(robot.webhook_url, payload(delivery)), "errcode")
