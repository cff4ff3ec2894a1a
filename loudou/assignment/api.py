"""Assignment endpoints: the same selectors and services as the pages."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from loudou.assignment import services
from loudou.assignment.listing import pool_lead_row, pool_row
from loudou.assignment.schemas import (
    AssignmentOut,
    ClaimOut,
    ErrorsOut,
    HandoverIn,
    HandoverOut,
    HandoverPlanOut,
    PoolLeadOut,
    PoolOut,
    ReleaseIn,
    ReleaseOut,
)
from loudou.assignment.selectors import (
    access_pool,
    access_pool_lead,
    lead_assignments,
    visible_pool_leads,
    visible_pools,
)
from loudou.assignment.services.handover import HandoverPlan, plan_handover, run_handover
from loudou.leads.selectors import access_lead
from loudou.org.selectors import assignable_users, visible_users

router = Router(tags=["assignment"])


@router.get("/pools", response=list[PoolOut])
def pools(request):
    now = timezone.now()
    return [pool_row(pool, request.user, now) for pool in visible_pools(request.user)]


@router.get("/pools/{int:pool_id}/leads", response=list[PoolLeadOut])
def pool_leads(request, pool_id: int, limit: int = 100, offset: int = 0):
    pool = access_pool(request.user, pool_id)
    leads = visible_pool_leads(request.user).filter(pool_entry__pool=pool)
    now = timezone.now()
    return [pool_lead_row(lead, request.user, now) for lead in leads[offset : offset + limit]]


@router.post("/leads/{int:lead_id}/claim", response={200: ClaimOut, 422: ErrorsOut})
def claim(request, lead_id: int):
    lead = access_pool_lead(request.user, lead_id)
    return services.claim_from_pool(lead_id=lead.pk, rep=request.user)


@router.post("/leads/{int:lead_id}/release", response={200: ReleaseOut, 422: ErrorsOut})
def release(request, lead_id: int, payload: ReleaseIn):
    lead = access_lead(request.user, lead_id)
    pool = access_pool(request.user, payload.pool_id)
    services.release_to_pool(lead=lead, pool=pool, actor=request.user)
    return {"id": lead.pk, "pool_id": pool.pk, "owner_id": None}


@router.get("/leads/{int:lead_id}/assignments", response=list[AssignmentOut])
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


@router.post("/leads/{int:lead_id}/assign", response={200: AssignmentOut, 409: ErrorsOut})
def assign(request, lead_id: int):
    """Run the assignment rules on an unowned lead (manager, director, admin, marketing)."""
    lead = access_lead(request.user, lead_id)
    assignment = services.assign_lead(lead=lead, actor=request.user)
    if assignment is None:
        return Status(409, {"errors": {"__all__": [_("没有符合条件的负责人，或线索已有负责人。")]}})
    return assignment
