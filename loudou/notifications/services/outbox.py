"""The outbox worker's side: claim one delivery, send it, record the outcome.

Exactly once (ADR 0005): a delivery is claimed with a conditional UPDATE that only one
worker can win, and its outcome is written only by the worker whose claim it still is.
A killed worker's claim ends with its lease; the next worker takes the delivery over.
No function here holds a transaction across the network: each UPDATE commits alone.
"""

import logging
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.utils import timezone

from loudou.notifications.choices import DeliveryStatus
from loudou.notifications.models import Delivery
from loudou.notifications.transports import PermanentTransportError, TransportError
from loudou.org.models import User

logger = logging.getLogger(__name__)

#: How long a claim protects a delivery in flight; far above any transport's timeout.
LEASE = timedelta(minutes=5)
#: Attempts before a delivery is given up as failed (kept, and listed for the admin).
MAX_ATTEMPTS = 6
#: Waits after the 1st, 2nd, … failed attempt: 1, 2, 4, 8, 16 minutes.
BACKOFF = [timedelta(minutes=2**n) for n in range(MAX_ATTEMPTS - 1)]
#: Claim attempts lost to other workers before a batch gives way to them.
MAX_LOST_CLAIMS = 50


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next attempt, after `attempts` failed ones (1-based)."""
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def _clock(now: datetime) -> datetime:
    """The later of the batch's `now` and the wall clock: a lease taken late in a long
    batch must still run from the moment of the claim."""
    return max(now, timezone.now())


def _claimable(clock: datetime) -> Q:
    expired = Q(status=DeliveryStatus.SENDING, claimed_until__lt=clock, attempts__lt=MAX_ATTEMPTS)
    return Q(status=DeliveryStatus.PENDING) | expired


def claim_one(*, now: datetime, worker_id: str) -> Delivery | None:
    """Claim the next due delivery for `worker_id`, or None when nothing is due.

    Of several workers racing for one row exactly one UPDATE changes it; the losers
    look for another row.
    """
    for _ in range(MAX_LOST_CLAIMS):
        clock = _clock(now)
        due = Delivery.objects.filter(_claimable(clock), next_attempt_at__lte=now)
        pk = due.order_by("next_attempt_at", "pk").values_list("pk", flat=True).first()
        if pk is None:
            return None
        won = due.filter(pk=pk).update(
            status=DeliveryStatus.SENDING,
            claimed_until=clock + LEASE,
            claimed_by=worker_id,
            attempts=F("attempts") + 1,
        )
        if won == 1:
            return Delivery.objects.select_related("notification").get(pk=pk)
    return None


def _transport(channel: str):
    return import_module(settings.LOUDOU_NOTIFICATION_TRANSPORTS[channel])


def _mine(delivery: Delivery, worker_id: str):
    return Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_by=worker_id
    )


def _record_failure(delivery: Delivery, worker_id: str, error: TransportError) -> None:
    clock = timezone.now()
    message = str(error)[:2000] or error.__class__.__name__
    if isinstance(error, PermanentTransportError) or delivery.attempts >= MAX_ATTEMPTS:
        values = {"status": DeliveryStatus.FAILED}
    else:
        values = {
            "status": DeliveryStatus.PENDING,
            "next_attempt_at": clock + retry_delay(delivery.attempts),
        }
    _mine(delivery, worker_id).update(claimed_until=None, last_error=message, **values)
    logger.warning("delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, message)


def send_claimed(delivery: Delivery, *, worker_id: str) -> bool:
    """Send a delivery `worker_id` has claimed and record the outcome. True when sent."""
    try:
        _transport(delivery.channel).send(delivery)
    except TransportError as error:
        _record_failure(delivery, worker_id, error)
        return False
    _mine(delivery, worker_id).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return True


def fail_abandoned(*, now: datetime) -> int:
    """Give up deliveries whose last allowed attempt died with its worker."""
    return Delivery.objects.filter(
        status=DeliveryStatus.SENDING,
        claimed_until__lt=_clock(now),
        attempts__gte=MAX_ATTEMPTS,
    ).update(status=DeliveryStatus.FAILED, claimed_until=None, last_error="worker lost")


def deliver_due(*, now: datetime, worker_id: str, limit: int = 100) -> int:
    """Send up to `limit` due deliveries, one claim at a time. Returns how many were sent."""
    fail_abandoned(now=now)
    sent = 0
    for _ in range(limit):
        delivery = claim_one(now=now, worker_id=worker_id)
        if delivery is None:
            break
        sent += send_claimed(delivery, worker_id=worker_id)
    return sent


def retry_failed(*, actor: User, ids: list[int], now: datetime | None = None) -> int:
    """Put failed deliveries back in the queue, due now, with a fresh set of attempts."""
    if not actor.is_org_admin:
        raise PermissionDenied
    return Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now or timezone.now(),
        claimed_until=None,
        claimed_by="",
    )
