"""Import pages: upload → mapping → preview → run (progress polled by htmx) → summary."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from loudou.imports import services
from loudou.imports.api import export_response, rejected_response
from loudou.imports.exceptions import ImportFileError
from loudou.imports.forms import MappingForm, UploadForm
from loudou.imports.models import JobStatus
from loudou.imports.selectors import access_job, top_reasons, top_warnings, visible_jobs


@login_required
def job_list(request):
    bound = request.method == "POST"
    form = UploadForm(request.POST if bound else None, request.FILES if bound else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.create_job(
                actor=request.user,
                upload=upload,
                original_name=upload.name,
                encoding=form.cleaned_data["encoding"] or None,
                kind=form.cleaned_data["kind"] or "leads",
                background=True,
            )
        except ImportFileError as error:
            form.add_error("file", error.message)
        else:
            return redirect("imports:detail", job.pk)
    jobs = visible_jobs(request.user)[:50]
    return render(request, "imports/list.html", {"form": form, "jobs": jobs})


@login_required
def job_detail(request, job_id: int):
    job = access_job(request.user, job_id)
    data = request.POST if request.method == "POST" else None
    form = MappingForm(data, job=job, actor=request.user, values=_values(job, request.user))
    context = {"job": job, "form": form, "reasons": top_reasons(job)}
    context["warnings"] = top_warnings(job)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_mapping(
                actor=request.user,
                job=job,
                mapping=form.mapping(),
                owner=form.cleaned_data.get("owner"),
                to_pool=form.cleaned_data.get("to_pool", False),
                values=form.values(),
            )
            context["preview"] = services.preview(job=job)
            # the value selects of the mapping just saved (a column mapped anew gets its own)
            context["form"] = MappingForm(
                job=job, actor=request.user, values=_values(job, request.user)
            )
        except (ImportFileError, PermissionDenied, ValidationError) as error:
            form.add_error(None, str(getattr(error, "message", None) or error))
    return render(request, "imports/detail.html", context)


def _values(job, user) -> list:
    """The value selects of a job whose mapping can still be changed."""
    if job.status not in (JobStatus.UPLOADED, JobStatus.PREVIEWED):
        return []
    return services.value_table(job, user)


@login_required
def job_progress(request, job_id: int):
    """The progress fragment; once the file of an `analysing` page has been read, htmx
    reloads the page (its column mapping, or the reason the file was refused)."""
    job = access_job(request.user, job_id)
    if request.GET.get("analysing") and job.status != JobStatus.ANALYSING:
        return HttpResponse(headers={"HX-Refresh": "true"})
    context = {"job": job, "reasons": top_reasons(job), "warnings": top_warnings(job)}
    return render(request, "imports/detail.html#progress", context)


def _job_action(request, job_id: int, action):
    """Run one service action on a job the user may reach; a refusal becomes a message."""
    job = access_job(request.user, job_id)
    try:
        action(actor=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("imports:detail", job.pk)


@require_POST
@login_required
def job_run(request, job_id: int):
    return _job_action(request, job_id, services.start_job)


@require_POST
@login_required
def job_resume(request, job_id: int):
    return _job_action(request, job_id, services.resume_job)


@require_POST
@login_required
def job_revert(request, job_id: int):
    return _job_action(request, job_id, services.revert_job)


@login_required
def job_rejected(request, job_id: int):
    return rejected_response(access_job(request.user, job_id))


@login_required
def lead_export(request):
    try:
        return export_response(request, request.user, request.GET.get("format", "csv"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("leads:list")
