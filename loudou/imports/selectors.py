"""Reads of import jobs: a job is seen by the user who made it and by administrators."""

from django.db.models import Count, QuerySet
from django.http import Http404

from loudou.imports.models import ImportJob, ImportRow, RowOutcome
from loudou.org.models import User


def visible_jobs(user: User) -> QuerySet[ImportJob]:
    if not user.is_authenticated or not user.is_active:
        return ImportJob.objects.none()
    if user.is_org_admin:
        return ImportJob.objects.all()
    return ImportJob.objects.filter(user=user)


def access_job(user: User, pk: int) -> ImportJob:
    """The job, or Http404 for a missing job and for someone else's alike."""
    job = visible_jobs(user).filter(pk=pk).first()
    if job is None:
        raise Http404("import job")
    return job


def rejected_rows(job: ImportJob) -> QuerySet[ImportRow]:
    return job.rows.filter(outcome=RowOutcome.REJECTED).order_by("line")


def top_reasons(job: ImportJob, limit: int = 10) -> list[tuple[str, int]]:
    """The most frequent rejection reasons with their counts."""
    counted = rejected_rows(job).values("reason").annotate(n=Count("id")).order_by("-n", "reason")
    return [(row["reason"], row["n"]) for row in counted[:limit]]


def top_warnings(job: ImportJob, limit: int = 10) -> list[tuple[str, int]]:
    """The most frequent warnings of imported rows with their counts."""
    rows = job.rows.exclude(warning="").values("warning").annotate(n=Count("id"))
    return [(row["warning"], row["n"]) for row in rows.order_by("-n", "warning")[:limit]]
