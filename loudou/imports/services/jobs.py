"""Import jobs: upload, map, preview (nothing written), run in batches, revert."""

import uuid
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.imports import mapping as mappings
from loudou.imports.exceptions import ImportFileError
from loudou.imports.models import ColumnMapping, ImportJob, ImportKind, ImportRow, JobStatus
from loudou.imports.readers import (
    Distinct,
    check_file,
    file_kind,
    open_table,
    read_all,
    sample_rows,
)
from loudou.imports.services import values as value_maps
from loudou.imports.services.batch import import_rows
from loudou.imports.services.convert import Converter, repeat_fingerprint
from loudou.imports.services.records import import_records
from loudou.imports.services.rows import external_ref, process_row
from loudou.leads.models import Lead
from loudou.org.models import User
from loudou.org.selectors import ensure_assignable

#: Rows per transaction: each batch reads its duplicates, counts and ledger once, so larger
#: batches import faster (200 → 500: 815 → 960 rows/s) but hold SQLite's write lock
#: longer (about 0.5 s at 500, while people keep working).
BATCH_SIZE = 500
PREVIEW_ROWS = 20
COPY_CHUNK = 1024 * 1024
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
    background: bool = False,
) -> ImportJob:
    """Store the file under DATA_DIR/imports/ (at most LOUDOU_IMPORT_MAX_BYTES), check it
    and read its header. A file refused here raises ImportFileError and leaves nothing
    behind (no file, no job). `kind`: what the rows become (leads, customers, contacts);
    ValidationError for another value.

    The whole file is then read once (every cell, the row count and its cap) — except,
    with `background` (the web request's choice), for a file that reads through more
    than LOUDOU_IMPORT_INLINE_BYTES: that job is `analysing` until the worker has read it
    (`analyse_job`); an .xlsx's header too is read there (openpyxl loads the shared
    strings whole). What the request does is bounded: a capped copy, the zip directory,
    a CSV's first lines."""
    if kind not in ImportKind.values:
        raise ValidationError({"kind": _("不支持的导入类型：{kind}").format(kind=str(kind)[:20])})
    name = Path(original_name).name[:200] or "upload"
    file_kind(name)
    path = _store(upload, Path(name).suffix.lower())
    try:
        later = background and check_file(path) > settings.LOUDOU_IMPORT_INLINE_BYTES
        table = None
        if not (later and file_kind(name) == "xlsx"):
            table = open_table(path, encoding=encoding, delimiter=delimiter)
        total, sample, distinct = (0, None, None) if later else _read_all(table)
    except ImportFileError:
        path.unlink(missing_ok=True)
        raise
    job = ImportJob.objects.create(
        user=actor,
        kind=kind,
        file=str(path),
        original_name=name,
        status=JobStatus.ANALYSING if later else JobStatus.UPLOADED,
        total=total,
        sample=sample,
        distinct=distinct,
        **_read(table, actor, kind, encoding, delimiter),
    )
    if later:
        from loudou.imports.tasks import analyse_import

        transaction.on_commit(partial(analyse_import.enqueue, job.pk))
    return job


def _store(upload: BinaryIO, suffix: str) -> Path:
    """Copy `upload` to a new file, refusing it (and removing the copy) past the cap."""
    limit = settings.LOUDOU_IMPORT_MAX_BYTES
    refused = ImportFileError("too_large", limit=filesizeformat(limit))
    if (getattr(upload, "size", None) or 0) > limit:
        raise refused
    path = imports_dir() / f"{uuid.uuid4().hex}{suffix}"
    written = 0
    try:
        with path.open("wb") as handle:
            while chunk := upload.read(COPY_CHUNK):
                written += len(chunk)
                if written > limit:
                    raise refused
                handle.write(chunk)
    except (ImportFileError, OSError):
        path.unlink(missing_ok=True)
        raise
    return path


def _read_all(table) -> tuple[int, list, dict]:
    """The whole file read once: row count, sample and each column's distinct values."""
    distinct = Distinct(table.headers)
    total, sample = read_all(table, PREVIEW_ROWS, distinct)
    return total, sample, distinct.as_json()


def _read(table, actor: User, kind: str, encoding: str | None, delimiter: str | None) -> dict:
    """A job's fields from its opened table; without one (not read yet), the encoding and
    delimiter asked for, which its reading will use."""
    if table is None:
        return {"encoding": encoding or "", "delimiter": delimiter or ""}
    return {
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "headers": table.headers,
        "mapping": mappings.suggest(table.headers, saved_mapping(actor, kind), kind),
    }


def analyse_job(*, job: ImportJob) -> ImportJob:
    """Read an `analysing` job's file once (header, every cell, the row count and its
    cap): the job becomes `uploaded` with its header, suggested mapping and total, or
    `failed` with the reason (and the file is removed). Idempotent: a job that is no
    longer analysing is left as it is."""
    if job.status != JobStatus.ANALYSING:
        return job
    try:
        table = _table(job)
        total, sample, distinct = _read_all(table)
    except ImportFileError as error:
        if ImportJob.objects.filter(pk=job.pk, status=JobStatus.ANALYSING).update(
            status=JobStatus.FAILED, error=error.message, file="", updated_at=timezone.now()
        ):
            Path(job.file).unlink(missing_ok=True)
    else:
        fields = _read(table, job.user, job.kind, None, None)
        ImportJob.objects.filter(pk=job.pk, status=JobStatus.ANALYSING).update(
            status=JobStatus.UPLOADED,
            total=total,
            sample=sample,
            distinct=distinct,
            updated_at=timezone.now(),
            **fields,
        )
    job.refresh_from_db()
    return job


#: How long an analysis may go without finishing before the worker starts it again.
ANALYSIS_STALL = timedelta(minutes=30)


def restart_stalled_analyses(*, now: datetime) -> int:
    """Queue the analysis again of every job `analysing` for longer than ANALYSIS_STALL
    (its worker died, or the task was lost). Each is claimed by a conditional UPDATE of
    its `updated_at`, so two sweeps queue it once; `analyse_job` is idempotent, so an
    analysis that was only slow and then finishes twice changes nothing. Returns how
    many were queued."""
    from loudou.imports.tasks import analyse_import

    stalled = ImportJob.objects.filter(
        status=JobStatus.ANALYSING, updated_at__lt=now - ANALYSIS_STALL
    ).values_list("pk", "updated_at")
    queued = 0
    for pk, seen in stalled:
        claimed = ImportJob.objects.filter(
            pk=pk, status=JobStatus.ANALYSING, updated_at=seen
        ).update(updated_at=now)
        if claimed:
            transaction.on_commit(partial(analyse_import.enqueue, pk))
            queued += 1
    return queued


def ensure_read(job: ImportJob) -> None:
    """ValidationError unless the job's file has been read and can be mapped."""
    if job.status == JobStatus.ANALYSING:
        raise ValidationError(_("文件还在检查中，请稍候。"))
    if not job.file or not job.headers:
        raise ValidationError(job.error or _("文件未通过检查，不能导入。"))


@transaction.atomic
def set_mapping(
    *,
    actor: User,
    job: ImportJob,
    mapping: dict[str, str],
    owner: User | None = None,
    to_pool: bool = False,
    remember: bool = True,
    values: dict[str, Any] | None = None,
) -> ImportJob:
    """Choose columns, values and target. A rep may not import into another rep's name. (A
    contacts job has no target: its contacts belong to the customers they name.)

    `values`: {column: {value: target}} for columns mapped to a looked-up field (see
    `services.values`); a column left out keeps the job's value mapping while its field is
    unchanged, else gets the suggestions (saved choices, similar names)."""
    ensure_read(job)
    clean = mappings.validate(mapping, job.headers, job.kind)
    chosen = value_maps.clean_values(actor=actor, mapping=clean, values=values or {})
    if job.kind == ImportKind.CONTACTS:
        owner, to_pool = None, False
    if to_pool:
        owner = None
    ensure_assignable(actor, owner)
    kept = {h: t for h, t in job.value_mapping.items() if job.mapping.get(h) == clean.get(h)}
    suggested = value_maps.suggested_values(actor=actor, job=job, mapping=clean)
    columns = value_maps.value_columns(clean)
    job.value_mapping = {h: chosen.get(h, kept.get(h, suggested.get(h, {}))) for h in columns}
    job.mapping, job.owner, job.to_pool = clean, owner, to_pool
    job.save(update_fields=["mapping", "value_mapping", "owner", "to_pool", "updated_at"])
    if remember:
        for header in job.headers:
            ColumnMapping.objects.update_or_create(
                user=actor, kind=job.kind, header=header, defaults={"field": clean.get(header, "")}
            )
        value_maps.remember(actor=actor, kind=job.kind, mapping=clean, values=job.value_mapping)
    return job


def _table(job: ImportJob):
    return open_table(job.file, encoding=job.encoding or None, delimiter=job.delimiter or None)


def preview(*, job: ImportJob, limit: int = PREVIEW_ROWS) -> list[dict[str, Any]]:
    """Dry-run the first `limit` rows: nothing is written. The file is not opened: it
    was read whole when it was uploaded or analysed, and its first rows kept (`sample`);
    a job from before that is read now.

    Returns [{line, values (the raw cells), outcome, reason}]; records the row count."""
    ensure_read(job)
    mappings.validate(job.mapping, job.headers, job.kind)
    if job.sample is None:  # uploaded before samples were kept
        job.total, job.sample = read_all(_table(job), limit)
    converter = Converter(job.mapping, job.kind, job.value_mapping)
    with transaction.atomic():
        rows = sample_rows(job.sample, job.headers)[:limit]
        converted = [(line, converter.convert(row)) for line, row in rows]
        outcomes = import_batch(job, converted)
        results = [
            {
                "line": line,
                "values": row,
                "outcome": r.outcome,
                "reason": r.reason,
                "warning": r.warning,
            }
            for (line, row), r in zip(rows, outcomes, strict=True)
        ]
        transaction.set_rollback(True)
    ImportJob.objects.filter(
        pk=job.pk, status__in=[JobStatus.UPLOADED, JobStatus.PREVIEWED]
    ).update(status=JobStatus.PREVIEWED, total=job.total)
    job.refresh_from_db()
    return results


def import_batch(job: ImportJob, converted: list, *, per_row: bool = False) -> list:
    """The results of a batch of (line, converted) rows by the job's kind; the caller holds
    the transaction. Customers and contacts go row by row (records.py), leads in bulk
    (batch.py) or, with `per_row`, row by row (rows.process_row)."""
    separate_repeats(job, converted)
    if job.kind != ImportKind.LEADS:
        return import_records(job, converted)
    known: dict[str, int] = {}
    _known_refs(known, [c.fingerprint for _line, c in converted])
    if per_row:
        return [process_row(job, line, conv, known) for line, conv in converted]
    return import_rows(job, converted, known)


def separate_repeats(job: ImportJob, converted: list) -> None:
    """A row whose values repeat an earlier row of the same file (two deals alike but for
    an id column left unmapped) gets its line in its fingerprint, so that both rows are
    imported; the first keeps the plain fingerprint, so a file imported again finds each
    of its rows as before. A row keyed by a mapped external id is left as it is: the same
    id twice is one record. Earlier batches are read from the job's rows (one query)."""
    plain = {c.fingerprint for _line, c in converted if not c.external_id}
    seen = set(
        ImportRow.objects.filter(job=job, fingerprint__in=plain).values_list(
            "fingerprint", flat=True
        )
    )
    for line, row in converted:
        if row.external_id:
            continue
        if row.fingerprint in seen:
            row.fingerprint = repeat_fingerprint(row.fingerprint, line)
        else:
            seen.add(row.fingerprint)


def _known_refs(known: dict[str, int], fingerprints: list[str]) -> None:
    refs = [external_ref(f) for f in fingerprints]
    known.update(Lead.objects.filter(external_ref__in=refs).values_list("external_ref", "pk"))


def start_job(*, actor: User, job: ImportJob) -> ImportJob:
    """Queue the run in the background (after commit)."""
    from loudou.imports.tasks import run_import

    ensure_read(job)
    mappings.validate(job.mapping, job.headers, job.kind)
    if not ImportJob.objects.filter(pk=job.pk, status__in=STARTABLE).update(
        status=JobStatus.QUEUED
    ):
        raise ValidationError(_("该导入任务已结束，不能再次运行。"))
    transaction.on_commit(lambda: run_import.enqueue(job.pk))
    job.refresh_from_db()
    return job
