"""A recording transport for outbox tests: LOUDOU_NOTIFICATION_TRANSPORTS points here."""

import threading

sent: list[int] = []
#: Delivery ids whose sending "kills the worker" (raises SystemExit, like a SIGKILL would
#: stop it before it records anything).
die_on: set[int] = set()
_lock = threading.Lock()


def reset() -> None:
    sent.clear()
    die_on.clear()


def send(delivery) -> None:
    if delivery.pk in die_on:
        raise SystemExit("worker killed")
    with _lock:
        sent.append(delivery.pk)
