"""Order pages: list with exports and the year's totals, direct entry, edit, cancel, and
a customer's purchase history (the fragment the customer page loads)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loudou.commerce import services
from loudou.commerce.choices import OrderSource, OrderStatus
from loudou.commerce.exports import order_headers, order_rows
from loudou.commerce.forms import OrderForm, ReasonForm
from loudou.commerce.selectors import (
    access_order,
    listed_orders,
    purchase_history,
    repurchase_rate,
)
from loudou.commerce.views.common import (
    add_errors,
    bad_format,
    download,
    labelled_history,
    paged,
    seller_required,
)
from loudou.customers.selectors import access_customer


def _year(request) -> int | None:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2099 else None


def _listed(request):
    status = request.GET.get("status", "")
    status = status if status in OrderStatus.values else ""
    return listed_orders(
        request.user, status=status, q=request.GET.get("q", ""), year=_year(request)
    )


@seller_required
def order_list(request):
    orders = _listed(request)
    context = {
        "page": paged(request, orders),
        "statuses": OrderStatus.choices,
        "status": request.GET.get("status", ""),
        "q": request.GET.get("q", ""),
        "year": _year(request) or "",
        "repurchase": repurchase_rate(orders=orders) if _year(request) is None else None,
        "may_create": services.may_sell(request.user),
        "query": request.GET.urlencode(),
    }
    return render(request, "commerce/orders.html", context)


@seller_required
def order_export(request):
    kind = request.GET.get("format", "csv")
    refused = bad_format(kind)
    if refused:
        return refused
    return download(order_rows(_listed(request)), "orders", kind, order_headers(), _("订单"))


@seller_required
def order_form(request, pk: int | None = None):
    if not services.may_sell(request.user):
        raise PermissionDenied
    order = access_order(request.user, pk) if pk else None
    if order is not None and (
        order.source != OrderSource.DIRECT or order.status == OrderStatus.CANCELLED
    ):
        return redirect(order)
    initial = (
        {n: request.GET[n] for n in ("lead", "customer") if request.GET.get(n)}
        | {"ordered_on": timezone.localdate()}
        if order is None
        else {
            "customer": order.customer_id, "lead": order.lead_id, "owner": order.owner_id,
            "ordered_on": order.ordered_on, "amount": order.amount,
            "description": order.description,
        }
    )  # fmt: skip
    form = OrderForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if order is None:
                order = services.create_order(actor=request.user, values=form.values())
            else:
                services.update_order(order=order, actor=request.user, values=form.values())
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(order)
    title = _("录入订单") if order is None else _("修改订单")
    return render(request, "commerce/form.html", {"form": form, "title": title, "back": order})


def _detail(request, order, **extra) -> dict:
    return {
        "order": order,
        "cancel_form": extra.pop("cancel_form", None) or ReasonForm(),
        "events": labelled_history(order),
        **extra,
    }


@seller_required
def order_detail(request, pk: int):
    order = access_order(request.user, pk)
    return render(request, "commerce/order.html", _detail(request, order))


@require_POST
@seller_required
def order_cancel(request, pk: int):
    order = access_order(request.user, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_order(
                order=order, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(order)
    return render(request, "commerce/order.html", _detail(request, order, cancel_form=form))


@seller_required
def customer_history(request, customer_pk: int):
    """The purchase-history section of the customer page (loaded there by htmx)."""
    if not services.may_sell(request.user):
        raise PermissionDenied
    customer = access_customer(request.user, customer_pk)
    context = {
        "customer": customer,
        "history": purchase_history(request.user, customer.pk),
        "may_create": services.may_sell(request.user),
    }
    return render(request, "commerce/_purchase_history.html", context)
