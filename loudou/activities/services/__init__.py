"""Every write of the activities app: follow-ups, next actions, reminders, configuration."""

from loudou.activities.services.configuration import (
    ensure_calendar_feed,
    regenerate_calendar_feed,
    update_cadence_rule,
)
from loudou.activities.services.follow_ups import (
    FOLLOW_UP_FIELDS,
    complete_next_action,
    log_follow_up,
)
from loudou.activities.services.reminders import process_due_reminders

__all__ = [
    "FOLLOW_UP_FIELDS",
    "complete_next_action",
    "ensure_calendar_feed",
    "log_follow_up",
    "process_due_reminders",
    "regenerate_calendar_feed",
    "update_cadence_rule",
]
