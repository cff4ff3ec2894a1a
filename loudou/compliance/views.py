"""Pages of compliance: a data subject's records, export and erasure (administrators)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loudou.compliance.forms import EraseForm, SubjectSearchForm
from loudou.compliance.selectors import subject_summary
from loudou.compliance.subjects import (
    erase_subject,
    export_subject,
    find_subject,
    may_handle_subjects,
)


def _admin_only(request) -> None:
    if not may_handle_subjects(request.user):
        raise PermissionDenied


def _subject(form):
    data = form.cleaned_data
    return find_subject(phone=data["phone"], email=data["email"], wechat=data["wechat"])


@login_required
def subjects(request):
    """Find a person's records by phone, e-mail or WeChat; export or erase them."""
    _admin_only(request)
    form = SubjectSearchForm(request.GET or None)
    context = {"form": form}
    if form.is_bound and form.is_valid():
        context["summary"] = subject_summary(_subject(form), request.user)
        context["erase_form"] = EraseForm(initial=form.cleaned_data)
    return render(request, "compliance/subjects.html", context)


@require_POST
@login_required
def subject_export(request):
    _admin_only(request)
    form = SubjectSearchForm(request.POST)
    if not form.is_valid():
        return render(request, "compliance/subjects.html", {"form": form}, status=400)
    data = export_subject(subject=_subject(form), actor=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{stamp}.json"'
    return response


@require_POST
@login_required
def subject_erase(request):
    _admin_only(request)
    form = EraseForm(request.POST)
    if not form.is_valid():
        search = SubjectSearchForm(request.POST)
        summary = subject_summary(_subject(search), request.user) if search.is_valid() else None
        context = {"form": search, "erase_form": form, "summary": summary}
        return render(request, "compliance/subjects.html", context, status=400)
    counts = erase_subject(
        subject=_subject(form), actor=request.user, reason=form.cleaned_data["reason"]
    )
    messages.success(
        request,
        _("已匿名化：{contacts} 个联系人、{leads} 条线索、{follow_ups} 条跟进记录。").format(
            **counts
        ),
    )
    return redirect("compliance:subjects")
