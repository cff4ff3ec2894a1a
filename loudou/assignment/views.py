"""The 公海 page, claims, releases, handover: parse → access → service → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loudou.assignment import services
from loudou.assignment.forms import HandoverForm, IntakePolicyForm, PoolForm, RuleForm
from loudou.assignment.listing import pool_lead_row, pool_row
from loudou.assignment.models import IntakePolicy
from loudou.assignment.permissions import may_configure
from loudou.assignment.selectors import (
    access_editable_pool,
    access_pool,
    access_pool_lead,
    access_rule,
    editable_pools,
    editable_rules,
    visible_pool_leads,
    visible_pools,
)
from loudou.assignment.services.configuration import (
    deactivate_pool,
    deactivate_rule,
    move_rule,
    save_intake_policy,
    save_pool,
    save_rule,
)
from loudou.assignment.services.handover import plan_handover, run_handover
from loudou.assignment.services.preview import preview_pool
from loudou.leads.selectors import access_lead
from loudou.org.choices import Role

PAGE_SIZE = 50


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def pools_page(request):
    """公海: the pools, the leads of the chosen one, my claims left today."""
    now = timezone.now()
    pools = [pool_row(pool, request.user, now) for pool in visible_pools(request.user)]
    current = next((p for p in pools if str(p["id"]) == request.GET.get("pool")), None)
    current = current or (pools[0] if pools else None)
    rows = []
    if current:
        leads = visible_pool_leads(request.user).filter(pool_entry__pool_id=current["id"])
        rows = [pool_lead_row(lead, request.user, now) for lead in leads[:PAGE_SIZE]]
    context = {
        "pools": pools,
        "current": current,
        "rows": rows,
        "may_configure": may_configure(request.user),
    }
    return render(request, "assignment/pools.html", context)


@require_POST
@login_required
def claim_view(request, pk: int):
    """Claim a pooled lead: the row becomes “claimed” (htmx) or back to the page."""
    lead = access_pool_lead(request.user, pk)
    try:
        services.claim_from_pool(lead_id=lead.pk, rep=request.user)
    except ValidationError as refused:
        error = " ".join(refused.messages)
        if _is_htmx(request):
            return render(
                request, "assignment/pools.html#claim-result", {"lead": lead, "error": error}
            )
        messages.error(request, error)
        return redirect("assignment:pools")
    if _is_htmx(request):
        return render(request, "assignment/pools.html#claim-result", {"lead": lead, "won": True})
    messages.success(request, _("已领取线索 {number}。").format(number=lead.number))
    return redirect(lead)


@require_POST
@login_required
def release_view(request, pk: int):
    """Give one's lead up into a pool (from the lead page's assignment panel)."""
    lead = access_lead(request.user, pk)
    pool = access_pool(request.user, int(request.POST.get("pool") or 0))
    try:
        services.release_to_pool(lead=lead, pool=pool, actor=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect(lead)
    messages.success(request, _("线索已放回公海“{pool}”。").format(pool=pool))
    return redirect("assignment:pools")


def _may_open_handover(user) -> bool:
    return user.sees_all or user.role == Role.MANAGER


def _plan(form, actor):
    data = form.cleaned_data
    try:
        return plan_handover(
            from_user=data["from_user"],
            successors=list(data["successors"]),
            rule=data["rule"],
            actor=actor,
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return None


@login_required
def handover_page(request):
    """人员变动: choose from whom and to whom → preview → run."""
    if not _may_open_handover(request.user):
        raise PermissionDenied
    form = HandoverForm(request.POST or None, actor=request.user)
    plan = _plan(form, request.user) if request.method == "POST" and form.is_valid() else None
    if plan and request.POST.get("action") == "run":
        handover = run_handover(plan=plan, actor=request.user)
        messages.success(request, _("交接完成，共移交 {n} 项。").format(n=len(handover.items)))
        return redirect("assignment:handover")
    names = {u.pk: str(u) for u in (plan.successors if plan else [])}
    context = {"form": form, "plan": plan, "names": names}
    return render(request, "assignment/handover.html", context)


@require_POST
@login_required
def assign_view(request, pk: int):
    """Run the assignment rules on an unowned lead, back to the lead page."""
    lead = access_lead(request.user, pk)
    assignment = services.assign_lead(lead=lead, actor=request.user)
    if assignment is None:
        messages.error(request, _("没有符合条件的负责人，或线索已有负责人。"))
    else:
        messages.success(request, _("已分配给 {user}。").format(user=assignment.user))
    return redirect(lead)


def _configurer(request) -> None:
    if not may_configure(request.user):
        raise PermissionDenied


@login_required
def rules_page(request):
    """分配规则: the rules in order, their moves, and marketing's intake mode."""
    _configurer(request)
    context = {
        "rules": editable_rules(request.user),
        "intake_form": IntakePolicyForm(
            initial={"marketing_mode": IntakePolicy.current().marketing_mode}
        ),
    }
    return render(request, "assignment/rules.html", context)


def _edit(request, form, save, back: str, title: str):
    """A settings form: the service validates and audits; its refusals go on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.values())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("“{name}”已保存。").format(name=saved))
            return redirect(back)
    context = {"form": form, "title": title, "back": back}
    return render(
        request, "assignment/settings_form.html", context, status=400 if form.errors else 200
    )


@login_required
def rule_edit(request, pk: int | None = None):
    _configurer(request)
    rule = access_rule(request.user, pk) if pk else None
    form = RuleForm(request.POST or None, instance=rule)
    title = _("编辑分配规则") if rule else _("新建分配规则")
    return _edit(
        request,
        form,
        lambda values: save_rule(actor=request.user, rule=rule, values=values),
        "assignment:rules",
        title,
    )


@require_POST
@login_required
def rule_deactivate(request, pk: int):
    _configurer(request)
    rule = deactivate_rule(actor=request.user, rule=access_rule(request.user, pk))
    messages.success(request, _("规则“{name}”已停用。").format(name=rule))
    return redirect("assignment:rules")


@require_POST
@login_required
def rule_move(request, pk: int):
    _configurer(request)
    rule = access_rule(request.user, pk)
    move_rule(actor=request.user, rule=rule, step=-1 if request.POST.get("to") == "up" else 1)
    return redirect("assignment:rules")


@require_POST
@login_required
def intake_policy_edit(request):
    _configurer(request)
    form = IntakePolicyForm(request.POST)
    if form.is_valid():
        save_intake_policy(actor=request.user, values=form.cleaned_data)
        messages.success(request, _("新线索分配方式已保存。"))
    else:
        messages.error(request, _("请选择有效的分配方式。"))
    return redirect("assignment:rules")


@login_required
def pool_settings_page(request):
    """公海设置: every pool, active or not, with its caps and periods."""
    _configurer(request)
    return render(request, "assignment/pool_settings.html", {"pools": editable_pools(request.user)})


def _pool_preview(request, form, pool):
    """What saving the posted pool would recycle; a refusal goes on the form (None)."""
    try:
        return preview_pool(actor=request.user, pool=pool, values=form.values())
    except ValidationError as error:
        form.add_error(None, error)
        return None


def _unconfirmed(request, preview) -> bool:
    """Whether the settings would take leads from reps without that very preview (its
    token names the leads) having been confirmed on the page."""
    return preview is not None and preview.total and request.POST.get("confirm") != preview.token


@login_required
def pool_edit(request, pk: int | None = None):
    """Create or edit a pool; when the settings would take leads from reps, first show
    how many and from whom, and save only once that preview is confirmed."""
    _configurer(request)
    pool = access_editable_pool(request.user, pk) if pk else None
    form = PoolForm(request.POST or None, instance=pool)
    title = _("编辑公海") if pool else _("新建公海")
    back = "assignment:pool_settings"
    if request.method == "POST" and form.is_valid():
        preview = _pool_preview(request, form, pool)
        if _unconfirmed(request, preview):
            changed = bool(request.POST.get("confirm"))
            context = {"form": form, "title": title, "back": back, "preview": preview}
            return render(
                request, "assignment/settings_form.html", context | {"preview_changed": changed}
            )
    return _edit(
        request,
        form,
        lambda values: save_pool(actor=request.user, pool=pool, values=values),
        back,
        title,
    )


@require_POST
@login_required
def pool_deactivate(request, pk: int):
    _configurer(request)
    pool = access_editable_pool(request.user, pk)
    try:
        deactivate_pool(actor=request.user, pool=pool)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, _("公海“{name}”已停用。").format(name=pool))
    return redirect("assignment:pool_settings")
