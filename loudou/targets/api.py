"""/api/targets/: targets (CRUD, adjust, children, roll-up, actual, split, export),
strategy plans with milestones, and improvement actions; the pages' selectors and
services, so the same rules: hidden is 404, visible but not yours to change is 403."""

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from loudou.core.schemas import ErrorsOut, Id, page_limit, page_offset
from loudou.org.models import ProductLine, Region, Team, User
from loudou.targets import services
from loudou.targets.choices import ActionStatus, Metric, Period, ScopeKind
from loudou.targets.filters import TargetFilterForm
from loudou.targets.models import StrategyPlan, Target
from loudou.targets.schemas import (
    ActionIn,
    ActionOut,
    ActionPageOut,
    ActionPatch,
    ActualOut,
    AdjustIn,
    AdjustmentOut,
    MilestoneIn,
    MilestoneOut,
    MilestonePatch,
    PlanIn,
    PlanOut,
    PlanPatch,
    Split,
    SplitChildOut,
    SplitIn,
    TargetIn,
    TargetOut,
    TargetPageOut,
    TargetPatch,
)
from loudou.targets.selectors import (
    access_action,
    access_milestone,
    access_plan,
    access_target,
    can_manage_plan,
    can_manage_target,
    visible_actions,
    visible_plans,
    visible_targets,
    with_action_permissions,
)
from loudou.targets.services.listing import TargetRow, ordered, target_rows

router = Router(tags=["targets"])


class TargetFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2099, description="empty: every year")
    period: Period | None = None
    metric: Metric | None = None
    scope_kind: ScopeKind | None = None


def _found(model: type[Model], pk: int | None, field: str, queryset=None):
    """The row `pk` of `model` (None for None); ValidationError on `field` if missing."""
    if pk is None:
        return None
    found = (queryset if queryset is not None else model.objects).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [_("不存在的记录。")]})
    return found


def _target_values(request, data: dict) -> dict:
    lookups = {
        "region_id": ("region", Region, None),
        "product_line_id": ("product_line", ProductLine, None),
        "team_id": ("team", Team, None),
        "person_id": ("person", User, None),
        "parent_id": ("parent", Target, visible_targets(request.user)),
    }
    for key, (name, model, queryset) in lookups.items():
        if key in data:
            data[name] = _found(model, data.pop(key), key, queryset)
    return data


def _out(request, row: TargetRow) -> dict:
    t = row.target
    return {
        **{name: getattr(t, name) for name in TargetOut.model_fields if hasattr(t, name)},
        "metric_label": str(t.get_metric_display()),
        "actual": row.actual,
        "completion_pct": row.completion_pct,
        "rollup_status": row.rollup_status,
        "rollup": [{**g.__dict__, "label": g.label, "balanced": g.balanced} for g in row.groups],
        "can_manage": can_manage_target(request.user, t),
    }


def _one(request, target: Target) -> dict:
    return _out(request, target_rows([target])[0])


def _filtered(request, filters: TargetFilters):
    form = TargetFilterForm(filters.dict(exclude_none=True))
    return ordered(form.filter(visible_targets(request.user)))


@router.get("", response={200: TargetPageOut, 422: ErrorsOut})
def list_targets(
    request,
    filters: Query[TargetFilters],
    limit: int = page_limit(100, 500),
    offset: int = page_offset(),
):
    """Visible targets (filtered like the list page), each with its actual, completion
    and roll-up."""
    targets = _filtered(request, filters)
    rows = target_rows(list(targets[offset : offset + limit]))
    return {"items": [_out(request, row) for row in rows], "count": targets.count()}


@router.get("/export")
def export_targets(request, filters: Query[TargetFilters], format: str = "csv"):
    """The filtered list as .csv or .xlsx (target, actual, completion, roll-up)."""
    from loudou.imports.api import _download  # the lead list's streaming .csv/.xlsx
    from loudou.targets import exports

    lines = exports.rows(target_rows(list(_filtered(request, filters))))
    sheet = {"header": exports.header(), "title": _("销售目标")}
    return _download(lines, "targets", format, **sheet)


@router.post("", response={201: TargetOut, 422: ErrorsOut})
def create_target(request, payload: TargetIn):
    values = _target_values(request, payload.dict())
    target = services.create_target(actor=request.user, values=values)
    return Status(201, _one(request, target))


@router.get("/{id:target_id}", response=TargetOut)
def get_target(request, target_id: int):
    return _one(request, access_target(request.user, target_id))


@router.patch("/{id:target_id}", response={200: TargetOut, 422: ErrorsOut})
def update_target(request, target_id: int, payload: TargetPatch):
    target = access_target(request.user, target_id)
    values = _target_values(request, payload.dict(exclude_unset=True))
    services.update_target(target=target, actor=request.user, values=values)
    return _one(request, target)


@router.delete("/{id:target_id}", response={204: None, 422: ErrorsOut})
def delete_target(request, target_id: int):
    target = access_target(request.user, target_id)
    services.delete_target(target=target, actor=request.user)
    return Status(204, None)


@router.post("/{id:target_id}/adjust", response={201: AdjustmentOut, 422: ErrorsOut})
def adjust_target(request, target_id: int, payload: AdjustIn):
    """Change the value; the reason is required and kept with who, when, before, after."""
    target = access_target(request.user, target_id)
    adjustment = services.adjust_target(
        target=target, actor=request.user, value=payload.value, reason=payload.reason
    )
    return Status(201, adjustment)


@router.get("/{id:target_id}/adjustments", response=list[AdjustmentOut])
def list_adjustments(request, target_id: int):
    return access_target(request.user, target_id).adjustments.select_related("actor")


@router.get("/{id:target_id}/children", response=list[TargetOut])
def list_children(request, target_id: int):
    """The children the caller sees (the roll-up on the target sums all of them)."""
    target = access_target(request.user, target_id)
    children = ordered(visible_targets(request.user).filter(parent=target))
    return [_out(request, row) for row in target_rows(list(children))]


@router.get("/{id:target_id}/actual", response=ActualOut)
def get_actual(request, target_id: int):
    target = access_target(request.user, target_id)
    row = target_rows([target])[0]
    return {
        "target_id": target.pk,
        "metric": target.metric,
        "value": target.value,
        "actual": row.actual,
        "completion_pct": row.completion_pct,
    }


@router.get("/{id:target_id}/split", response={200: list[SplitChildOut], 422: ErrorsOut})
def preview_split(request, target_id: int, by: Split):
    """The children a quick split would create, with the even split."""
    target = access_target(request.user, target_id)
    children = services.split_plan(target=target, by=by)
    return [
        {f: getattr(c, f) for f in SplitChildOut.model_fields} | {"scope_name": c.scope_name}
        for c in children
    ]


@router.post("/{id:target_id}/split", response={201: list[TargetOut], 422: ErrorsOut})
def split_target(request, target_id: int, payload: SplitIn):
    target = access_target(request.user, target_id)
    created = services.split_target(
        target=target, actor=request.user, by=payload.by, values=payload.values
    )
    return Status(201, [_out(request, row) for row in target_rows(created)])


# strategy plans ---------------------------------------------------------------------------


def _plan_values(request, data: dict) -> dict:
    if "target_id" in data:
        data["target"] = _found(
            Target, data.pop("target_id"), "target_id", visible_targets(request.user)
        )
    if "team_id" in data:
        data["team"] = _found(Team, data.pop("team_id"), "team_id")
    return data


def _plan(request, plan: StrategyPlan) -> dict:
    fields = [f for f in PlanOut.model_fields if f not in {"milestones", "can_manage"}]
    return {
        **{f: getattr(plan, f) for f in fields},
        "milestones": list(plan.milestones.select_related("owner")),
        "can_manage": can_manage_plan(request.user, plan),
    }


@router.get("/plans", response=list[PlanOut])
def list_plans(request, limit: int = page_limit(100, 500), offset: int = page_offset()):
    plans = visible_plans(request.user)[offset : offset + limit]
    return [_plan(request, plan) for plan in plans]


@router.post("/plans", response={201: PlanOut, 422: ErrorsOut})
def create_plan(request, payload: PlanIn):
    values = _plan_values(request, payload.dict())
    plan = services.create_plan(actor=request.user, values=values)
    return Status(201, _plan(request, plan))


@router.get("/plans/{id:plan_id}", response=PlanOut)
def get_plan(request, plan_id: int):
    return _plan(request, access_plan(request.user, plan_id))


@router.patch("/plans/{id:plan_id}", response={200: PlanOut, 422: ErrorsOut})
def update_plan(request, plan_id: int, payload: PlanPatch):
    plan = access_plan(request.user, plan_id)
    values = _plan_values(request, payload.dict(exclude_unset=True))
    services.update_plan(plan=plan, actor=request.user, values=values)
    return _plan(request, plan)


@router.delete("/plans/{id:plan_id}", response={204: None})
def delete_plan(request, plan_id: int):
    services.delete_plan(plan=access_plan(request.user, plan_id), actor=request.user)
    return Status(204, None)


def _milestone_values(data: dict) -> dict:
    if "owner_id" in data:
        data["owner"] = _found(User, data.pop("owner_id"), "owner_id")
    return data


@router.post("/plans/{id:plan_id}/milestones", response={201: MilestoneOut, 422: ErrorsOut})
def add_milestone(request, plan_id: int, payload: MilestoneIn):
    plan = access_plan(request.user, plan_id)
    values = _milestone_values(payload.dict())
    return Status(201, services.add_milestone(plan=plan, actor=request.user, values=values))


@router.patch("/milestones/{id:milestone_id}", response={200: MilestoneOut, 422: ErrorsOut})
def update_milestone(request, milestone_id: int, payload: MilestonePatch):
    milestone = access_milestone(request.user, milestone_id)
    values = _milestone_values(payload.dict(exclude_unset=True))
    services.update_milestone(milestone=milestone, actor=request.user, values=values)
    return milestone


@router.post("/milestones/{id:milestone_id}/done", response=MilestoneOut)
def complete_milestone(request, milestone_id: int):
    milestone = access_milestone(request.user, milestone_id)
    return services.complete_milestone(milestone=milestone, actor=request.user)


@router.post("/milestones/{id:milestone_id}/reopen", response=MilestoneOut)
def reopen_milestone(request, milestone_id: int):
    milestone = access_milestone(request.user, milestone_id)
    return services.reopen_milestone(milestone=milestone, actor=request.user)


@router.delete("/milestones/{id:milestone_id}", response={204: None})
def delete_milestone(request, milestone_id: int):
    milestone = access_milestone(request.user, milestone_id)
    services.delete_milestone(milestone=milestone, actor=request.user)
    return Status(204, None)


# improvement actions --------------------------------------------------------------------


class ActionFilters(Schema):
    status: ActionStatus | None = None
    team_id: Id | None = None
    owner_id: Id | None = None


def _action_values(request, data: dict) -> dict:
    if "target_id" in data:
        data["target"] = _found(
            Target, data.pop("target_id"), "target_id", visible_targets(request.user)
        )
    if "team_id" in data:
        data["team"] = _found(Team, data.pop("team_id"), "team_id")
    if "owner_id" in data:
        data["owner"] = _found(User, data.pop("owner_id"), "owner_id")
    return data


def _action(request, action) -> object:
    return with_action_permissions(request.user, [action])[0]


@router.get("/actions", response={200: ActionPageOut, 422: ErrorsOut})
def list_actions(
    request,
    filters: Query[ActionFilters],
    limit: int = page_limit(100, 500),
    offset: int = page_offset(),
):
    """Visible improvement actions, by deadline."""
    actions = visible_actions(request.user)
    if filters.status:
        actions = actions.filter(status=filters.status)
    if filters.team_id:
        actions = actions.filter(team_id=filters.team_id)
    if filters.owner_id:
        actions = actions.filter(owner_id=filters.owner_id)
    items = with_action_permissions(request.user, actions[offset : offset + limit])
    return {"items": items, "count": actions.count()}


@router.post("/actions", response={201: ActionOut, 422: ErrorsOut})
def create_action(request, payload: ActionIn):
    """A variance reason and its improvement action, with owner and deadline; the period
    is the target's when `target_id` is given, else `period` + `period_start`."""
    data = payload.dict(exclude_unset=True)
    if data.get("target_id") is None:
        missing = [name for name in ("period", "period_start") if data.get(name) is None]
        if missing:
            raise ValidationError({name: [_("未关联目标时须填写周期。")] for name in missing})
    action = services.create_action(actor=request.user, values=_action_values(request, data))
    return Status(201, _action(request, action))


@router.get("/actions/{id:action_id}", response=ActionOut)
def get_action(request, action_id: int):
    return _action(request, access_action(request.user, action_id))


@router.patch("/actions/{id:action_id}", response={200: ActionOut, 422: ErrorsOut})
def update_action(request, action_id: int, payload: ActionPatch):
    action = access_action(request.user, action_id)
    values = _action_values(request, payload.dict(exclude_unset=True))
    services.update_action(action=action, actor=request.user, values=values)
    return _action(request, action)


@router.delete("/actions/{id:action_id}", response={204: None})
def delete_action(request, action_id: int):
    services.delete_action(action=access_action(request.user, action_id), actor=request.user)
    return Status(204, None)


@router.post("/actions/{id:action_id}/done", response=ActionOut)
def complete_action(request, action_id: int):
    """Mark done: the action's managers or its owner (idempotent)."""
    action = access_action(request.user, action_id)
    return _action(request, services.complete_action(action=action, actor=request.user))


@router.post("/actions/{id:action_id}/reopen", response=ActionOut)
def reopen_action(request, action_id: int):
    """Open again: the action's managers only (idempotent)."""
    action = access_action(request.user, action_id)
    return _action(request, services.reopen_action(action=action, actor=request.user))
