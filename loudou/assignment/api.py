"""Assignment endpoints: the same selectors and services as the pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from loudou.assignment import services
from loudou.assignment.listing import pool_lead_row, pool_row
from loudou.assignment.models import IntakePolicy
from loudou.assignment.permissions import may_configure
from loudou.assignment.schemas import (
    AssignmentOut,
    ClaimOut,
    HandoverIn,
    HandoverOut,
    HandoverPlanOut,
    IntakePolicyIO,
    PoolLeadOut,
    PoolOut,
    PoolSettingsIn,
    PoolSettingsOut,
    RecyclePreviewOut,
    ReleaseIn,
    ReleaseOut,
    ReorderIn,
    RuleIn,
    RuleOut,
)
from loudou.assignment.selectors import (
    access_editable_pool,
    access_pool,
    access_pool_lead,
    access_rule,
    editable_pools,
    editable_rules,
    lead_assignments,
    visible_pool_leads,
    visible_pools,
)
from loudou.assignment.services.configuration import (
    deactivate_pool,
    deactivate_rule,
    reorder_rules,
    save_intake_policy,
    save_pool,
    save_rule,
)
from loudou.assignment.services.handover import HandoverPlan, plan_handover, run_handover
from loudou.assignment.services.preview import RecyclePreview, preview_pool
from loudou.core.schemas import ErrorsOut, page_limit, page_offset
from loudou.leads.models import SourceChannel
from loudou.leads.selectors import access_lead
from loudou.org.models import ProductLine, Region
from loudou.org.selectors import assignable_users, visible_users

router = Router(tags=["assignment"])


@router.get("/pools", response=list[PoolOut])
def pools(request):
    now = timezone.now()
    return [pool_row(pool, request.user, now) for pool in visible_pools(request.user)]


@router.get("/pools/{id:pool_id}/leads", response=list[PoolLeadOut])
def pool_leads(
    request, pool_id: int, limit: int = page_limit(100, 500), offset: int = page_offset()
):
    pool = access_pool(request.user, pool_id)
    leads = visible_pool_leads(request.user).filter(pool_entry__pool=pool)
    now = timezone.now()
    return [pool_lead_row(lead, request.user, now) for lead in leads[offset : offset + limit]]


@router.post("/leads/{id:lead_id}/claim", response={200: ClaimOut, 422: ErrorsOut})
def claim(request, lead_id: int):
    lead = access_pool_lead(request.user, lead_id)
    return services.claim_from_pool(lead_id=lead.pk, rep=request.user)


@router.post("/leads/{id:lead_id}/release", response={200: ReleaseOut, 422: ErrorsOut})
def release(request, lead_id: int, payload: ReleaseIn):
    lead = access_lead(request.user, lead_id)
    pool = access_pool(request.user, payload.pool_id)
    services.release_to_pool(lead=lead, pool=pool, actor=request.user)
    return {"id": lead.pk, "pool_id": pool.pk, "owner_id": None}


@router.get("/leads/{id:lead_id}/assignments", response=list[AssignmentOut])
def assignments(request, lead_id: int):
    return lead_assignments(access_lead(request.user, lead_id))


def _plan(request, payload: HandoverIn) -> HandoverPlan:
    from_user = visible_users(request.user).filter(pk=payload.from_user_id).first()
    if from_user is None:
        raise Http404
    successors = list(assignable_users(request.user).filter(pk__in=payload.successor_ids))
    if len(successors) != len(set(payload.successor_ids)):
        raise ValidationError({"successor_ids": [_("接手人不存在或您不能分配给他。")]})
    order = {pk: i for i, pk in enumerate(payload.successor_ids)}
    successors.sort(key=lambda u: order[u.pk])
    return plan_handover(
        from_user=from_user, successors=successors, rule=payload.rule, actor=request.user
    )


@router.post("/handovers/preview", response={200: HandoverPlanOut, 422: ErrorsOut})
def preview_handover(request, payload: HandoverIn):
    plan = _plan(request, payload)
    return {"from_user_id": plan.from_user.pk, "rule": plan.rule, "items": plan.items}


@router.post("/handovers", response={201: HandoverOut, 422: ErrorsOut})
def create_handover(request, payload: HandoverIn):
    return Status(201, run_handover(plan=_plan(request, payload), actor=request.user))


@router.post("/leads/{id:lead_id}/assign", response={200: AssignmentOut, 409: ErrorsOut})
def assign(request, lead_id: int):
    """Run the assignment rules on an unowned lead (manager, director, admin, marketing)."""
    lead = access_lead(request.user, lead_id)
    assignment = services.assign_lead(lead=lead, actor=request.user)
    if assignment is None:
        return Status(409, {"errors": {"__all__": [_("没有符合条件的负责人，或线索已有负责人。")]}})
    return assignment


def _ensure_configurer(request) -> None:
    if not may_configure(request.user):
        raise PermissionDenied


@router.get("/rules", response=list[RuleOut])
def list_rules(request):
    """Every assignment rule in order, active or not (directors, administrators)."""
    _ensure_configurer(request)
    return editable_rules(request.user)


@router.post("/rules", response={201: RuleOut, 422: ErrorsOut})
def create_rule(request, payload: RuleIn):
    return Status(201, save_rule(actor=request.user, rule=None, values=payload.dict()))


@router.put("/rules/{id:rule_id}", response={200: RuleOut, 422: ErrorsOut})
def update_rule(request, rule_id: int, payload: RuleIn):
    _ensure_configurer(request)
    rule = access_rule(request.user, rule_id)
    return save_rule(actor=request.user, rule=rule, values=payload.dict())


@router.post("/rules/{id:rule_id}/deactivate", response=RuleOut)
def deactivate_rule_endpoint(request, rule_id: int):
    _ensure_configurer(request)
    return deactivate_rule(actor=request.user, rule=access_rule(request.user, rule_id))


@router.post("/rules/reorder", response={200: list[RuleOut], 422: ErrorsOut})
def reorder(request, payload: ReorderIn):
    return reorder_rules(actor=request.user, ids=payload.ids)


def _pool_values(payload: PoolSettingsIn) -> dict:
    values = payload.dict()
    for name, model in (
        ("region", Region),
        ("product_line", ProductLine),
        ("source", SourceChannel),
    ):
        pk = values.pop(f"{name}_id")
        values[name] = model.objects.filter(pk=pk).first() if pk is not None else None
        if pk is not None and values[name] is None:
            raise ValidationError({f"{name}_id": [_("不存在：{pk}").format(pk=pk)]})
    return values


@router.get("/pools/settings", response=list[PoolSettingsOut])
def list_pool_settings(request):
    """Every pool, active or not, with its settings (directors, administrators)."""
    _ensure_configurer(request)
    return editable_pools(request.user)


@router.post("/pools", response={201: PoolSettingsOut, 422: ErrorsOut})
def create_pool(request, payload: PoolSettingsIn):
    _ensure_configurer(request)
    return Status(201, save_pool(actor=request.user, pool=None, values=_pool_values(payload)))


def _preview_out(preview: RecyclePreview) -> dict:
    return {
        "pool": preview.pool.name,
        "leads": preview.total,
        "reps": preview.reps,
        "by_owner": [
            {"user_id": user.pk, "name": str(user), "leads": n} for user, n in preview.by_owner
        ],
        "by_reason": preview.by_reason,
        "token": preview.token,
    }


@router.post("/pools/preview", response={200: RecyclePreviewOut, 422: ErrorsOut})
def preview_new_pool(request, payload: PoolSettingsIn):
    """How many leads, from which reps, creating this pool would recycle (writes nothing)."""
    _ensure_configurer(request)
    values = _pool_values(payload)
    return _preview_out(preview_pool(actor=request.user, pool=None, values=values))


@router.post("/pools/{id:pool_id}/preview", response={200: RecyclePreviewOut, 422: ErrorsOut})
def preview_pool_edit(request, pool_id: int, payload: PoolSettingsIn):
    """The same for new settings of an existing pool (writes nothing)."""
    _ensure_configurer(request)
    pool = access_editable_pool(request.user, pool_id)
    values = _pool_values(payload)
    return _preview_out(preview_pool(actor=request.user, pool=pool, values=values))


@router.put("/pools/{id:pool_id}", response={200: PoolSettingsOut, 422: ErrorsOut})
def update_pool(request, pool_id: int, payload: PoolSettingsIn):
    _ensure_configurer(request)
    pool = access_editable_pool(request.user, pool_id)
    return save_pool(actor=request.user, pool=pool, values=_pool_values(payload))


@router.post("/pools/{id:pool_id}/deactivate", response={200: PoolSettingsOut, 422: ErrorsOut})
def deactivate_pool_endpoint(request, pool_id: int):
    _ensure_configurer(request)
    return deactivate_pool(actor=request.user, pool=access_editable_pool(request.user, pool_id))


@router.get("/intake", response=IntakePolicyIO)
def intake_policy(request):
    """What happens to the leads marketing registers (directors, administrators)."""
    _ensure_configurer(request)
    return IntakePolicy.current()


@router.put("/intake", response={200: IntakePolicyIO, 422: ErrorsOut})
def set_intake_policy(request, payload: IntakePolicyIO):
    return save_intake_policy(actor=request.user, values=payload.dict())
