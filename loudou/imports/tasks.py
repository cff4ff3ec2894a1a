"""Background entry points; each one calls a service and nothing else."""

from django.tasks import task

from loudou.imports.models import ImportJob
from loudou.imports.services import run_job


@task
def run_import(job_id: int) -> int:
    """Run (or resume) an import job; returns the number of rows processed."""
    job = ImportJob.objects.get(pk=job_id)
    return run_job(job=job).progress
