"""Background entry points; each one calls a service and nothing else."""

from django.tasks import task
from django.utils import timezone

from loudou.health.services.exceptions import sweep
from loudou.health.services.reports import generate_weekly_reports


@task
def sweep_exceptions() -> int:
    """Run the exception rules everywhere and reconcile the cases. Returns cases found."""
    return sweep(now=timezone.now()).found


@task
def weekly_health_reports() -> int:
    """Generate last week's health reports that are missing (idempotent per scope, week)."""
    return generate_weekly_reports(timezone.now())


@task
def hourly() -> int:
    """The health app's one periodic job: queue the sweep and the weekly-report check as
    separate tasks, so that one failing does not hold the other back."""
    sweep_exceptions.enqueue()
    weekly_health_reports.enqueue()
    return 2
