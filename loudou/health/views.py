"""Health pages: exceptions (意外状态), thresholds and weekly reports.
parse → access → service → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loudou.core.audit import history
from loudou.health.forms import CaseFilterForm, GenerateReportForm, NoteForm, ThresholdsForm
from loudou.health.selectors import (
    access_case,
    access_report,
    access_team,
    visible_cases,
    visible_reports,
    visible_teams,
)
from loudou.health.services import documents
from loudou.health.services.exceptions import acknowledge, can_handle, can_sweep, resolve, run_sweep
from loudou.health.services.listing import case_leads, filter_cases
from loudou.health.services.reports import generate_report, last_completed_week, week_of
from loudou.health.services.texts import describe, suggested_action
from loudou.health.services.thresholds import (
    can_edit_thresholds,
    can_read_thresholds,
    effective_thresholds,
    update_thresholds,
)
from loudou.leads.selectors import visible_leads


def _describe(case):
    case.description = describe(
        case.rule, case.metrics, rep=str(case.rep or ""), stage=str(case.stage or "")
    )
    case.action = suggested_action(case.rule)
    return case


def _team_param(request, name="team"):
    value = request.POST.get(name) or request.GET.get(name) or ""
    return access_team(request.user, int(value)) if value.isdigit() else None


@login_required
def exceptions(request):
    teams = visible_teams(request.user)
    form = CaseFilterForm(request.GET or None, teams=teams)
    cases = filter_cases(visible_cases(request.user), form.filters())
    page = Paginator(cases.order_by("status", "-last_seen_at", "-pk"), 50).get_page(
        request.GET.get("page")
    )
    for case in page:
        _describe(case)
    return render(
        request,
        "health/exceptions.html",
        {
            "form": form,
            "page": page,
            "sweep_teams": teams,
            "can_sweep_all": can_sweep(request.user, None),
            "can_thresholds": can_read_thresholds(request.user, None),
        },
    )


@login_required
def case_detail(request, pk):
    case = _describe(access_case(request.user, pk))
    return render(
        request,
        "health/case.html",
        {
            "case": case,
            "leads": case_leads(case, visible_leads(request.user))[:200],
            "can_handle": can_handle(request.user, case),
            "form": NoteForm(),
            "events": history(case),
        },
    )


def _handle(request, pk, action):
    case = access_case(request.user, pk)
    form = NoteForm(request.POST)
    if not can_handle(request.user, case):
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, _("说明不能超过2000字。"))
        return redirect(case)
    try:
        action(case=case, actor=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(case)


@require_POST
@login_required
def case_acknowledge(request, pk):
    return _handle(request, pk, acknowledge)


@require_POST
@login_required
def case_resolve(request, pk):
    return _handle(request, pk, resolve)


@require_POST
@login_required
def sweep_view(request):
    result = run_sweep(actor=request.user, team=_team_param(request))
    messages.success(
        request,
        _("检查完成：发现{found}项，新增{opened}项，自动解决{resolved}项。").format(
            found=result.found, opened=result.opened, resolved=result.resolved
        ),
    )
    return redirect("health:exceptions")


@login_required
def thresholds(request):
    team = _team_param(request)
    if not can_read_thresholds(request.user, team):
        raise PermissionDenied
    current = effective_thresholds(team)
    editable = can_edit_thresholds(request.user, team)
    form = ThresholdsForm(request.POST or None, instance=current)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            update_thresholds(actor=request.user, team=team, values=form.cleaned_data)
            messages.success(request, _("阈值已保存。"))
            return redirect(request.get_full_path())
    return render(
        request,
        "health/thresholds.html",
        {
            "form": form,
            "team": team,
            "editable": editable,
            "teams": visible_teams(request.user),
            "own": current.team_id is not None,
        },
    )


@login_required
def reports(request):
    teams = visible_teams(request.user)
    form = GenerateReportForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["week"] or last_completed_week(timezone.now())
        try:
            report, created = generate_report(
                team=form.cleaned_data["team"], monday=week_of(day)[0], actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not created:
                messages.info(request, _("该周报告已存在，显示已保存的版本。"))
            return redirect(report)
    listed = Paginator(visible_reports(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "health/reports.html",
        {
            "page": listed,
            "form": form,
            "can_generate": request.user.sees_all or teams.exists(),
        },
    )


@login_required
def report_detail(request, pk):
    report = access_report(request.user, pk)
    return render(
        request,
        "health/report.html",
        {
            "report": report,
            "sections": documents.sections(report),
            "data": report.data,
        },
    )


def download(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def report_pdf(request, pk):
    report = access_report(request.user, pk)
    return download(
        documents.pdf_bytes(report), "application/pdf", documents.filename(report, "pdf")
    )


@login_required
def report_xlsx(request, pk):
    report = access_report(request.user, pk)
    return download(
        documents.xlsx_bytes(report), documents.XLSX_TYPE, documents.filename(report, "xlsx")
    )
