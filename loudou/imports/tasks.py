"""Background entry points; each one calls a service and nothing else."""

from django.tasks import task
from django.utils import timezone

from loudou.imports.models import ImportJob
from loudou.imports.services import analyse_job, restart_stalled_analyses, run_job


@task
def run_import(job_id: int) -> int:
    """Run (or resume) an import job; returns the number of rows processed."""
    job = ImportJob.objects.get(pk=job_id)
    return run_job(job=job).progress


@task
def analyse_import(job_id: int) -> str:
    """Read an uploaded file that was too large to read in the web request (header, every
    cell, the row count); returns the job's status (uploaded, or failed with the reason)."""
    job = ImportJob.objects.get(pk=job_id)
    return analyse_job(job=job).status


@task
def restart_analyses() -> int:
    """Queue again the analyses whose worker died (every 10 minutes)."""
    return restart_stalled_analyses(now=timezone.now())
