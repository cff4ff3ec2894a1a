"""Task pages: list with filters and exports, assign, detail (sub-items by htmx), edit,
progress, done → verified, and the quality-grade bands."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loudou.teamwork import services
from loudou.teamwork.exports import grade_label, task_headers, task_rows
from loudou.teamwork.filters import TaskFilterForm, filter_tasks
from loudou.teamwork.forms import (
    GradeBandsForm,
    NoteForm,
    TaskForm,
    TaskItemForm,
    TaskProgressForm,
)
from loudou.teamwork.models import GradeBands
from loudou.teamwork.selectors import access_task, visible_tasks
from loudou.teamwork.views.common import add_errors, editable_copy, flash, is_htmx, labelled_history

EXPORT_FORMATS = {"csv", "xlsx"}
TASK_PAGE = "teamwork/task.html"


def listed_tasks(request):
    form = TaskFilterForm(request.GET or None)
    today = timezone.localdate()
    tasks = filter_tasks(visible_tasks(request.user), request.user, today=today, **form.params())
    return form, tasks.order_by("status", "planned_end", "pk"), today


@login_required
def task_list(request):
    form, tasks, today = listed_tasks(request)
    tasks = tasks.annotate(
        items_total=Count("items"), items_done=Count("items", filter=Q(items__done=True))
    )
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    bands = GradeBands.current()
    for task in page:
        task.grade_label = grade_label(task, bands)
    return render(
        request,
        "teamwork/tasks.html",
        {
            "form": form,
            "page": page,
            "today": today,
            "can_create": services.may_create_tasks(request.user),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def task_export(request):
    from loudou.imports.api import _download

    kind = request.GET.get("format", "csv")
    if kind not in EXPORT_FORMATS:
        return HttpResponseBadRequest(_("格式只能是 csv 或 xlsx。"))

    _form, tasks, _today = listed_tasks(request)
    lines = task_rows(tasks)
    return _download(lines, "tasks", kind, header=task_headers(), title=_("任务"))


@login_required
def task_create(request):
    if not services.may_create_tasks(request.user):
        raise PermissionDenied
    form = TaskForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.create_task(
                actor=request.user, values=form.values(), items=form.item_texts()
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(task)
    return render(request, "teamwork/form.html", {"form": form, "title": _("分配任务")})


def _detail_context(request, task, **extra) -> dict:
    user = request.user
    return {
        "task": task,
        "today": timezone.localdate(),
        "items": task.items.all(),
        "grade_label": grade_label(task, GradeBands.current()),
        "may_edit": services.may_edit_task(user, task),
        "may_work": services.may_work_task(user, task),
        "may_verify": services.may_verify_task(user, task),
        "progress_form": extra.pop("progress_form", None) or TaskProgressForm(instance=task),
        "item_form": TaskItemForm(),
        "note_form": NoteForm(),
        "events": labelled_history(task),
        **extra,
    }


@login_required
def task_detail(request, pk):
    task = access_task(request.user, pk)
    return render(request, TASK_PAGE, _detail_context(request, task))


@login_required
def task_edit(request, pk):
    task = access_task(request.user, pk)
    if not services.may_edit_task(request.user, task):
        raise PermissionDenied
    form = TaskForm(request.POST or None, instance=editable_copy(task), creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_task(task=task, actor=request.user, values=form.values())
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(task)
    return render(
        request, "teamwork/form.html", {"form": form, "title": _("修改任务"), "back": task}
    )


@require_POST
@login_required
def task_progress(request, pk):
    task = access_task(request.user, pk)
    form = TaskProgressForm(request.POST, instance=editable_copy(task))
    if form.is_valid():
        try:
            services.update_task(task=task, actor=request.user, values=form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("进展已保存。"))
            return redirect(task)
    context = _detail_context(request, task, progress_form=form)
    return render(request, TASK_PAGE, context, status=422)


def _items_response(request, task):
    if is_htmx(request):
        return render(request, f"{TASK_PAGE}#items", _detail_context(request, task))
    return redirect(task)


@require_POST
@login_required
def task_item_add(request, pk):
    task = access_task(request.user, pk)
    form = TaskItemForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("子项描述须为 1 到 200 个字。"))
        services.add_task_item(task=task, actor=request.user, text=form.cleaned_data["text"])
    except ValidationError as error:
        flash(request, error)
    return _items_response(request, task)


@require_POST
@login_required
def task_item_toggle(request, pk, item_pk):
    task = access_task(request.user, pk)
    item = task.items.filter(pk=item_pk).first()
    if item is None:
        raise Http404
    try:
        services.set_task_item(item=item, actor=request.user, done=request.POST.get("done") == "1")
    except ValidationError as error:
        flash(request, error)
    return _items_response(request, task)


def _status_action(request, pk, action, done_message):
    task = access_task(request.user, pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        action(task=task, actor=request.user, note=note)
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(request, done_message)
    return redirect(task)


@require_POST
@login_required
def task_done(request, pk):
    def complete(*, task, actor, note):
        return services.complete_task(task=task, actor=actor)

    return _status_action(request, pk, complete, _("任务已标记为完成，等待验收。"))


@require_POST
@login_required
def task_verify(request, pk):
    return _status_action(request, pk, services.verify_task, _("任务已验收。"))


@require_POST
@login_required
def task_reopen(request, pk):
    return _status_action(request, pk, services.reopen_task, _("任务已退回给负责人。"))


@login_required
def grade_bands(request):
    editable = services.may_edit_bands(request.user)
    form = GradeBandsForm(request.POST or None, instance=editable_copy(GradeBands.current()))
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            services.update_grade_bands(actor=request.user, values=form.cleaned_data)
            messages.success(request, _("评级标准已保存。"))
            return redirect("teamwork:grade_bands")
    return render(request, "teamwork/grade_bands.html", {"form": form, "editable": editable})
