"""Import jobs: upload, map, preview (nothing written), run in batches, revert."""

import shutil
import uuid
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from loudou.imports import mapping as mappings
from loudou.imports.exceptions import ImportFileError
from loudou.imports.models import ColumnMapping, ImportJob, ImportKind, JobStatus
from loudou.imports.readers import open_table
from loudou.imports.services.batch import import_rows
from loudou.imports.services.convert import Converter
from loudou.imports.services.records import import_records
from loudou.imports.services.rows import external_ref, process_row
from loudou.leads.models import Lead
from loudou.org.models import User
from loudou.org.selectors import ensure_assignable

BATCH_SIZE = 200
PREVIEW_ROWS = 20
#: Statuses from which a run may start (a running job is resumed, see run.resume_job).
STARTABLE = [JobStatus.UPLOADED, JobStatus.PREVIEWED, JobStatus.QUEUED, JobStatus.FAILED]


def imports_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def saved_mapping(user: User, kind: str = ImportKind.LEADS) -> dict[str, str]:
    mappings_ = ColumnMapping.objects.filter(user=user, kind=kind)
    return dict(mappings_.values_list("header", "field"))


def create_job(
    *,
    actor: User,
    upload: BinaryIO,
    original_name: str,
    encoding: str | None = None,
    delimiter: str | None = None,
    kind: str = ImportKind.LEADS,
) -> ImportJob:
    """Store the file under DATA_DIR/imports/ and read its header. A file that cannot be
    read raises ImportFileError and leaves nothing behind (no file, no job). `kind`: what
    the rows become (leads, customers, contacts); ValidationError for another value."""
    if kind not in ImportKind.values:
        raise ValidationError({"kind": _("不支持的导入类型：{kind}").format(kind=str(kind)[:20])})
    name = Path(original_name).name[:200] or "upload"
    path = imports_dir() / f"{uuid.uuid4().hex}{Path(name).suffix.lower()}"
    with path.open("wb") as handle:
        shutil.copyfileobj(upload, handle, length=1024 * 1024)
    try:
        table = open_table(path, encoding=encoding, delimiter=delimiter)
    except ImportFileError:
        path.unlink(missing_ok=True)
        raise
    return ImportJob.objects.create(
        user=actor,
        kind=kind,
        file=str(path),
        original_name=name,
        encoding=table.encoding,
        delimiter=table.delimiter,
        headers=table.headers,
        mapping=mappings.suggest(table.headers, saved_mapping(actor, kind), kind),
    )


@transaction.atomic
def set_mapping(
    *,
    actor: User,
    job: ImportJob,
    mapping: dict[str, str],
    owner: User | None = None,
    to_pool: bool = False,
    remember: bool = True,
) -> ImportJob:
    """Choose columns and target. A rep may not import into another rep's name. (A contacts
    job has no target: its contacts belong to the customers they name.)"""
    clean = mappings.validate(mapping, job.headers, job.kind)
    if job.kind == ImportKind.CONTACTS:
        owner, to_pool = None, False
    if to_pool:
        owner = None
    ensure_assignable(actor, owner)
    job.mapping, job.owner, job.to_pool = clean, owner, to_pool
    job.save(update_fields=["mapping", "owner", "to_pool", "updated_at"])
    if remember:
        for header in job.headers:
            ColumnMapping.objects.update_or_create(
                user=actor, kind=job.kind, header=header, defaults={"field": clean.get(header, "")}
            )
    return job


def _table(job: ImportJob):
    return open_table(job.file, encoding=job.encoding or None, delimiter=job.delimiter or None)


def preview(*, job: ImportJob, limit: int = PREVIEW_ROWS) -> list[dict[str, Any]]:
    """Validate the whole file and dry-run its first `limit` rows: nothing is written.

    Returns [{line, values (the raw cells), outcome, reason}]; records the row count."""
    mappings.validate(job.mapping, job.headers, job.kind)
    table = _table(job)
    total = table.count()
    converter = Converter(job.mapping, job.kind)
    with transaction.atomic():
        rows = list(islice(table.rows(), limit))
        converted = [(line, converter.convert(row)) for line, row in rows]
        outcomes = import_batch(job, converted)
        results = [
            {"line": line, "values": row, "outcome": r.outcome, "reason": r.reason}
            for (line, row), r in zip(rows, outcomes, strict=True)
        ]
        transaction.set_rollback(True)
    ImportJob.objects.filter(
        pk=job.pk, status__in=[JobStatus.UPLOADED, JobStatus.PREVIEWED]
    ).update(status=JobStatus.PREVIEWED, total=total)
    job.refresh_from_db()
    return results


def import_batch(job: ImportJob, converted: list, *, per_row: bool = False) -> list:
    """The results of a batch of (line, converted) rows by the job's kind; the caller holds
    the transaction. Customers and contacts go row by row (records.py), leads in bulk
    (batch.py) or, with `per_row`, row by row (rows.process_row)."""
    if job.kind != ImportKind.LEADS:
        return import_records(job, converted)
    known: dict[str, int] = {}
    _known_refs(known, [c.fingerprint for _line, c in converted])
    if per_row:
        return [process_row(job, line, conv, known) for line, conv in converted]
    return import_rows(job, converted, known)


def _known_refs(known: dict[str, int], fingerprints: list[str]) -> None:
    refs = [external_ref(f) for f in fingerprints]
    known.update(Lead.objects.filter(external_ref__in=refs).values_list("external_ref", "pk"))


def start_job(*, actor: User, job: ImportJob) -> ImportJob:
    """Queue the run in the background (after commit)."""
    from loudou.imports.tasks import run_import

    mappings.validate(job.mapping, job.headers, job.kind)
    if not ImportJob.objects.filter(pk=job.pk, status__in=STARTABLE).update(
        status=JobStatus.QUEUED
    ):
        raise ValidationError(_("该导入任务已结束，不能再次运行。"))
    transaction.on_commit(lambda: run_import.enqueue(job.pk))
    job.refresh_from_db()
    return job
