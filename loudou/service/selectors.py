"""Protected reads of customer service (ADR 0004): `visible_<x>(user)` and
`access_<x>(user, pk)`, the latter raising Http404 for missing and hidden alike.

- Customers: those of `customers.visible_customers` (rep own, manager team,
  director/admin all); marketing sees no service data at all.
- Due actions, evaluations: with their customer.
- Tickets: those of visible customers, and those assigned to the user (support staff
  handle tickets of customers they do not own); a manager also those assigned to the
  members of the teams they manage.
- Plans and the settings: everyone but marketing reads them.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from loudou.customers.models import Customer
from loudou.customers.selectors import visible_customers
from loudou.org.choices import Role
from loudou.org.models import User
from loudou.service.models import DueAction, Evaluation, MaintenancePlan, PlanAction, Ticket
from loudou.service.services.rules import uses_service


def _found(queryset: QuerySet, pk: int):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def service_customers(user: User) -> QuerySet[Customer]:
    if not uses_service(user):
        return Customer.objects.none()
    return visible_customers(user).select_related("service_tier", "owner__team")


def access_service_customer(user: User, pk: int) -> Customer:
    return _found(service_customers(user), pk)


def visible_due_actions(user: User) -> QuerySet[DueAction]:
    if not uses_service(user):
        return DueAction.objects.none()
    customers = visible_customers(user).values("pk")
    return DueAction.objects.filter(customer__in=customers).select_related(
        "customer", "action", "action__plan", "owner", "done_by"
    )


def access_due_action(user: User, pk: int) -> DueAction:
    return _found(visible_due_actions(user), pk)


def visible_evaluations(user: User) -> QuerySet[Evaluation]:
    if not uses_service(user):
        return Evaluation.objects.none()
    customers = visible_customers(user).values("pk")
    return Evaluation.objects.filter(customer__in=customers).select_related(
        "customer", "evaluated_by"
    )


def visible_tickets(user: User) -> QuerySet[Ticket]:
    tickets = Ticket.objects.select_related(
        "customer", "customer__owner__team", "contact", "assignee__team", "created_by"
    )
    if not uses_service(user):
        return tickets.none()
    if user.sees_all:
        return tickets
    q = Q(customer__in=visible_customers(user).values("pk")) | Q(assignee=user)
    if user.role == Role.MANAGER:
        q |= Q(assignee__team__manager=user)
    return tickets.filter(q)


def access_ticket(user: User, pk: int) -> Ticket:
    return _found(visible_tickets(user), pk)


def visible_plans(user: User) -> QuerySet[MaintenancePlan]:
    if not uses_service(user):
        return MaintenancePlan.objects.none()
    return MaintenancePlan.objects.prefetch_related("actions")


def access_plan(user: User, pk: int) -> MaintenancePlan:
    return _found(visible_plans(user), pk)


def access_plan_action(user: User, pk: int) -> PlanAction:
    if not uses_service(user):
        raise Http404
    return _found(PlanAction.objects.select_related("plan"), pk)


def assignees() -> QuerySet[User]:
    """Who may handle a ticket: every active user but marketing."""
    return User.objects.filter(is_active=True).exclude(role=Role.MARKETING).order_by("username")
