"""Background entry points; each one calls a service and nothing else."""

from django.tasks import task
from django.utils import timezone

from loudou.targets.services import remind_due_milestones, remind_overdue_actions


@task
def remind_milestones() -> int:
    """Remind owners of open milestones whose due date has come (idempotent; hourly)."""
    return remind_due_milestones(timezone.now())


@task
def remind_actions() -> int:
    """Remind owners of open improvement actions past their deadline (idempotent; hourly)."""
    return remind_overdue_actions(timezone.now())
