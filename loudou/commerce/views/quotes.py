"""Quote pages: list with exports, create/edit with lines, submit, approve or reject, PDF."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loudou.commerce import services
from loudou.commerce.choices import QuoteStatus
from loudou.commerce.exports import quote_headers, quote_pdf, quote_rows
from loudou.commerce.forms import DecisionForm, QuoteForm, QuoteLineFormSet
from loudou.commerce.selectors import access_quote, listed_quotes
from loudou.commerce.services.quotes import approval_threshold
from loudou.commerce.views.common import (
    add_errors,
    bad_format,
    download,
    labelled_history,
    paged,
    seller_required,
)


def _listed(request):
    status = request.GET.get("status", "")
    status = status if status in QuoteStatus.values else ""
    return listed_quotes(request.user, status=status, q=request.GET.get("q", ""))


@seller_required
def quote_list(request):
    context = {
        "page": paged(request, _listed(request)),
        "statuses": QuoteStatus.choices,
        "status": request.GET.get("status", ""),
        "q": request.GET.get("q", ""),
        "may_create": services.may_sell(request.user),
        "query": request.GET.urlencode(),
    }
    return render(request, "commerce/quotes.html", context)


@seller_required
def quote_export(request):
    kind = request.GET.get("format", "csv")
    refused = bad_format(kind)
    if refused:
        return refused
    quotes = _listed(request)
    return download(quote_rows(quotes), "quotes", kind, quote_headers(), _("报价单"))


def _initial(request) -> dict:
    return {name: request.GET[name] for name in ("lead", "customer") if request.GET.get(name)}


def _line_initial(quote) -> list[dict]:
    return [
        {
            "product": line.product_id,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount_pct": line.discount_pct,
        }
        for line in quote.lines.all()
    ]


@seller_required
def quote_form(request, pk: int | None = None):
    if not services.may_sell(request.user):
        raise PermissionDenied
    quote = access_quote(request.user, pk) if pk else None
    if quote is not None and not quote.is_editable():
        return redirect(quote)
    initial = _initial(request) if quote is None else {
        "title": quote.title, "customer": quote.customer_id, "lead": quote.lead_id,
        "owner": quote.owner_id, "valid_until": quote.valid_until, "notes": quote.notes,
    }  # fmt: skip
    data = request.POST or None
    form = QuoteForm(data, user=request.user, initial=initial)
    lines = QuoteLineFormSet(
        data,
        initial=_line_initial(quote) if quote else None,
        form_kwargs={"user": request.user},
        prefix="lines",
    )
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            if quote is None:
                quote = services.create_quote(
                    actor=request.user, values=form.values(), lines=lines.lines()
                )
            else:
                services.update_quote(
                    quote=quote, actor=request.user, values=form.values(), lines=lines.lines()
                )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(quote)
    title = _("新建报价单") if quote is None else _("修改报价单")
    context = {"form": form, "lines": lines, "title": title, "quote": quote}
    return render(request, "commerce/quote_form.html", context)


def _detail(request, quote, **extra) -> dict:
    return {
        "quote": quote,
        "lines": quote.lines.select_related("product"),
        "threshold": approval_threshold(),
        "may_decide": quote.status == QuoteStatus.PENDING
        and services.may_approve_quote(request.user, quote),
        "decision_form": extra.pop("decision_form", None) or DecisionForm(),
        "events": labelled_history(quote),
        **extra,
    }


@seller_required
def quote_detail(request, pk: int):
    quote = access_quote(request.user, pk)
    return render(request, "commerce/quote.html", _detail(request, quote))


@require_POST
@seller_required
def quote_submit(request, pk: int):
    quote = access_quote(request.user, pk)
    try:
        services.submit_quote(quote=quote, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(quote)


@require_POST
@seller_required
def quote_decide(request, pk: int):
    quote = access_quote(request.user, pk)
    if not services.may_approve_quote(request.user, quote):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_quote(
                quote=quote,
                actor=request.user,
                approve=form.cleaned_data["approve"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(quote)
    return render(request, "commerce/quote.html", _detail(request, quote, decision_form=form))


@seller_required
def quote_pdf_view(request, pk: int):
    quote = access_quote(request.user, pk)
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="quote-{quote.number}.pdf"'
    return response
