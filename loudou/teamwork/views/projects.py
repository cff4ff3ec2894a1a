"""Process-optimisation project pages: list, create, the project with its baseline and
monthly KPI table, edit, baseline again, measure a month, the month's review notes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loudou.teamwork import services
from loudou.teamwork.forms import MeasureForm, ProjectForm, ReviewNotesForm
from loudou.teamwork.selectors import access_project, visible_projects
from loudou.teamwork.services.projects import measured_team
from loudou.teamwork.views.common import add_errors, editable_copy, flash, labelled_history


@login_required
def project_list(request):
    projects = visible_projects(request.user).order_by("-started_on", "-pk")
    page = Paginator(projects, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "teamwork/projects.html",
        {"page": page, "can_create": services.may_create_projects(request.user)},
    )


@login_required
def project_create(request):
    if not services.may_create_projects(request.user):
        raise PermissionDenied
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(actor=request.user, values=form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(project)
    return render(request, "teamwork/form.html", {"form": form, "title": _("新建流程优化项目")})


@login_required
def project_detail(request, pk):
    project = access_project(request.user, pk)
    reviews = list(project.reviews.select_related("team", "measured_by").order_by("-month"))
    for review in reviews:
        review.notes_form = ReviewNotesForm(initial={"notes": review.notes})
    return render(
        request,
        "teamwork/project.html",
        {
            "project": project,
            "baseline": project.baseline,
            "reviews": reviews,
            "measured_team": measured_team(project),
            "may_manage": services.may_manage_project(request.user, project),
            "measure_form": MeasureForm(today=timezone.localdate()),
            "events": labelled_history(project),
        },
    )


@login_required
def project_edit(request, pk):
    project = access_project(request.user, pk)
    if not services.may_manage_project(request.user, project):
        raise PermissionDenied
    form = ProjectForm(request.POST or None, instance=editable_copy(project), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(project=project, actor=request.user, values=form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(project)
    context = {"form": form, "title": _("修改流程优化项目"), "back": project}
    return render(request, "teamwork/form.html", context)


@require_POST
@login_required
def project_baseline(request, pk):
    project = access_project(request.user, pk)
    try:
        services.take_baseline(project=project, actor=request.user)
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(request, _("基线已重新测量。"))
    return redirect(project)


@require_POST
@login_required
def project_measure(request, pk):
    project = access_project(request.user, pk)
    if not services.may_manage_project(request.user, project):
        raise PermissionDenied
    form = MeasureForm(request.POST, today=timezone.localdate())
    try:
        if not form.is_valid():
            raise ValidationError(_("请选择月份。"))
        review = services.measure_project(
            project=project, month=form.cleaned_data["month"], actor=request.user
        )
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(request, _("{month} 的指标已测量。").format(month=f"{review.month:%Y-%m}"))
    return redirect(project)


@require_POST
@login_required
def review_notes(request, pk, review_pk):
    project = access_project(request.user, pk)
    review = project.reviews.filter(pk=review_pk).first()
    if review is None:
        raise Http404
    form = ReviewNotesForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("复盘记录不能超过5000字。"))
        services.save_review_notes(
            review=review, actor=request.user, notes=form.cleaned_data["notes"]
        )
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(request, _("复盘记录已保存。"))
    return redirect(project)
