"""Every write of the notifications app.

Other apps use only `notify()`: ``from loudou.notifications.services import notify``.
"""

from loudou.notifications.services.inbox import mark_all_read, mark_read, notify
from loudou.notifications.services.outbox import (
    claim_one,
    deliver_due,
    retry_delay,
    retry_failed,
    send_claimed,
)
from loudou.notifications.services.robots import save_robot
from loudou.notifications.services.schedule import claim_periodic_run

__all__ = [
    "claim_one",
    "claim_periodic_run",
    "deliver_due",
    "mark_all_read",
    "mark_read",
    "notify",
    "retry_delay",
    "retry_failed",
    "save_robot",
    "send_claimed",
]
