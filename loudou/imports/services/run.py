"""Running an import in batches (each one transaction, resumable after a kill) and
reverting it."""

from collections.abc import Callable
from itertools import islice

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.core import audit
from loudou.imports.exceptions import ImportFileError
from loudou.imports.models import ImportJob, ImportRow, JobStatus, RowOutcome
from loudou.imports.services.convert import Converter
from loudou.imports.services.jobs import BATCH_SIZE, RUNNABLE, _known_refs, _table
from loudou.imports.services.rows import RowResult, process_row
from loudou.leads.models import Lead
from loudou.org.models import User

_COUNTERS = {
    RowOutcome.IMPORTED: "imported",
    RowOutcome.MERGED: "merged",
    RowOutcome.DUPLICATE: "duplicates",
    RowOutcome.REJECTED: "rejected",
}


def run_job(
    *,
    job: ImportJob,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    on_progress: Callable[[ImportJob], None] | None = None,
) -> ImportJob:
    """Import every row not yet processed, `batch_size` rows per transaction.

    Progress and counts are committed with each batch, so a run killed at any point and
    run again continues after the last committed batch (external refs make a row that
    somehow slipped through a duplicate, never a second lead). `max_batches` stops early
    (used to simulate a killed run).
    """
    if not ImportJob.objects.filter(pk=job.pk, status__in=RUNNABLE).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), error=""
    ):
        raise ValidationError(_("该导入任务已结束，不能再次运行。"))
    job.refresh_from_db()
    try:
        table = _table(job)
        if not job.total:
            job.total = table.count()
            ImportJob.objects.filter(pk=job.pk).update(total=job.total)
        rows = islice(table.rows(), job.progress, None)
        converter = Converter(job.mapping)
        batches = 0
        while max_batches is None or batches < max_batches:
            batch = list(islice(rows, batch_size))
            if not batch:
                _finish(job)
                break
            _run_batch(job, converter, batch)
            batches += 1
            if on_progress:
                on_progress(job)
    except ImportFileError as error:
        ImportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=error.message, finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job


@transaction.atomic
def _run_batch(job: ImportJob, converter: Converter, batch: list) -> None:
    converted = [(line, converter.convert(row), row) for line, row in batch]
    known: dict[str, int] = {}
    _known_refs(known, [c.fingerprint for _line, c, _row in converted])
    results: list[tuple[RowResult, dict]] = [
        (process_row(job, line, conv, known), row) for line, conv, row in converted
    ]
    ImportRow.objects.bulk_create(
        ImportRow(
            job=job,
            line=r.line,
            fingerprint=r.fingerprint,
            outcome=r.outcome,
            lead_id=r.lead_id,
            reason=r.reason,
            values={k: str(v) for k, v in row.items()} if r.outcome == "rejected" else {},
        )
        for r, row in results
    )
    counts = {name: 0 for name in _COUNTERS.values()}
    for r, _row in results:
        counts[_COUNTERS[r.outcome]] += 1
    ImportJob.objects.filter(pk=job.pk).update(
        progress=F("progress") + len(batch),
        updated_at=timezone.now(),
        **{name: F(name) + n for name, n in counts.items() if n},
    )
    job.progress += len(batch)
    for name, n in counts.items():
        setattr(job, name, getattr(job, name) + n)


def _finish(job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, finished_at=timezone.now(), total=job.progress
    )


@transaction.atomic
def revert_job(*, actor: User, job: ImportJob) -> ImportJob:
    """Undo an import: the leads it created leave every list of valid, owned leads.

    Ledger rows and audit events are append-only, so leads are not deleted: each one is
    marked invalid ("导入已撤销"), loses its owner and its import reference (so the same
    file may be imported again), and its row becomes `reverted`."""
    if job.user_id != actor.pk and not actor.is_org_admin:
        raise PermissionDenied(_("只有导入人或管理员可以撤销导入。"))
    if not ImportJob.objects.filter(pk=job.pk, status=JobStatus.DONE).update(
        status=JobStatus.REVERTED, updated_at=timezone.now()
    ):
        raise ValidationError(_("只有已完成的导入可以撤销。"))
    rows = ImportRow.objects.filter(job=job, outcome=RowOutcome.IMPORTED)
    reason = _("导入已撤销")
    for lead in Lead.objects.filter(pk__in=rows.values("lead_id")).iterator():
        changes = [
            {"field": "is_valid", "before": lead.is_valid, "after": False},
            {"field": "owner", "before": str(lead.owner) if lead.owner_id else None, "after": None},
        ]
        audit.record(obj=lead, actor=actor, verb="lead.updated", changes=changes, reason=reason)
    Lead.objects.filter(pk__in=rows.values("lead_id")).update(
        is_valid=False,
        invalid_reason=reason,
        owner=None,
        external_ref=None,
        updated_at=timezone.now(),
    )
    rows.update(outcome=RowOutcome.REVERTED)
    job.refresh_from_db()
    return job
