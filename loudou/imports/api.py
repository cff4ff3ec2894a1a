"""REST API for imports and lead exports: the same services and selectors as the UI."""

import csv
from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from loudou.core.schemas import Id
from loudou.imports import exports, services
from loudou.imports.exceptions import ImportFileError
from loudou.imports.mapping import kind_model
from loudou.imports.selectors import access_job, rejected_rows
from loudou.org.models import User

router = Router(tags=["imports"])
export_router = Router(tags=["imports"])


class JobOut(Schema):
    id: int
    kind: str
    original_name: str
    encoding: str
    headers: list[str]
    mapping: dict[str, str]
    values: dict[str, dict[str, str]]
    owner_id: Id | None
    to_pool: bool
    status: str
    error: str
    total: int
    progress: int
    imported: int
    merged: int
    duplicates: int
    rejected: int
    warned: int
    started_at: datetime | None
    finished_at: datetime | None
    interrupted: bool

    @staticmethod
    def resolve_interrupted(obj) -> bool:
        return obj.is_interrupted

    @staticmethod
    def resolve_values(obj) -> dict[str, dict[str, str]]:
        return obj.value_mapping


class MappingIn(Schema):
    """`values`: {column: {value in the file: target}} for columns mapped to a looked-up
    field; a target is a key from GET …/values (an id, a choice value), a code, username
    or name, or "" (leave empty). Columns left out keep or get the suggestions."""

    mapping: dict[str, str] | None = None
    values: dict[str, dict[str, str]] | None = None
    owner: int | None = None
    to_pool: bool = False


class PreviewRowOut(Schema):
    line: int
    outcome: str
    reason: str
    warning: str
    values: dict[str, str]


class ValueOptionOut(Schema):
    key: str
    label: str


class ValueRowOut(Schema):
    value: str
    target: str | None


class ValueColumnOut(Schema):
    column: str
    field: str
    label: str
    options: list[ValueOptionOut]
    values: list[ValueRowOut]
    more: bool


def _file_error(error: ImportFileError) -> ValidationError:
    return ValidationError({"file": [f"[{error.code}] {error.message}"]})


@router.post("", response={201: JobOut, 422: dict})
def upload(
    request,
    file: File[UploadedFile],
    encoding: Form[str] = "",
    delimiter: Form[str] = "",
    kind: Form[str] = "leads",
):
    """`kind`: leads (default), customers or contacts. A large file is answered with
    status `analysing` (and, for an .xlsx, no headers yet): poll GET /api/imports/{id}
    until it is `uploaded` (headers, suggested mapping, total) or `failed` (`error`)."""
    try:
        job = services.create_job(
            actor=request.user,
            upload=file,
            original_name=file.name,
            encoding=encoding or None,
            delimiter=delimiter or None,
            kind=kind or "leads",
            background=True,
        )
    except ImportFileError as error:
        raise _file_error(error) from error
    return Status(201, job)


@router.get("/{id:job_id}", response=JobOut)
def get_job(request, job_id: int):
    return access_job(request.user, job_id)


@router.post("/{id:job_id}/mapping", response={200: JobOut, 422: dict})
def set_mapping(request, job_id: int, payload: MappingIn):
    from loudou.org.selectors import assignable_users

    job = access_job(request.user, job_id)
    owner = None
    if payload.owner is not None:
        owner = assignable_users(request.user).filter(pk=payload.owner).first()
        if owner is None:
            raise ValidationError({"owner": ["您不能把记录分配给该用户。"]})
    try:
        return services.set_mapping(
            actor=request.user,
            job=job,
            mapping=payload.mapping or job.mapping,
            owner=owner,
            to_pool=payload.to_pool,
            values=payload.values,
        )
    except ImportFileError as error:
        raise ValidationError({"mapping": [error.message]}) from error


@router.get("/{id:job_id}/values", response={200: list[ValueColumnOut], 422: dict})
def value_table(request, job_id: int):
    """Per column of the job's mapping whose values may be mapped one by one: its field,
    the targets, and the file's distinct values (the first 200) with the chosen or
    suggested target (null: read as written)."""
    job = access_job(request.user, job_id)
    services.ensure_read(job)
    return services.value_table(job, request.user)


@router.post("/{id:job_id}/preview", response={200: list[PreviewRowOut], 422: dict})
def preview(request, job_id: int):
    job = access_job(request.user, job_id)
    try:
        rows = services.preview(job=job)
    except ImportFileError as error:
        raise _file_error(error) from error
    return [{**r, "values": {k: str(v) for k, v in r["values"].items()}} for r in rows]


@router.post("/{id:job_id}/run", response={202: JobOut, 422: dict})
def run(request, job_id: int):
    job = access_job(request.user, job_id)
    return Status(202, services.start_job(actor=request.user, job=job))


@router.post("/{id:job_id}/resume", response={202: JobOut, 403: dict, 422: dict})
def resume(request, job_id: int):
    job = access_job(request.user, job_id)
    return Status(202, services.resume_job(actor=request.user, job=job))


@router.post("/{id:job_id}/revert", response={200: JobOut, 422: dict})
def revert(request, job_id: int):
    job = access_job(request.user, job_id)
    return services.revert_job(actor=request.user, job=job)


@router.get("/{id:job_id}/rejected.csv")
def rejected_csv(request, job_id: int):
    return rejected_response(access_job(request.user, job_id))


def rejected_response(job) -> HttpResponse:
    """The rejected rows as they were in the file, with the reason in a last column."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-{job.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([*job.headers, "行号", "拒绝原因"])
    for row in rejected_rows(job).iterator():
        writer.writerow(
            [
                *(exports.neutralise(row.values.get(h, "")) for h in job.headers),
                row.line,
                row.reason,
            ]
        )
    return response


@export_router.get("")
def export_leads(request, format: str = "csv"):
    return export_response(request, request.user, format)


def export_response(request, user: User, kind: str):
    """The visible leads filtered like the list (same query parameters), as a download."""
    from loudou.leads.filters import LeadFilterForm
    from loudou.leads.selectors import visible_leads

    form = LeadFilterForm(request.GET, user=user)
    if not form.is_valid():
        raise ValidationError(form.errors)
    leads = form.filter(visible_leads(user)).order_by("-captured_at", "-id")
    return _download(exports.rows(leads, user), "leads", kind)


def records_export_response(user: User, what: str, format: str, q: str = ""):
    """The customers (`what` = "customers") or contacts the user sees on the customer list
    (search `q`), as a .csv or .xlsx download; contact details masked as on screen."""
    from loudou.customers.selectors import listed_contacts, listed_customers

    if what == "customers":
        lines = exports.customer_rows(listed_customers(user, q), user)
    else:
        lines = exports.contact_rows(listed_contacts(user, q), user)
    model = kind_model(what)
    header, title = exports.record_headers(model), str(model._meta.verbose_name)
    return _download(lines, what, format, header=header, title=title)


def _download(lines, what: str, kind: str, **sheet):
    """`lines` as `what`-<time>.xlsx or .csv (streamed); `sheet`: header and title when
    they are not the lead list's."""
    if kind not in {"csv", "xlsx"}:
        raise ValidationError({"format": [_("格式只能是 csv 或 xlsx。")]})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if kind == "xlsx":
        handle = exports.xlsx_file(lines, **sheet)
        return FileResponse(handle, as_attachment=True, filename=f"{what}-{stamp}.xlsx")
    chunks = exports.csv_chunks(lines, header=sheet.get("header"))
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{what}-{stamp}.csv"'
    return response
