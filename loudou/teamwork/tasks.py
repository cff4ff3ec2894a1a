"""Background entry points; each one calls a service and nothing else."""

from django.tasks import task
from django.utils import timezone

from loudou.teamwork import services


@task
def remind_due_items() -> int:
    """Remind due and overdue tasks and action items (idempotent; run it hourly)."""
    return services.remind_due_items(timezone.now())
