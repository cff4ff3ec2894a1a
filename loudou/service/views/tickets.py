"""Ticket pages: list with SLA state and filters, exports, open, detail with its actions
(reply, assign, resolve, close, reopen, satisfaction)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loudou.service import services
from loudou.service.exports import ticket_headers, ticket_rows
from loudou.service.filters import TicketFilterForm, filter_tickets
from loudou.service.forms import (
    AssignForm,
    RateForm,
    ReopenForm,
    ReplyForm,
    ResolveForm,
    TicketForm,
)
from loudou.service.selectors import (
    access_service_customer,
    access_ticket,
    service_customers,
    visible_tickets,
)
from loudou.service.services.sla import breaches, sla_view
from loudou.service.views.common import (
    add_errors,
    export_kind,
    labelled_history,
    require_service,
)

TICKET_PAGE = "service/ticket.html"


def listed_tickets(request):
    form = TicketFilterForm(request.GET or None)
    now = timezone.now()
    params = form.params()
    tickets = filter_tickets(visible_tickets(request.user), request.user, now=now, **params)
    return form, tickets.order_by("-opened_at", "-pk"), now


@login_required
def ticket_list(request):
    require_service(request.user)
    form, tickets, now = listed_tickets(request)
    page = Paginator(tickets, 50).get_page(request.GET.get("page"))
    for ticket in page:
        ticket.sla = sla_view(ticket, now)
    context = {"form": form, "page": page, "query": request.GET.urlencode()}
    return render(request, "service/tickets.html", context)


@login_required
def ticket_export(request):
    from loudou.imports.api import _download

    require_service(request.user)
    kind, refused = export_kind(request)
    if refused:
        return refused
    _form, tickets, now = listed_tickets(request)
    rows = ticket_rows(tickets, now)
    return _download(rows, "tickets", kind, header=ticket_headers(), title=_("服务工单"))


@login_required
def ticket_create(request):
    require_service(request.user)
    # the after-sales customers (with a tier), and the one the page was opened for
    chosen = request.GET.get("customer", "")
    initial, picked = {}, Q(service_tier__isnull=False)
    if chosen.isdigit() and len(chosen) <= 18:
        initial["customer"] = access_service_customer(request.user, int(chosen))
        picked |= Q(pk=initial["customer"].pk)
    customers = service_customers(request.user).filter(picked)
    form = TicketForm(request.POST or None, customers=customers, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.open_ticket(
                actor=request.user, customer=form.cleaned_data["customer"], values=form.values()
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(ticket)
    return render(request, "service/form.html", {"form": form, "title": _("新建服务工单")})


def _detail_context(request, ticket, **forms) -> dict:
    return {
        "ticket": ticket,
        "sla": sla_view(ticket, timezone.now()),
        "late": breaches(ticket, timezone.now()),
        "may_work": services.may_work_ticket(request.user, ticket),
        "notes": ticket.notes.select_related("author"),
        "events": labelled_history(ticket),
        "reply_form": forms.get("respond") or ReplyForm(),
        "resolve_form": forms.get("resolve") or ResolveForm(),
        "reopen_form": forms.get("reopen") or ReopenForm(),
        "assign_form": forms.get("assign") or AssignForm(initial={"assignee": ticket.assignee}),
        "rate_form": forms.get("rate") or RateForm(),
    }


@login_required
def ticket_detail(request, pk):
    require_service(request.user)
    ticket = access_ticket(request.user, pk)
    return render(request, TICKET_PAGE, _detail_context(request, ticket))


#: action → (form, service call)
ACTIONS = {
    "respond": (
        ReplyForm,
        lambda t, u, d: services.respond_ticket(ticket=t, actor=u, body=d["body"]),
    ),
    "resolve": (
        ResolveForm,
        lambda t, u, d: services.resolve_ticket(ticket=t, actor=u, body=d["body"]),
    ),
    "close": (None, lambda t, u, d: services.close_ticket(ticket=t, actor=u)),
    "reopen": (
        ReopenForm,
        lambda t, u, d: services.reopen_ticket(ticket=t, actor=u, reason=d["body"]),
    ),
    "assign": (
        AssignForm,
        lambda t, u, d: services.assign_ticket(ticket=t, actor=u, assignee=d["assignee"]),
    ),
    "rate": (
        RateForm,
        lambda t, u, d: services.rate_ticket(
            ticket=t, actor=u, satisfaction=d["satisfaction"], comment=d["comment"]
        ),
    ),
}


@require_POST
@login_required
def ticket_action(request, pk, action):
    require_service(request.user)
    ticket = access_ticket(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    if not services.may_work_ticket(request.user, ticket):
        raise PermissionDenied
    form_class, call = ACTIONS[action]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        context = _detail_context(request, ticket, **{action: form})
        return render(request, TICKET_PAGE, context, status=422)
    try:
        call(ticket, request.user, form.cleaned_data if form else {})
    except ValidationError as error:
        if form is None:
            messages.error(request, " ".join(error.messages))
            return redirect(ticket)
        add_errors(form, error)
        context = _detail_context(request, ticket, **{action: form})
        return render(request, TICKET_PAGE, context, status=422)
    return redirect(ticket)
