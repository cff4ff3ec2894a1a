"""Email through Django's default mailer (settings.MAILERS: SMTP, or the console by default)."""

import smtplib

from django.core.mail import send_mail

from loudou.notifications.models import Delivery
from loudou.notifications.transports import TransportError, absolute_url


def message(delivery: Delivery) -> tuple[str, str]:
    """(subject, plain-text body)."""
    notification = delivery.notification
    parts = [notification.body, absolute_url(notification.url)]
    return notification.title, "\n\n".join(p for p in parts if p) or notification.title


def send(delivery: Delivery) -> None:
    subject, body = message(delivery)
    try:
        send_mail(subject, body, None, [delivery.target], using="default")
    except (smtplib.SMTPException, OSError) as error:
        raise TransportError(f"{error.__class__.__name__}: {error}") from error
