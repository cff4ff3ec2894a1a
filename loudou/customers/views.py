"""Customer and contact pages: parse → access → service → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loudou.compliance.consent import consent_state, record_consent
from loudou.compliance.forms import ConsentForm
from loudou.compliance.reveal import reveal_contact_details
from loudou.core.paging import capped_count, open_page
from loudou.customers import services
from loudou.customers.forms import ContactForm, CustomerForm
from loudou.customers.selectors import (
    access_contact,
    access_customer,
    clean_search,
    listed_customers,
)
from loudou.leads.selectors import table_leads


@login_required
def customer_list(request):
    q = clean_search(request.GET.get("q", ""))
    customers = listed_customers(request.user, q)
    page = open_page(customers, request.GET.get("page"), 50)
    context = {"page": page, "q": q, "total": capped_count(customers)}
    return render(request, "customers/list.html", context)


def _export(request, what: str):
    """The list's customers (or their contacts), with its search, as .csv or .xlsx."""
    from loudou.imports.api import records_export_response

    try:
        return records_export_response(
            request.user, what, request.GET.get("format", "csv"), request.GET.get("q", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("customers:list")


@login_required
def customer_export(request):
    return _export(request, "customers")


@login_required
def contact_export(request):
    return _export(request, "contacts")


@login_required
def customer_detail(request, pk: int):
    customer = access_customer(request.user, pk)
    context = {
        "customer": customer,
        "contacts": customer.contacts.all(),
        "leads": table_leads(request.user).filter(customer=customer),
    }
    return render(request, "customers/detail.html", context)


def _run(form, write):
    """Call `write()` for a valid form; return its result or None with errors on the form."""
    try:
        return write()
    except (ValidationError, PermissionDenied) as error:
        form.add_error(None, error if isinstance(error, ValidationError) else str(error))
        return None


@login_required
def customer_form(request, pk: int | None = None):
    customer = access_customer(request.user, pk) if pk else None
    form = CustomerForm(request.POST or None, actor=request.user, instance=customer)
    if request.method == "POST" and form.is_valid():
        if customer is None:
            saved = _run(
                form, lambda: services.create_customer(actor=request.user, values=form.values())
            )
        else:
            saved = _run(
                form,
                lambda: services.update_customer(
                    actor=request.user, customer=customer, values=form.values()
                ),
            )
        if saved:
            return redirect(saved)
    return render(request, "customers/form.html", {"form": form, "customer": customer})


@login_required
def contact_form(request, customer_pk: int, pk: int | None = None):
    customer = access_customer(request.user, customer_pk)
    contact = access_contact(request.user, pk) if pk else None
    form = ContactForm(request.POST or None, actor=request.user, instance=contact)
    if request.method == "POST" and form.is_valid():
        values = {**form.values(), "customer": customer}
        if contact is None:
            saved = _run(form, lambda: services.create_contact(actor=request.user, values=values))
        else:
            saved = _run(
                form,
                lambda: services.update_contact(actor=request.user, contact=contact, values=values),
            )
        if saved:
            return redirect(customer)
    context = {"form": form, "customer": customer, "contact": contact}
    if contact is not None:
        context |= {"consents": consent_state(contact), "consent_form": ConsentForm()}
    return render(request, "customers/contact_form.html", context)


@require_POST
@login_required
def contact_reveal(request, customer_pk: int, pk: int):
    """A contact's full phone, e-mail and WeChat for a director or administrator (logged)."""
    contact = access_contact(request.user, pk)
    details = reveal_contact_details(record=contact, viewer=request.user, via="button")
    return render(request, "compliance/revealed.html", {"details": details})


@require_POST
@login_required
def contact_consent(request, customer_pk: int, pk: int):
    """Record a contact's consent to a purpose (or its withdrawal), and how it was given."""
    contact = access_contact(request.user, pk)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    elif _run(
        form, lambda: record_consent(contact=contact, actor=request.user, **form.cleaned_data)
    ):
        messages.success(request, _("已记录同意情况。"))
    else:
        messages.error(request, " ".join(form.non_field_errors()))
    return redirect("customers:contact_edit", contact.customer_id, contact.pk)
