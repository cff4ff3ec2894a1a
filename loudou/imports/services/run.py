"""Running an import in batches (each one transaction, resumable after a kill) and
reverting it."""

import os
import socket
from collections.abc import Callable
from itertools import islice

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.core import audit
from loudou.core.database import refresh_statistics
from loudou.core.inserts import insert_rows
from loudou.imports.exceptions import ImportFileError
from loudou.imports.models import ImportJob, ImportKind, ImportRow, JobStatus, RowOutcome
from loudou.imports.services.convert import Converter
from loudou.imports.services.jobs import (
    BATCH_SIZE,
    STARTABLE,
    _table,
    ensure_read,
    import_batch,
)
from loudou.imports.services.records import revert_records
from loudou.leads.models import Lead
from loudou.org.models import User

_COUNTERS = {
    RowOutcome.IMPORTED: "imported",
    RowOutcome.MERGED: "merged",
    RowOutcome.DUPLICATE: "duplicates",
    RowOutcome.REJECTED: "rejected",
}


class LeaseLost(Exception):
    """Another worker took the job over (this one was presumed dead): stop, write nothing."""


def worker_id() -> str:
    """host:pid of this process, the holder recorded in a running job's lease."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _claim(job: ImportJob, worker: str) -> bool:
    """Take the job's lease: start a startable job, or take over an interrupted run with a
    conditional UPDATE on the lease as it was read, so that of two resumers one wins."""
    now = timezone.now()
    started = ImportJob.objects.filter(pk=job.pk, status__in=STARTABLE).update(
        status=JobStatus.RUNNING,
        worker=worker,
        started_at=Coalesce(F("started_at"), Value(now)),
        error="",
        updated_at=now,
    )
    if started:
        return True
    job.refresh_from_db()
    if not job.is_interrupted:
        return False
    lease = {"worker": job.worker, "updated_at": job.updated_at}
    taken = ImportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, **lease)
    return taken.update(worker=worker, updated_at=now) == 1


def _release(job: ImportJob, worker: str) -> None:
    """Give the lease up without finishing (the job stays running, resumable at once)."""
    ImportJob.objects.filter(pk=job.pk, worker=worker).update(worker="")


def run_job(
    *,
    job: ImportJob,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    on_progress: Callable[[ImportJob], None] | None = None,
    per_row: bool = False,
) -> ImportJob:
    """Import every row not yet processed, `batch_size` rows per transaction.

    Progress and counts are committed with each batch, under the job's lease (`worker`,
    `updated_at`): a run killed at any point is seen as interrupted (`is_interrupted`) and
    run again continues after the last committed batch (external refs make a row that
    somehow slipped through a duplicate, never a second lead). `max_batches` stops early
    and releases the lease; `per_row` uses the row-by-row path (`rows.process_row`).
    """
    ensure_read(job)
    worker = worker_id()
    if not _claim(job, worker):
        job.refresh_from_db()
        if job.status == JobStatus.RUNNING:
            raise ValidationError(_("该导入任务正在运行。"))
        raise ValidationError(_("该导入任务已结束，不能再次运行。"))
    job.refresh_from_db()
    try:
        _run(job, worker, batch_size, max_batches, on_progress, per_row)
    except ImportFileError as error:
        ImportJob.objects.filter(pk=job.pk, worker=worker).update(
            status=JobStatus.FAILED, error=error.message, finished_at=timezone.now(), worker=""
        )
    except LeaseLost:
        pass
    except BaseException:
        _release(job, worker)
        raise
    job.refresh_from_db()
    return job


def _run(job, worker, batch_size, max_batches, on_progress, per_row) -> None:
    table = _table(job)
    if not job.total:
        job.total = table.count()
        ImportJob.objects.filter(pk=job.pk).update(total=job.total)
    rows = islice(table.rows(), job.progress, None)
    converter = Converter(job.mapping, job.kind, job.value_mapping)
    batches = 0
    while True:
        if max_batches is not None and batches >= max_batches:
            _release(job, worker)
            return
        batch = list(islice(rows, batch_size))
        if not batch:
            _finish(job, worker)
            return
        _run_batch(job, converter, batch, worker, per_row)
        batches += 1
        if on_progress:
            on_progress(job)


@transaction.atomic
def _run_batch(job: ImportJob, converter: Converter, batch: list, worker: str, per_row: bool):
    counts = _bump(job, worker, len(batch))  # first: the lease check, and the job's row lock
    converted = [(line, converter.convert(row)) for line, row in batch]
    results = import_batch(job, converted, per_row=per_row)
    if job.kind == ImportKind.LEADS and not per_row:  # the bulk path's deferred work
        _after_batch([r.lead_id for r in results if r.outcome == RowOutcome.IMPORTED])
    rows = [
        {
            "job_id": job.pk,
            "line": r.line,
            "fingerprint": r.fingerprint,
            "outcome": r.outcome,
            "lead_id": r.lead_id,
            "customer_id": r.customer_id,
            "contact_id": r.contact_id,
            "reason": r.reason,
            "warning": r.warning,
            "values": {k: str(v) for k, v in row.items()} if r.outcome == "rejected" else {},
        }
        for r, (_line, row) in zip(results, batch, strict=True)
    ]
    insert_rows(ImportRow, rows)
    for r in results:
        counts[_COUNTERS[r.outcome]] += 1
        counts["warned"] += bool(r.warning)
    ImportJob.objects.filter(pk=job.pk).update(
        **{name: F(name) + n for name, n in counts.items() if n},
    )
    job.progress += len(batch)
    for name, n in counts.items():
        setattr(job, name, getattr(job, name) + n)


def _bump(job: ImportJob, worker: str, size: int) -> dict[str, int]:
    held = ImportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker=worker)
    if not held.update(progress=F("progress") + size, updated_at=timezone.now()):
        raise LeaseLost(job.pk)
    return {name: 0 for name in [*_COUNTERS.values(), "warned"]}


def _after_batch(lead_ids: list[int]) -> None:
    """Bring what is derived from the ledger up to date for the batch's new leads (the
    bulk path inserts ledger rows without move_stage, which records them one by one), and
    credit the leads an importer brought in under their own name (自主开发), as the form
    and the API do."""
    if not lead_ids:
        return
    # ADR 0007: later apps, by name
    from loudou.analytics.projections import rebuild
    from loudou.assignment.services.intake import credit_self_sourced_many

    rebuild(lead_ids=lead_ids)
    credit_self_sourced_many(lead_ids=lead_ids)


#: An import of this many rows or more refreshes the planner's statistics when it ends.
STATISTICS_AFTER_ROWS = 1000


def _finish(job: ImportJob, worker: str) -> None:
    ImportJob.objects.filter(pk=job.pk, worker=worker).update(
        status=JobStatus.DONE, finished_at=timezone.now(), total=job.progress, worker=""
    )
    if job.imported >= STATISTICS_AFTER_ROWS:
        # the planner would still count the tables as they were before the import until
        # autovacuum (PostgreSQL) or the daily task (SQLite) comes: the reports read next
        refresh_statistics()


def resume_job(*, actor: User, job: ImportJob) -> ImportJob:
    """继续: queue an interrupted run again; it continues after its last committed batch."""
    from loudou.imports.tasks import run_import

    if job.user_id != actor.pk and not actor.is_org_admin:
        raise PermissionDenied(_("只有导入人或管理员可以继续导入。"))
    job.refresh_from_db()
    lease = {"worker": job.worker, "updated_at": job.updated_at}
    queued = job.is_interrupted and ImportJob.objects.filter(
        pk=job.pk, status=JobStatus.RUNNING, **lease
    ).update(status=JobStatus.QUEUED, worker="", updated_at=timezone.now())
    if not queued:
        raise ValidationError(_("只有已中断的导入可以继续。"))
    transaction.on_commit(lambda: run_import.enqueue(job.pk))
    job.refresh_from_db()
    return job


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
    if job.kind != ImportKind.LEADS:
        revert_records(job, actor)
        job.refresh_from_db()
        return job
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
