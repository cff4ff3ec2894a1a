"""Background entry points of compliance; each calls a service and nothing else."""

from django.tasks import task
from django.utils import timezone

from loudou.compliance.subjects import purge_expired_personal_data


@task
def purge_personal_data() -> int:
    """Anonymise lost and invalid leads past the retention limit (daily)."""
    return purge_expired_personal_data(now=timezone.now())
