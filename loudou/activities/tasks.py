"""Background entry points; each one calls a service and nothing else."""

from django.tasks import task
from django.utils import timezone

from loudou.activities.services import process_due_reminders


@task
def scan_reminders() -> int:
    """Notify overdue next actions and SLA breaches (idempotent; run it periodically)."""
    return process_due_reminders(timezone.now())
