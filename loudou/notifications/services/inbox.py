"""Creating notifications (with their outbox rows) and marking them read."""

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone

from loudou.notifications.choices import Channel
from loudou.notifications.models import Delivery, Notification, RobotConfig
from loudou.org.models import User


def notify(
    *, user: User, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str
) -> Notification | None:
    """Notify `user` in-app and queue its email and team-robot deliveries.

    Idempotent by `dedupe_key`: when a notification with that key exists (even one being
    inserted by a concurrent transaction), nothing is written and None is returned.
    Writes only, no network: safe inside the caller's transaction; the worker sends.
    `url` is a site path ("/leads/42/") or an http(s) URL.
    """
    if url and not (url.startswith("/") or urlsplit(url).scheme in {"http", "https"}):
        raise ValueError(f"notification url must be a path or an http(s) URL: {url!r}")
    try:
        with transaction.atomic():  # a savepoint when the caller holds a transaction
            notification = Notification.objects.create(
                user=user, kind=kind, title=title[:200], body=body, url=url, dedupe_key=dedupe_key
            )
            Delivery.objects.bulk_create(_deliveries_for(notification, user))
    except IntegrityError:
        if Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    return notification


def _deliveries_for(notification: Notification, user: User) -> list[Delivery]:
    now = notification.created_at
    deliveries = []
    if user.email:
        deliveries.append(
            Delivery(notification=notification, channel=Channel.EMAIL, target=user.email)
        )
    if user.team_id is not None:
        robots = RobotConfig.objects.filter(team_id=user.team_id, is_active=True)
        deliveries += [
            Delivery(notification=notification, channel=robot.kind, target=str(robot.pk))
            for robot in robots.order_by("pk")
        ]
    for delivery in deliveries:
        delivery.next_attempt_at = now
        delivery.created_at = now
    return deliveries


def mark_read(*, user: User, ids: Iterable[int], now: datetime | None = None) -> int:
    """Mark `user`'s notifications among `ids` read; others' ids change nothing."""
    return Notification.objects.filter(user=user, pk__in=list(ids), read_at=None).update(
        read_at=now or timezone.now()
    )


def mark_all_read(*, user: User, now: datetime | None = None) -> int:
    """Mark every unread notification of `user` read. Returns how many."""
    return Notification.objects.filter(user=user, read_at=None).update(
        read_at=now or timezone.now()
    )
