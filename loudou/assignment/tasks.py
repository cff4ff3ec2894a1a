"""Background entry points; each one calls a service and nothing else."""

from django.tasks import task
from django.utils import timezone


@task
def recycle_leads() -> int:
    """Move neglected and abandoned leads back to their pool (idempotent; run periodically)."""
    from loudou.assignment.services.pools import recycle

    return recycle(timezone.now())
