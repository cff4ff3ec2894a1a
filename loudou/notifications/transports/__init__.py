"""One module per channel, each with `send(delivery) -> None` raising TransportError.

The setting LOUDOU_NOTIFICATION_TRANSPORTS maps a channel to its module.
"""

from urllib.parse import urljoin

from django.conf import settings

from loudou.notifications.models import Delivery, RobotConfig


class TransportError(Exception):
    """Sending failed; the delivery is retried later with backoff."""


class PermanentTransportError(TransportError):
    """Sending can never succeed (the robot was removed or switched off): fail at once."""


def absolute_url(url: str) -> str:
    """The notification's link as an absolute URL on LOUDOU_SITE_URL ("" when none)."""
    return urljoin(settings.SITE_URL.rstrip("/") + "/", url) if url else ""


def robot_for(delivery: Delivery) -> RobotConfig:
    """The active robot a robot delivery targets (its id is the delivery's target)."""
    robot = RobotConfig.objects.filter(pk=int(delivery.target), is_active=True).first()
    if robot is None:
        raise PermanentTransportError(f"robot {delivery.target} is gone or switched off")
    return robot


def markdown_text(delivery: Delivery) -> str:
    """Title in bold, the body, and a link: the markdown WeCom and DingTalk robots show."""
    notification = delivery.notification
    lines = [f"**{notification.title}**"]
    if notification.body:
        lines.append(notification.body)
    link = absolute_url(notification.url)
    if link:
        lines.append(f"[{link}]({link})")
    return "\n\n".join(lines)
