"""Background entry points; each one calls a service and nothing else."""

from django.tasks import task
from django.utils import timezone

from loudou.service import services


@task
def refresh_tiers() -> int:
    """Recompute customer tiers from the annual purchase (run it daily)."""
    return services.refresh_tiers(timezone.now())


@task
def remind_due_actions() -> int:
    """Generate the period's maintenance actions and remind due and overdue ones (hourly)."""
    return services.remind_due_actions(timezone.now())


@task
def escalate_tickets() -> int:
    """Flag SLA breaches and escalate tickets (every five minutes; idempotent)."""
    return services.escalate_tickets(timezone.now())
