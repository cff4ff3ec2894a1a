"""The organisation's service settings: tier thresholds and the SLA table, and the
maintenance plans of each tier (director/admin change them; everyone else reads)."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from loudou.service import services
from loudou.service.forms import PlanActionForm, PlanForm, SlaForm, ThresholdForm
from loudou.service.selectors import access_plan, access_plan_action, visible_plans
from loudou.service.services.settings import policies, thresholds
from loudou.service.views.common import add_errors, require_service


def _sla_initial() -> dict:
    initial = {}
    for tier, row in policies().items():
        initial[f"{tier}_response"] = row.response_hours
        initial[f"{tier}_resolution"] = row.resolution_hours
    return initial


def _save_settings(request, thresholds_form, sla_form) -> bool:
    which = request.POST.get("form")
    form = thresholds_form if which == "tiers" else sla_form
    if not form.is_valid():
        return False
    try:
        if which == "tiers":
            services.update_thresholds(actor=request.user, **form.cleaned_data)
        else:
            services.update_sla(actor=request.user, rows=form.rows())
    except ValidationError as error:
        add_errors(form, error)
        return False
    return True


@login_required
def settings_page(request):
    require_service(request.user)
    may_edit = services.may_edit_settings(request.user)
    bounds = thresholds()
    thresholds_form = ThresholdForm(initial={"vip": bounds["vip"], "key": bounds["key"]})
    sla_form = SlaForm(initial=_sla_initial())
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if request.POST.get("form") == "tiers":
            thresholds_form = ThresholdForm(request.POST)
        else:
            sla_form = SlaForm(request.POST)
        if _save_settings(request, thresholds_form, sla_form):
            messages.success(request, _("已保存。"))
            return redirect("service:settings")
    context = {
        "thresholds_form": thresholds_form,
        "sla_form": sla_form,
        "may_edit": may_edit,
        "bounds": bounds,
        "policies": policies(),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "service/settings.html", context, status=status)


@login_required
def plan_list(request):
    require_service(request.user)
    context = {"plans": visible_plans(request.user)}
    context["may_edit"] = services.may_edit_settings(request.user)
    return render(request, "service/plans.html", context)


@login_required
def plan_detail(request, pk):
    require_service(request.user)
    plan = access_plan(request.user, pk)
    may_edit = services.may_edit_settings(request.user)
    form = PlanForm(instance=plan)
    action_form = PlanActionForm()
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        saved, form, action_form = _save_plan(request, plan)
        if saved:
            return redirect(plan)
    context = {"plan": plan, "may_edit": may_edit, "form": form, "action_form": action_form}
    context["actions"] = plan.actions.all()
    status = 422 if request.method == "POST" else 200
    return render(request, "service/plan.html", context, status=status)


def _save_plan(request, plan):
    form, action_form = PlanForm(instance=plan), PlanActionForm()
    if request.POST.get("form") == "action":
        action_form = PlanActionForm(request.POST)
        target = action_form
    else:
        form = PlanForm(request.POST, instance=copy.copy(plan))
        target = form
    if not target.is_valid():
        return False, form, action_form
    values = {name: target.cleaned_data[name] for name in target.Meta.fields}
    try:
        if target is action_form:
            services.add_plan_action(plan=plan, actor=request.user, values=values)
        else:
            services.update_plan(plan=plan, actor=request.user, values=values)
    except ValidationError as error:
        add_errors(target, error)
        return False, form, action_form
    return True, form, action_form


@login_required
def plan_action_edit(request, pk):
    require_service(request.user)
    action = access_plan_action(request.user, pk)
    if not services.may_edit_settings(request.user):
        raise PermissionDenied
    form = PlanActionForm(request.POST or None, instance=copy.copy(action))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in PlanActionForm.Meta.fields}
        try:
            services.update_plan_action(action=action, actor=request.user, values=values)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(action.plan)
    context = {"form": form, "title": _("修改维护动作"), "back": action.plan.get_absolute_url()}
    return render(request, "service/form.html", context)
