"""Background entry points; each one calls a service and nothing else."""

from django.tasks import task
from django.utils import timezone

from loudou.targets.services import remind_due_milestones


@task
def remind_milestones() -> int:
    """Remind owners of open milestones whose due date has come (idempotent; hourly)."""
    return remind_due_milestones(timezone.now())
