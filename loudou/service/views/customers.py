"""Customer service pages: the tiered customer list, a customer's service page (tier and
override, plan, due actions and their log, evaluations, tickets), the log export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loudou.service import services
from loudou.service.choices import DueStatus
from loudou.service.exports import log_headers, log_rows
from loudou.service.filters import CustomerFilterForm, LogFilterForm, filter_customers, filter_log
from loudou.service.forms import DoneForm, EvaluationForm, OverrideForm, SkipForm
from loudou.service.models import MaintenancePlan
from loudou.service.selectors import (
    access_due_action,
    access_service_customer,
    service_customers,
    visible_due_actions,
    visible_evaluations,
    visible_tickets,
)
from loudou.service.services.sla import sla_view
from loudou.service.services.tiers import current_tier
from loudou.service.views.common import add_errors, export_kind, flash, require_service

CUSTOMER_PAGE = "service/customer.html"


@login_required
def customer_list(request):
    require_service(request.user)
    form = CustomerFilterForm(request.GET or None)
    customers = filter_customers(service_customers(request.user), **form.params())
    page = Paginator(customers.order_by("name", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "service/customers.html", {"form": form, "page": page})


def _customer_context(request, customer, **forms) -> dict:
    user, now = request.user, timezone.now()
    tier = current_tier(customer)
    actions = visible_due_actions(user).filter(customer=customer).order_by("-due_on", "pk")
    tickets = list(visible_tickets(user).filter(customer=customer)[:50])
    for ticket in tickets:
        ticket.sla = sla_view(ticket, now)
    return {
        "customer": customer,
        "row": getattr(customer, "service_tier", None),
        "tier": tier,
        "plan": MaintenancePlan.objects.filter(tier=tier).prefetch_related("actions").first(),
        "open_actions": [a for a in actions if a.status == DueStatus.OPEN],
        "log": [a for a in actions if a.status != DueStatus.OPEN],
        "today": timezone.localdate(),
        "evaluations": visible_evaluations(user).filter(customer=customer),
        "tickets": tickets,
        "may_serve": services.may_serve_customer(user, customer),
        "may_override": services.may_override_tier(user, customer),
        "override_form": forms.get("override") or OverrideForm(),
        "done_form": DoneForm(),
        "skip_form": SkipForm(),
        "evaluation_form": forms.get("evaluate") or EvaluationForm(),
    }


@login_required
def customer_detail(request, pk):
    require_service(request.user)
    customer = access_service_customer(request.user, pk)
    return render(request, CUSTOMER_PAGE, _customer_context(request, customer))


@require_POST
@login_required
def customer_override(request, pk):
    require_service(request.user)
    customer = access_service_customer(request.user, pk)
    if not services.may_override_tier(request.user, customer):
        raise PermissionDenied
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.override_tier(customer=customer, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("service:customer", pk=customer.pk)
    context = _customer_context(request, customer, override=form)
    return render(request, CUSTOMER_PAGE, context, status=422)


@require_POST
@login_required
def customer_evaluate(request, pk):
    require_service(request.user)
    customer = access_service_customer(request.user, pk)
    if not services.may_serve_customer(request.user, customer):
        raise PermissionDenied
    form = EvaluationForm(request.POST)
    if form.is_valid():
        try:
            services.evaluate_customer(customer=customer, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("service:customer", pk=customer.pk)
    context = _customer_context(request, customer, evaluate=form)
    return render(request, CUSTOMER_PAGE, context, status=422)


@require_POST
@login_required
def action_done(request, pk):
    require_service(request.user)
    due = access_due_action(request.user, pk)
    if not services.may_serve_customer(request.user, due.customer):
        raise PermissionDenied
    form = DoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("service:customer", pk=due.customer_id)
    try:
        services.complete_due_action(due=due, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        flash(request, error)
    return redirect("service:customer", pk=due.customer_id)


@require_POST
@login_required
def action_skip(request, pk):
    require_service(request.user)
    due = access_due_action(request.user, pk)
    if not services.may_serve_customer(request.user, due.customer):
        raise PermissionDenied
    form = SkipForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"notes": [_("跳过须填写原因。")]})
        services.skip_due_action(due=due, actor=request.user, notes=form.cleaned_data["notes"])
    except ValidationError as error:
        flash(request, error)
    return redirect("service:customer", pk=due.customer_id)


def listed_log(request):
    form = LogFilterForm(request.GET or None)
    actions = visible_due_actions(request.user)
    return filter_log(actions, today=timezone.localdate(), **form.params()), form


@login_required
def log_list(request):
    require_service(request.user)
    actions, form = listed_log(request)
    page = Paginator(actions.order_by("-due_on", "pk"), 50).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": request.GET.urlencode()}
    context["today"] = timezone.localdate()
    return render(request, "service/log.html", context)


@login_required
def log_export(request):
    from loudou.imports.api import _download

    require_service(request.user)
    kind, refused = export_kind(request)
    if refused:
        return refused
    actions, _form = listed_log(request)
    rows = log_rows(actions.order_by("-due_on", "pk"))
    return _download(rows, "maintenance-log", kind, header=log_headers(), title=_("维护执行记录"))
