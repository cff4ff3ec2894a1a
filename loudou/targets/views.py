"""Target and strategy-plan pages: parse → access → service → render.
Hidden records are 404 (`access_*`); visible but not manageable ones 403 (the services)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from loudou.core.audit import history
from loudou.core.text import field_labels
from loudou.targets import exports, services
from loudou.targets.choices import MilestoneStatus
from loudou.targets.filters import TargetFilterForm
from loudou.targets.forms import (
    ActionForm,
    AdjustForm,
    MilestoneForm,
    PlanForm,
    SplitForm,
    TargetEditForm,
    TargetForm,
)
from loudou.targets.selectors import (
    access_action,
    access_milestone,
    access_plan,
    access_target,
    can_complete_action,
    can_complete_milestone,
    can_manage_action,
    can_manage_plan,
    can_manage_target,
    ensure_manages_action,
    ensure_manages_plan,
    ensure_manages_target,
    target_teams,
    visible_plans,
    visible_targets,
    with_action_permissions,
)
from loudou.targets.services.listing import ordered, target_rows

SPLIT_LABELS = {
    "time": gettext_lazy("按时间分解"),
    "regions": gettext_lazy("分解到各区域"),
    "teams": gettext_lazy("分解到各团队"),
    "reps": gettext_lazy("分解到团队销售员"),
}


def _try(form, write):
    """`write()`, or None with its ValidationError on the form (403s pass through)."""
    try:
        return write()
    except ValidationError as error:
        form.add_error(None, error)
        return None


VERBS = {
    "target.created": gettext_lazy("创建目标"),
    "target.updated": gettext_lazy("修改目标"),
    "target.adjusted": gettext_lazy("调整目标值"),
    "plan.created": gettext_lazy("创建策略"),
    "plan.updated": gettext_lazy("修改策略"),
    "action.created": gettext_lazy("创建改进措施"),
    "action.updated": gettext_lazy("修改改进措施"),
    "action.done": gettext_lazy("标记完成"),
    "action.reopened": gettext_lazy("重新打开"),
}


def _history(obj) -> list:
    """The audit events of `obj`, each change with the field's label and choices in words;
    empty ones left out."""
    labels = field_labels(type(obj))
    words = {
        f.name: {str(k): str(v) for k, v in f.flatchoices}
        for f in type(obj)._meta.get_fields()
        if getattr(f, "choices", None)
    }
    events = list(history(obj))
    for event in events:
        event.label = VERBS.get(event.verb, event.verb)
        event.shown = [
            {
                "label": labels.get(c["field"], c["field"]),
                "before": words.get(c["field"], {}).get(str(c.get("before")), c.get("before")),
                "after": words.get(c["field"], {}).get(str(c.get("after")), c.get("after")),
            }
            for c in event.changes
            if c.get("before") not in (None, "") or c.get("after") not in (None, "")
        ]
    return events


def _may_create(user) -> bool:
    """Whether `user` may set any target or write any plan (director, admin, a manager)."""
    return user.sees_all or target_teams(user).exists()


def _ensure_may_create(user) -> None:
    if not _may_create(user):
        raise PermissionDenied(_("您不能新建目标或策略。"))


def _listed(request):
    data = request.GET.copy()
    if "year" not in data:
        data["year"] = str(timezone.localdate().year)
    form = TargetFilterForm(data)
    try:
        return form, ordered(form.filter(visible_targets(request.user)))
    except ValidationError:
        return form, visible_targets(request.user).none()


@login_required
def target_list(request):
    form, targets = _listed(request)
    page = Paginator(targets, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": target_rows(list(page)),
        "may_create": _may_create(request.user),
        "query": query.urlencode(),
    }
    return render(request, "targets/list.html", context)


@login_required
def target_export(request):
    """The list's targets (same filters), with actual and completion, as .csv or .xlsx."""
    from loudou.imports.api import _download  # the lead list's streaming .csv/.xlsx

    _form, targets = _listed(request)
    lines = exports.rows(target_rows(list(targets)))
    sheet = {"header": exports.header(), "title": _("销售目标")}
    try:
        return _download(lines, "targets", request.GET.get("format", "csv"), **sheet)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("targets:list")


@login_required
def target_detail(request, pk: int):
    target = access_target(request.user, pk)
    children = ordered(visible_targets(request.user).filter(parent=target))
    row = target_rows([target])[0]
    context = {
        "target": target,
        "row": row,
        "children": target_rows(list(children)),
        "adjustments": target.adjustments.select_related("actor"),
        "events": _history(target),
        "plans": visible_plans(request.user).filter(target=target),
        "can_manage": can_manage_target(request.user, target),
        "adjust_form": AdjustForm(initial={"value": target.value}),
        "splits": [(by, SPLIT_LABELS[by]) for by in services.split_options(target)],
    }
    return render(request, "targets/detail.html", context)


@login_required
def target_create(request):
    _ensure_may_create(request.user)
    initial = {}
    parent_id = request.GET.get("parent", "")
    if parent_id.isdigit() and len(parent_id) <= 18:
        parent = access_target(request.user, int(parent_id))
        initial = {"parent": parent, "period": parent.period, "start": parent.start}
        initial |= {"metric": parent.metric}
    form = TargetForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        target = _try(form, lambda: services.create_target(actor=request.user, values=values))
        if target is not None:
            return redirect(target)
    return render(request, "targets/form.html", {"form": form, "target": None})


@login_required
def target_edit(request, pk: int):
    target = access_target(request.user, pk)
    ensure_manages_target(request.user, target)
    initial = {"parent": target.parent, "notes": target.notes}
    form = TargetEditForm(request.POST or None, user=request.user, target=target, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        changed = _try(
            form, lambda: services.update_target(target=target, actor=request.user, values=values)
        )
        if changed is not None:
            return redirect(target)
    return render(request, "targets/form.html", {"form": form, "target": target})


@require_POST
@login_required
def target_adjust(request, pk: int):
    target = access_target(request.user, pk)
    ensure_manages_target(request.user, target)
    form = AdjustForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = _try(
            form,
            lambda: services.adjust_target(
                target=target, actor=request.user, value=data["value"], reason=data["reason"]
            ),
        )
        if done:
            messages.success(request, _("目标已调整。"))
            return redirect(target)
    errors = [e for errs in form.errors.values() for e in errs]
    messages.error(request, " ".join(errors))
    return redirect(target)


@require_POST
@login_required
def target_delete(request, pk: int):
    target = access_target(request.user, pk)
    parent = target.parent
    try:
        services.delete_target(target=target, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(target)
    messages.success(request, _("目标已删除。"))
    return redirect(parent or "targets:list")


@login_required
def target_split(request, pk: int):
    """GET: the planned children with the even split; POST: create them."""
    target = access_target(request.user, pk)
    by = request.POST.get("by") or request.GET.get("by") or ""
    try:
        children = services.split_plan(target=target, by=by)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(target)
    form = SplitForm(request.POST or None, children=children)
    if request.method == "POST" and form.is_valid():
        created = _try(
            form,
            lambda: services.split_target(
                target=target, actor=request.user, by=by, values=form.values()
            ),
        )
        if created is not None:
            messages.success(request, _("已创建 {n} 个分解目标。").format(n=len(created)))
            return redirect(target)
    context = {"target": target, "by": by, "label": SPLIT_LABELS[by], "form": form}
    return render(request, "targets/split.html", context)


# strategy plans ---------------------------------------------------------------------------


@login_required
def plan_list(request):
    plans = visible_plans(request.user).prefetch_related("milestones")
    page = Paginator(plans, 50).get_page(request.GET.get("page"))
    for plan in page:
        milestones = list(plan.milestones.all())
        plan.milestone_count = len(milestones)
        plan.done_count = sum(m.status == MilestoneStatus.DONE for m in milestones)
        plan.next_due = next((m for m in milestones if m.status == MilestoneStatus.OPEN), None)
    context = {"page": page, "may_create": _may_create(request.user)}
    return render(request, "targets/plans.html", context)


def _plan_context(request, plan, milestone_form=None) -> dict:
    milestones = list(plan.milestones.select_related("owner"))
    for milestone in milestones:
        milestone.may_complete = can_complete_milestone(request.user, milestone)
    can_manage = can_manage_plan(request.user, plan)
    return {
        "plan": plan,
        "milestones": milestones,
        "can_manage": can_manage,
        "milestone_form": milestone_form or MilestoneForm(user=request.user),
        "events": _history(plan),
        "today": timezone.localdate(),
    }


@login_required
def plan_detail(request, pk: int):
    plan = access_plan(request.user, pk)
    return render(request, "targets/plan_detail.html", _plan_context(request, plan))


@login_required
def plan_form(request, pk: int | None = None):
    plan = access_plan(request.user, pk) if pk else None
    if plan is None:
        _ensure_may_create(request.user)
    else:
        ensure_manages_plan(request.user, plan)
    initial = {f: getattr(plan, f) for f in services.plans.PLAN_FIELDS} if plan else {}
    form = PlanForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _try(form, lambda: _save_plan(request.user, plan, form.cleaned_data))
        if saved is not None:
            return redirect(saved)
    return render(request, "targets/plan_form.html", {"form": form, "plan": plan})


def _save_plan(user, plan, values):
    if plan is None:
        return services.create_plan(actor=user, values=values)
    services.update_plan(plan=plan, actor=user, values=values)
    return plan


@require_POST
@login_required
def plan_delete(request, pk: int):
    plan = access_plan(request.user, pk)
    services.delete_plan(plan=plan, actor=request.user)
    messages.success(request, _("策略已删除。"))
    return redirect("targets:plans")


@require_POST
@login_required
def milestone_add(request, pk: int):
    plan = access_plan(request.user, pk)
    ensure_manages_plan(request.user, plan)
    form = MilestoneForm(request.POST, user=request.user)
    if form.is_valid():
        values = form.cleaned_data
        added = _try(
            form, lambda: services.add_milestone(plan=plan, actor=request.user, values=values)
        )
        if added is not None:
            return redirect(f"{plan.get_absolute_url()}#milestone-{added.pk}")
    context = _plan_context(request, plan, milestone_form=form)
    return render(request, "targets/plan_detail.html", context, status=422)


def _milestone_status(request, pk: int, change):
    milestone = access_milestone(request.user, pk)
    change(milestone=milestone, actor=request.user)
    if request.headers.get("HX-Request") == "true":
        context = _plan_context(request, milestone.plan)
        return render(request, "targets/plan_detail.html#milestones", context)
    return redirect(f"{milestone.plan.get_absolute_url()}#milestone-{milestone.pk}")


@require_POST
@login_required
def milestone_done(request, pk: int):
    return _milestone_status(request, pk, services.complete_milestone)


@require_POST
@login_required
def milestone_reopen(request, pk: int):
    return _milestone_status(request, pk, services.reopen_milestone)


@require_POST
@login_required
def milestone_delete(request, pk: int):
    milestone = access_milestone(request.user, pk)
    services.delete_milestone(milestone=milestone, actor=request.user)
    return redirect(milestone.plan)


# improvement actions (listed on the performance page, analytics:performance) -------------


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


@require_POST
@login_required
def action_add(request):
    """Add from the performance page's form; back there with the result as a message."""
    form = ActionForm(request.POST, user=request.user)
    back = _back(request, reverse("analytics:performance"))
    if form.is_valid():
        values = form.cleaned_data
        added = _try(form, lambda: services.create_action(actor=request.user, values=values))
        if added is not None:
            messages.success(request, _("改进措施已添加。"))
            return redirect(f"{back}#action-{added.pk}")
    errors = [e for errs in form.errors.values() for e in errs]
    messages.error(request, " ".join(errors))
    return redirect(back)


def _action_form(request, action, data=None) -> ActionForm:
    initial = {name: getattr(action, name) for name in services.actions.ACTION_FIELDS}
    return ActionForm(data, user=request.user, initial=initial)


def _action_page(request, action, form=None, status: int = 200):
    context = {
        "action": action,
        "can_manage": can_manage_action(request.user, action),
        "may_complete": can_complete_action(request.user, action),
        "overdue": action.is_overdue(timezone.localdate()),
        "form": form or _action_form(request, action),
        "events": _history(action),
    }
    return render(request, "targets/action_detail.html", context, status=status)


@login_required
def action_detail(request, pk: int):
    return _action_page(request, access_action(request.user, pk))


@require_POST
@login_required
def action_edit(request, pk: int):
    action = access_action(request.user, pk)
    ensure_manages_action(request.user, action)
    form = _action_form(request, action, request.POST)
    if form.is_valid():
        values = form.cleaned_data
        changed = _try(
            form,
            lambda: services.update_action(action=action, actor=request.user, values=values),
        )
        if changed is not None:
            return redirect(action)
    return _action_page(request, action, form, status=422)


def _action_status(request, pk: int, change):
    action = access_action(request.user, pk)
    change(action=action, actor=request.user)
    if request.headers.get("HX-Request") == "true":
        context = {"a": with_action_permissions(request.user, [action])[0]}
        context["today"] = timezone.localdate()
        return render(request, "targets/_actions.html#action-row", context)
    return redirect(_back(request, action.get_absolute_url()))


@require_POST
@login_required
def action_done(request, pk: int):
    return _action_status(request, pk, services.complete_action)


@require_POST
@login_required
def action_reopen(request, pk: int):
    return _action_status(request, pk, services.reopen_action)


@require_POST
@login_required
def action_delete(request, pk: int):
    action = access_action(request.user, pk)
    services.delete_action(action=action, actor=request.user)
    messages.success(request, _("改进措施已删除。"))
    return redirect("analytics:performance")
