"""Contract pages: list with exports and overdue instalments, create/edit, status moves,
payment plan and payments (htmx fragment), attachments (upload, checked download)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loudou.commerce import services
from loudou.commerce.choices import ContractStatus
from loudou.commerce.exports import contract_headers, contract_rows
from loudou.commerce.forms import (
    AttachmentForm,
    ContractForm,
    ContractNotesForm,
    MilestoneForm,
    MoveForm,
    PaymentForm,
)
from loudou.commerce.selectors import (
    access_attachment,
    access_contract,
    listed_contracts,
    milestone_states,
    overdue_milestones,
    with_paid,
)
from loudou.commerce.services.attachments import attachment_path, record_download
from loudou.commerce.services.contracts import OPEN
from loudou.commerce.views.common import (
    add_errors,
    bad_format,
    download,
    labelled_history,
    paged,
    seller_required,
)

CONTRACT_PAGE = "commerce/contract.html"


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _listed(request):
    status = request.GET.get("status", "")
    status = status if status in ContractStatus.values else ""
    return with_paid(listed_contracts(request.user, status=status, q=request.GET.get("q", "")))


@seller_required
def contract_list(request):
    today = timezone.localdate()
    context = {
        "page": paged(request, _listed(request)),
        "statuses": ContractStatus.choices,
        "status": request.GET.get("status", ""),
        "q": request.GET.get("q", ""),
        "overdue": overdue_milestones(request.user, today)[:50],
        "may_create": services.may_sell(request.user),
        "query": request.GET.urlencode(),
    }
    return render(request, "commerce/contracts.html", context)


@seller_required
def contract_export(request):
    kind = request.GET.get("format", "csv")
    refused = bad_format(kind)
    if refused:
        return refused
    rows = contract_rows(_listed(request))
    return download(rows, "contracts", kind, contract_headers(), _("合同"))


@seller_required
def contract_form(request, pk: int | None = None):
    if not services.may_sell(request.user):
        raise PermissionDenied
    contract = access_contract(request.user, pk) if pk else None
    if contract is not None and contract.status not in OPEN:
        return _notes_form(request, contract)
    initial = (
        {n: request.GET[n] for n in ("lead", "customer", "quote") if request.GET.get(n)}
        if contract is None
        else {
            "title": contract.title, "customer": contract.customer_id, "lead": contract.lead_id,
            "quote": contract.quote_id, "owner": contract.owner_id, "amount": contract.amount,
            "signed_on": contract.signed_on, "notes": contract.notes,
        }
    )  # fmt: skip
    form = ContractForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if contract is None:
                contract = services.create_contract(actor=request.user, values=form.values())
            else:
                services.update_contract(
                    contract=contract, actor=request.user, values=form.values()
                )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(contract)
    title = _("新建合同") if contract is None else _("修改合同")
    return render(request, "commerce/form.html", {"form": form, "title": title, "back": contract})


def _notes_form(request, contract):
    form = ContractNotesForm(request.POST or None, initial={"notes": contract.notes})
    if request.method == "POST" and form.is_valid():
        services.update_contract(
            contract=contract, actor=request.user, values={"notes": form.cleaned_data["notes"]}
        )
        return redirect(contract)
    context = {"form": form, "title": _("修改合同备注"), "back": contract}
    return render(request, "commerce/form.html", context)


def _detail(request, contract, **extra) -> dict:
    today = timezone.localdate()
    return {
        "contract": contract,
        "today": today,
        "paid": services.paid_total(contract),
        "milestones": milestone_states(contract, today),
        "payments": contract.payments.select_related("recorded_by"),
        "attachments": contract.attachments.select_related("uploaded_by"),
        "order": getattr(contract, "order", None) if contract.status != "draft" else None,
        "move_form": extra.pop("move_form", None) or MoveForm(contract=contract),
        "milestone_form": extra.pop("milestone_form", None) or MilestoneForm(),
        "payment_form": extra.pop("payment_form", None) or PaymentForm(),
        "attachment_form": extra.pop("attachment_form", None) or AttachmentForm(),
        "editable": contract.status in OPEN,
        "events": labelled_history(contract),
        **extra,
    }


@seller_required
def contract_detail(request, pk: int):
    contract = access_contract(request.user, pk)
    return render(request, CONTRACT_PAGE, _detail(request, contract))


@require_POST
@seller_required
def contract_move(request, pk: int):
    contract = access_contract(request.user, pk)
    form = MoveForm(request.POST, contract=contract)
    if form.is_valid():
        try:
            services.move_contract(contract=contract, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(contract)
    return render(request, CONTRACT_PAGE, _detail(request, contract, move_form=form))


def _money(request, contract, **forms):
    """The payment-plan-and-payments fragment for htmx, else the whole page."""
    contract.refresh_from_db()
    template = f"{CONTRACT_PAGE}#money" if is_htmx(request) else CONTRACT_PAGE
    return render(request, template, _detail(request, contract, **forms))


@require_POST
@seller_required
def milestone_add(request, pk: int):
    contract = access_contract(request.user, pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.add_milestone(contract=contract, actor=request.user, values=form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            form = MilestoneForm()
    return _money(request, contract, milestone_form=form)


@require_POST
@seller_required
def milestone_remove(request, pk: int, milestone_pk: int):
    contract = access_contract(request.user, pk)
    milestone = contract.milestones.filter(pk=milestone_pk).first()
    if milestone is None:
        raise Http404
    services.remove_milestone(milestone=milestone, actor=request.user)
    return _money(request, contract)


@require_POST
@seller_required
def payment_add(request, pk: int):
    contract = access_contract(request.user, pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.record_payment(contract=contract, actor=request.user, values=form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            form = PaymentForm()
    return _money(request, contract, payment_form=form)


@require_POST
@seller_required
def attachment_add(request, pk: int):
    contract = access_contract(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_attachment(
                contract=contract, actor=request.user, name=upload.name, stream=upload
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("附件已上传。"))
            return redirect(contract)
    return render(request, CONTRACT_PAGE, _detail(request, contract, attachment_form=form))


@seller_required
def attachment_download(request, pk: int, attachment_pk: int):
    attachment = access_attachment(request.user, pk, attachment_pk)
    path = attachment_path(attachment)
    if not path.is_file():
        raise Http404
    record_download(attachment=attachment, actor=request.user)
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=attachment.name,
        content_type=attachment.content_type,
    )  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@seller_required
def attachment_remove(request, pk: int, attachment_pk: int):
    attachment = access_attachment(request.user, pk, attachment_pk)
    services.remove_attachment(attachment=attachment, actor=request.user)
    return redirect("commerce:contract", pk=pk)
