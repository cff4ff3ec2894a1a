"""/api/service/: tickets, customer tiers, maintenance actions and evaluations, the tier
thresholds, SLA table and plans, through the pages' selectors and services (the same
permissions: 404 for what one may not see, 403 for what one sees but may not do, 422
{"errors": …} for refused values)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from loudou.core.schemas import ErrorsOut, LimitOffset
from loudou.customers.models import Contact
from loudou.service import services
from loudou.service.exports import log_headers, log_rows, ticket_headers, ticket_rows
from loudou.service.filters import filter_customers, filter_log, filter_tickets
from loudou.service.schemas import (
    ServiceAssignIn,
    ServiceCustomerFilterParams,
    ServiceCustomerOut,
    ServiceDoneIn,
    ServiceDueActionOut,
    ServiceEvaluationIn,
    ServiceEvaluationOut,
    ServiceLogFilterParams,
    ServiceOverrideIn,
    ServicePlanActionIn,
    ServicePlanActionOut,
    ServicePlanActionPatch,
    ServicePlanOut,
    ServicePlanPatch,
    ServiceRateIn,
    ServiceReopenIn,
    ServiceReplyIn,
    ServiceResolveIn,
    ServiceSkipIn,
    ServiceSlaIn,
    ServiceSlaOut,
    ServiceThresholdsIn,
    ServiceThresholdsOut,
    ServiceTicketFilterParams,
    ServiceTicketIn,
    ServiceTicketOut,
)
from loudou.service.selectors import (
    access_due_action,
    access_plan,
    access_plan_action,
    access_service_customer,
    access_ticket,
    assignees,
    service_customers,
    visible_due_actions,
    visible_evaluations,
    visible_plans,
    visible_tickets,
)
from loudou.service.services.settings import policies, thresholds

router = Router(tags=["service"])


def _require_service(request) -> None:
    if not services.uses_service(request.user):
        raise PermissionDenied(_("您不能使用客户服务。"))


def _assignee(pk: int | None, field: str = "assignee_id"):
    if pk is None:
        return None
    found = assignees().filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("不存在的用户。")})
    return found


def _params(filters) -> dict:
    return {name: value if value is not None else "" for name, value in filters.dict().items()}


# tickets -----------------------------------------------------------------------------


def _listed_tickets(request, filters):
    params = _params(filters)
    params["customer"] = params["customer"] or None
    tickets = filter_tickets(
        visible_tickets(request.user), request.user, now=timezone.now(), **params
    )
    return tickets.order_by("-opened_at", "-pk")


@router.get("/tickets", response=list[ServiceTicketOut])
@paginate(LimitOffset)
def list_tickets(request, filters: Query[ServiceTicketFilterParams]):
    _require_service(request)
    return _listed_tickets(request, filters)


@router.get("/tickets/export")
def export_tickets(request, filters: Query[ServiceTicketFilterParams], format: str = "csv"):
    from loudou.imports.api import _download

    _require_service(request)
    rows = ticket_rows(_listed_tickets(request, filters), timezone.now())
    return _download(rows, "tickets", format, header=ticket_headers(), title=_("服务工单"))


@router.post("/tickets", response={201: ServiceTicketOut, 422: ErrorsOut})
def open_ticket(request, payload: ServiceTicketIn):
    _require_service(request)
    customer = service_customers(request.user).filter(pk=payload.customer_id).first()
    if customer is None:
        raise ValidationError({"customer_id": _("不存在的客户。")})
    contact = None
    if payload.contact_id is not None:
        contact = Contact.objects.filter(pk=payload.contact_id, customer=customer).first()
        if contact is None:
            raise ValidationError({"contact_id": _("联系人不属于该客户。")})
    values = payload.dict(include={"subject", "description", "priority"})
    values |= {"contact": contact, "assignee": _assignee(payload.assignee_id)}
    ticket = services.open_ticket(actor=request.user, customer=customer, values=values)
    return Status(201, ticket)


@router.get("/tickets/{id:ticket_id}", response=ServiceTicketOut)
def get_ticket(request, ticket_id: int):
    return access_ticket(request.user, ticket_id)


@router.post("/tickets/{id:ticket_id}/respond", response={200: ServiceTicketOut, 422: ErrorsOut})
def respond_ticket(request, ticket_id: int, payload: ServiceReplyIn):
    ticket = access_ticket(request.user, ticket_id)
    return services.respond_ticket(ticket=ticket, actor=request.user, body=payload.body)


@router.post("/tickets/{id:ticket_id}/resolve", response={200: ServiceTicketOut, 422: ErrorsOut})
def resolve_ticket(request, ticket_id: int, payload: ServiceResolveIn):
    ticket = access_ticket(request.user, ticket_id)
    return services.resolve_ticket(ticket=ticket, actor=request.user, body=payload.body)


@router.post("/tickets/{id:ticket_id}/close", response={200: ServiceTicketOut, 422: ErrorsOut})
def close_ticket(request, ticket_id: int):
    ticket = access_ticket(request.user, ticket_id)
    return services.close_ticket(ticket=ticket, actor=request.user)


@router.post("/tickets/{id:ticket_id}/reopen", response={200: ServiceTicketOut, 422: ErrorsOut})
def reopen_ticket(request, ticket_id: int, payload: ServiceReopenIn):
    ticket = access_ticket(request.user, ticket_id)
    return services.reopen_ticket(ticket=ticket, actor=request.user, reason=payload.reason)


@router.post("/tickets/{id:ticket_id}/assign", response={200: ServiceTicketOut, 422: ErrorsOut})
def assign_ticket(request, ticket_id: int, payload: ServiceAssignIn):
    ticket = access_ticket(request.user, ticket_id)
    assignee = _assignee(payload.assignee_id)
    return services.assign_ticket(ticket=ticket, actor=request.user, assignee=assignee)


@router.post("/tickets/{id:ticket_id}/rate", response={200: ServiceTicketOut, 422: ErrorsOut})
def rate_ticket(request, ticket_id: int, payload: ServiceRateIn):
    ticket = access_ticket(request.user, ticket_id)
    return services.rate_ticket(
        ticket=ticket,
        actor=request.user,
        satisfaction=payload.satisfaction,
        comment=payload.comment,
    )


# customers ---------------------------------------------------------------------------


@router.get("/customers", response=list[ServiceCustomerOut])
@paginate(LimitOffset)
def list_customers(request, filters: Query[ServiceCustomerFilterParams]):
    _require_service(request)
    customers = filter_customers(service_customers(request.user), **_params(filters))
    return customers.order_by("name", "pk")


@router.get("/customers/{id:customer_id}", response=ServiceCustomerOut)
def get_customer(request, customer_id: int):
    return access_service_customer(request.user, customer_id)


@router.post("/customers/{id:customer_id}/tier", response={200: ServiceCustomerOut, 422: ErrorsOut})
def override_tier(request, customer_id: int, payload: ServiceOverrideIn):
    customer = access_service_customer(request.user, customer_id)
    services.override_tier(
        customer=customer, actor=request.user, tier=payload.tier, reason=payload.reason
    )
    return access_service_customer(request.user, customer_id)


@router.get("/customers/{id:customer_id}/evaluations", response=list[ServiceEvaluationOut])
def list_evaluations(request, customer_id: int):
    customer = access_service_customer(request.user, customer_id)
    return list(visible_evaluations(request.user).filter(customer=customer))


@router.post(
    "/customers/{id:customer_id}/evaluations",
    response={200: ServiceEvaluationOut, 422: ErrorsOut},
)
def evaluate_customer(request, customer_id: int, payload: ServiceEvaluationIn):
    customer = access_service_customer(request.user, customer_id)
    return services.evaluate_customer(customer=customer, actor=request.user, **payload.dict())


# due actions and the log -------------------------------------------------------------


def _listed_log(request, filters):
    params = _params(filters)
    params["customer"] = params["customer"] or None
    params["overdue"] = bool(params["overdue"])
    actions = visible_due_actions(request.user)
    return filter_log(actions, today=timezone.localdate(), **params).order_by("-due_on", "pk")


@router.get("/due-actions", response=list[ServiceDueActionOut])
@paginate(LimitOffset)
def list_due_actions(request, filters: Query[ServiceLogFilterParams]):
    _require_service(request)
    return _listed_log(request, filters)


@router.get("/due-actions/export")
def export_log(request, filters: Query[ServiceLogFilterParams], format: str = "csv"):
    from loudou.imports.api import _download

    _require_service(request)
    rows = log_rows(_listed_log(request, filters))
    return _download(rows, "maintenance-log", format, header=log_headers(), title=_("维护执行记录"))


@router.post(
    "/due-actions/{id:due_action_id}/done", response={200: ServiceDueActionOut, 422: ErrorsOut}
)
def complete_due_action(request, due_action_id: int, payload: ServiceDoneIn):
    due = access_due_action(request.user, due_action_id)
    return services.complete_due_action(due=due, actor=request.user, **payload.dict())


@router.post(
    "/due-actions/{id:due_action_id}/skip", response={200: ServiceDueActionOut, 422: ErrorsOut}
)
def skip_due_action(request, due_action_id: int, payload: ServiceSkipIn):
    due = access_due_action(request.user, due_action_id)
    return services.skip_due_action(due=due, actor=request.user, notes=payload.notes)


# settings and plans ------------------------------------------------------------------


@router.get("/tiers", response=ServiceThresholdsOut)
def get_thresholds(request):
    _require_service(request)
    return thresholds()


@router.put("/tiers", response={200: ServiceThresholdsOut, 422: ErrorsOut})
def put_thresholds(request, payload: ServiceThresholdsIn):
    return services.update_thresholds(actor=request.user, vip=payload.vip, key=payload.key)


@router.get("/sla", response=list[ServiceSlaOut])
def get_sla(request):
    _require_service(request)
    return list(policies().values())


@router.put("/sla", response={200: list[ServiceSlaOut], 422: ErrorsOut})
def put_sla(request, payload: ServiceSlaIn):
    rows = {row.tier: row.dict(exclude={"tier"}) for row in payload.rows}
    return list(services.update_sla(actor=request.user, rows=rows).values())


@router.get("/plans", response=list[ServicePlanOut])
def list_plans(request):
    _require_service(request)
    return list(visible_plans(request.user))


@router.get("/plans/{id:service_plan_id}", response=ServicePlanOut)
def get_plan(request, service_plan_id: int):
    return access_plan(request.user, service_plan_id)


@router.patch("/plans/{id:service_plan_id}", response={200: ServicePlanOut, 422: ErrorsOut})
def update_plan(request, service_plan_id: int, payload: ServicePlanPatch):
    plan = access_plan(request.user, service_plan_id)
    values = payload.dict(exclude_unset=True)
    return services.update_plan(plan=plan, actor=request.user, values=values)


@router.post(
    "/plans/{id:service_plan_id}/actions", response={201: ServicePlanActionOut, 422: ErrorsOut}
)
def add_plan_action(request, service_plan_id: int, payload: ServicePlanActionIn):
    plan = access_plan(request.user, service_plan_id)
    action = services.add_plan_action(plan=plan, actor=request.user, values=payload.dict())
    return Status(201, action)


@router.patch(
    "/plan-actions/{id:plan_action_id}", response={200: ServicePlanActionOut, 422: ErrorsOut}
)
def update_plan_action(request, plan_action_id: int, payload: ServicePlanActionPatch):
    action = access_plan_action(request.user, plan_action_id)
    values = payload.dict(exclude_unset=True)
    return services.update_plan_action(action=action, actor=request.user, values=values)
