"""Background entry points of the org app; each calls a service and nothing else."""

from django.tasks import task
from django.utils import timezone

from loudou.org.services import purge_login_throttles


@task
def purge_login_counts() -> int:
    """Delete login-failure counts whose window and block are over (daily)."""
    return purge_login_throttles(now=timezone.now())
