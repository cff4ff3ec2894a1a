"""/api/commerce/: products, quotes, contracts (transitions, payment plan, payments,
attachments) and orders, through the pages' selectors and services: 404 for what one may
not see, 403 for what one sees but may not do (marketing: every list), 422
{"errors": …} for refused values."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from loudou.commerce import services
from loudou.commerce.choices import ContractStatus, OrderStatus, QuoteStatus
from loudou.commerce.exports import (
    contract_headers,
    contract_rows,
    order_headers,
    order_rows,
    quote_headers,
    quote_pdf,
    quote_rows,
)
from loudou.commerce.schemas import (
    AttachmentOut,
    ContractIn,
    ContractOut,
    ContractPatch,
    DecisionIn,
    InstalmentIn,
    InstalmentOut,
    OrderIn,
    OrderOut,
    OrderPatch,
    OverdueOut,
    PaymentIn,
    PaymentOut,
    ProductIn,
    ProductOut,
    ProductPatch,
    PurchaseHistoryOut,
    QuoteIn,
    QuoteOut,
    QuotePatch,
    ReasonIn,
    TransitionIn,
)
from loudou.commerce.selectors import (
    access_attachment,
    access_contract,
    access_order,
    access_product,
    access_quote,
    listed_contracts,
    listed_orders,
    listed_products,
    listed_quotes,
    milestone_states,
    overdue_milestones,
    purchase_history,
    visible_products,
    visible_quotes,
    with_paid,
)
from loudou.commerce.services.attachments import attachment_path, record_download
from loudou.core.schemas import ErrorsOut, LimitOffset
from loudou.customers.selectors import access_customer, visible_customers
from loudou.leads.selectors import visible_leads
from loudou.org.models import ProductLine, User

router = Router(tags=["commerce"])


class StatusQuery(Schema):
    status: str = ""
    q: str = ""


def _seller(user: User) -> None:
    if not services.may_sell(user):
        raise PermissionDenied(_("您不能查看合同、报价单和订单。"))


def _status(value: str, allowed) -> str:
    if value and value not in allowed:
        raise ValidationError({"status": [_("不存在的状态。")]})
    return value


# ids in bodies → records -----------------------------------------------------------------


def _ref(queryset, pk, field: str, message: str):
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [message]})
    return found


def _values(user: User, data: dict) -> dict:
    """A body's values for a service: ids become records (unknown or invisible: 422)."""
    refs = {
        "customer_id": ("customer", visible_customers(user), _("找不到该客户。")),
        "lead_id": ("lead", visible_leads(user), _("找不到该线索。")),
        "quote_id": ("quote", visible_quotes(user), _("找不到该报价单。")),
        "owner_id": ("owner", User.objects.filter(is_active=True), _("不存在的用户。")),
        "product_line_id": ("product_line", ProductLine.objects.all(), _("不存在的产品线。")),
    }
    values = {}
    for name, value in data.items():
        if name in refs:
            field, queryset, message = refs[name]
            values[field] = _ref(queryset, value, name, message)
        else:
            values[name] = value
    return values


def _lines(user: User, lines: list[dict] | None) -> list[dict] | None:
    if lines is None:
        return None
    products = visible_products(user).filter(is_active=True)
    made = []
    for i, line in enumerate(lines):
        product = _ref(products, line["product_id"], f"lines.{i}.product_id", _("不存在的产品。"))
        made.append({**line, "product": product})
    return made


def _download(lines, what: str, kind: str, header: list[str], title: str):
    from loudou.imports.api import _download as download

    return download(lines, what, kind, header=header, title=title)


# products --------------------------------------------------------------------------------


@router.get("/products", response=list[ProductOut])
@paginate(LimitOffset)
def list_products(request, q: str = Query("", max_length=100)):
    return listed_products(request.user, q=q)


@router.post("/products", response={201: ProductOut, 422: ErrorsOut})
def create_product(request, payload: ProductIn):
    values = _values(request.user, payload.dict())
    return Status(201, services.create_product(actor=request.user, values=values))


@router.get("/products/{id:product_id}", response=ProductOut)
def get_product(request, product_id: int):
    return access_product(request.user, product_id)


@router.patch("/products/{id:product_id}", response={200: ProductOut, 422: ErrorsOut})
def update_product(request, product_id: int, payload: ProductPatch):
    product = access_product(request.user, product_id)
    values = _values(request.user, payload.dict(exclude_unset=True))
    return services.update_product(product=product, actor=request.user, values=values)


# quotes ----------------------------------------------------------------------------------


@router.get("/quotes", response=list[QuoteOut])
@paginate(LimitOffset)
def list_quotes(request, filters: Query[StatusQuery]):
    _seller(request.user)
    status = _status(filters.status, QuoteStatus.values)
    return listed_quotes(request.user, status=status, q=filters.q).prefetch_related("lines")


@router.get("/quotes/export")
def export_quotes(request, filters: Query[StatusQuery], format: str = "csv"):
    _seller(request.user)
    quotes = listed_quotes(
        request.user, status=_status(filters.status, QuoteStatus.values), q=filters.q
    )
    return _download(quote_rows(quotes), "quotes", format, quote_headers(), _("报价单"))


@router.post("/quotes", response={201: QuoteOut, 422: ErrorsOut})
def create_quote(request, payload: QuoteIn):
    data = payload.dict()
    lines = _lines(request.user, data.pop("lines"))
    values = _values(request.user, data)
    return Status(201, services.create_quote(actor=request.user, values=values, lines=lines))


@router.get("/quotes/{id:quote_id}", response=QuoteOut)
def get_quote(request, quote_id: int):
    return access_quote(request.user, quote_id)


@router.patch("/quotes/{id:quote_id}", response={200: QuoteOut, 422: ErrorsOut})
def update_quote(request, quote_id: int, payload: QuotePatch):
    quote = access_quote(request.user, quote_id)
    data = payload.dict(exclude_unset=True)
    lines = _lines(request.user, data.pop("lines", None))
    values = _values(request.user, data)
    return services.update_quote(quote=quote, actor=request.user, values=values, lines=lines)


@router.post("/quotes/{id:quote_id}/submit", response={200: QuoteOut, 422: ErrorsOut})
def submit_quote(request, quote_id: int):
    quote = access_quote(request.user, quote_id)
    return services.submit_quote(quote=quote, actor=request.user)


@router.post("/quotes/{id:quote_id}/decision", response={200: QuoteOut, 422: ErrorsOut})
def decide_quote(request, quote_id: int, payload: DecisionIn):
    quote = access_quote(request.user, quote_id)
    return services.decide_quote(
        quote=quote, actor=request.user, approve=payload.approve, reason=payload.reason
    )


@router.get("/quotes/{id:quote_id}/pdf")
def get_quote_pdf(request, quote_id: int) -> HttpResponse:
    quote = access_quote(request.user, quote_id)
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="quote-{quote.number}.pdf"'
    return response


# contracts -------------------------------------------------------------------------------


@router.get("/contracts", response=list[ContractOut])
@paginate(LimitOffset)
def list_contracts(request, filters: Query[StatusQuery]):
    _seller(request.user)
    status = _status(filters.status, ContractStatus.values)
    return listed_contracts(request.user, status=status, q=filters.q)


@router.get("/contracts/export")
def export_contracts(request, filters: Query[StatusQuery], format: str = "csv"):
    _seller(request.user)
    status = _status(filters.status, ContractStatus.values)
    contracts = with_paid(listed_contracts(request.user, status=status, q=filters.q))
    return _download(contract_rows(contracts), "contracts", format, contract_headers(), _("合同"))


@router.get("/contracts/overdue-instalments", response=list[OverdueOut])
def list_overdue(request):
    """The overdue instalments of the payment plans of the contracts the caller sees."""
    _seller(request.user)
    return [
        OverdueOut(
            contract_id=s.milestone.contract_id,
            instalment_id=s.milestone.pk,
            name=s.milestone.name,
            due_on=s.milestone.due_on,
            amount=s.milestone.amount,
            outstanding=s.outstanding,
        )
        for s in overdue_milestones(request.user, timezone.localdate())[:500]
    ]


@router.post("/contracts", response={201: ContractOut, 422: ErrorsOut})
def create_contract(request, payload: ContractIn):
    values = _values(request.user, payload.dict())
    return Status(201, services.create_contract(actor=request.user, values=values))


@router.get("/contracts/{id:contract_id}", response=ContractOut)
def get_contract(request, contract_id: int):
    return access_contract(request.user, contract_id)


@router.patch("/contracts/{id:contract_id}", response={200: ContractOut, 422: ErrorsOut})
def update_contract(request, contract_id: int, payload: ContractPatch):
    contract = access_contract(request.user, contract_id)
    values = _values(request.user, payload.dict(exclude_unset=True))
    return services.update_contract(contract=contract, actor=request.user, values=values)


@router.post("/contracts/{id:contract_id}/transition", response={200: ContractOut, 422: ErrorsOut})
def transition_contract(request, contract_id: int, payload: TransitionIn):
    contract = access_contract(request.user, contract_id)
    return services.move_contract(contract=contract, actor=request.user, **payload.dict())


def _instalments(contract) -> list[InstalmentOut]:
    return [
        InstalmentOut(
            id=s.milestone.pk,
            name=s.milestone.name,
            due_on=s.milestone.due_on,
            amount=s.milestone.amount,
            covered=s.covered,
            overdue=s.overdue,
        )
        for s in milestone_states(contract, timezone.localdate())
    ]


@router.get("/contracts/{id:contract_id}/instalments", response=list[InstalmentOut])
def list_instalments(request, contract_id: int):
    return _instalments(access_contract(request.user, contract_id))


@router.post(
    "/contracts/{id:contract_id}/instalments",
    response={201: list[InstalmentOut], 422: ErrorsOut},
)
def add_instalment(request, contract_id: int, payload: InstalmentIn):
    contract = access_contract(request.user, contract_id)
    services.add_milestone(contract=contract, actor=request.user, values=payload.dict())
    return Status(201, _instalments(contract))


@router.delete(
    "/contracts/{id:contract_id}/instalments/{id:instalment_id}",
    response={204: None, 422: ErrorsOut},
)
def remove_instalment(request, contract_id: int, instalment_id: int):
    contract = access_contract(request.user, contract_id)
    milestone = contract.milestones.filter(pk=instalment_id).first()
    if milestone is None:
        raise Http404
    services.remove_milestone(milestone=milestone, actor=request.user)
    return Status(204, None)


@router.get("/contracts/{id:contract_id}/payments", response=list[PaymentOut])
def list_payments(request, contract_id: int):
    return list(access_contract(request.user, contract_id).payments.all())


@router.post("/contracts/{id:contract_id}/payments", response={201: PaymentOut, 422: ErrorsOut})
def record_payment(request, contract_id: int, payload: PaymentIn):
    contract = access_contract(request.user, contract_id)
    payment = services.record_payment(contract=contract, actor=request.user, values=payload.dict())
    return Status(201, payment)


@router.get("/contracts/{id:contract_id}/attachments", response=list[AttachmentOut])
def list_attachments(request, contract_id: int):
    return list(access_contract(request.user, contract_id).attachments.all())


@router.post(
    "/contracts/{id:contract_id}/attachments", response={201: AttachmentOut, 422: ErrorsOut}
)
def upload_attachment(request, contract_id: int, file: File[UploadedFile]):
    """PDF, PNG, JPEG, DOCX or XLSX (checked by content), at most 10 MB by default."""
    contract = access_contract(request.user, contract_id)
    attachment = services.add_attachment(
        contract=contract, actor=request.user, name=file.name or "", stream=file
    )
    return Status(201, attachment)


@router.get("/contracts/{id:contract_id}/attachments/{id:attachment_id}")
def download_attachment(request, contract_id: int, attachment_id: int):
    attachment = access_attachment(request.user, contract_id, attachment_id)
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


@router.delete(
    "/contracts/{id:contract_id}/attachments/{id:attachment_id}",
    response={204: None, 422: ErrorsOut},
)
def remove_attachment(request, contract_id: int, attachment_id: int):
    attachment = access_attachment(request.user, contract_id, attachment_id)
    services.remove_attachment(attachment=attachment, actor=request.user)
    return Status(204, None)


# orders ----------------------------------------------------------------------------------


class OrderQuery(StatusQuery):
    year: int | None = Query(None, ge=2000, le=2099)


@router.get("/orders", response=list[OrderOut])
@paginate(LimitOffset)
def list_orders(request, filters: Query[OrderQuery]):
    _seller(request.user)
    status = _status(filters.status, OrderStatus.values)
    return listed_orders(request.user, status=status, q=filters.q, year=filters.year)


@router.get("/orders/export")
def export_orders(request, filters: Query[OrderQuery], format: str = "csv"):
    _seller(request.user)
    status = _status(filters.status, OrderStatus.values)
    orders = listed_orders(request.user, status=status, q=filters.q, year=filters.year)
    return _download(order_rows(orders), "orders", format, order_headers(), _("订单"))


@router.post("/orders", response={201: OrderOut, 422: ErrorsOut})
def create_order(request, payload: OrderIn):
    values = _values(request.user, payload.dict())
    return Status(201, services.create_order(actor=request.user, values=values))


@router.get("/orders/{id:order_id}", response=OrderOut)
def get_order(request, order_id: int):
    return access_order(request.user, order_id)


@router.patch("/orders/{id:order_id}", response={200: OrderOut, 422: ErrorsOut})
def update_order(request, order_id: int, payload: OrderPatch):
    order = access_order(request.user, order_id)
    values = _values(request.user, payload.dict(exclude_unset=True))
    return services.update_order(order=order, actor=request.user, values=values)


@router.post("/orders/{id:order_id}/cancel", response={200: OrderOut, 422: ErrorsOut})
def cancel_order(request, order_id: int, payload: ReasonIn):
    order = access_order(request.user, order_id)
    return services.cancel_order(order=order, actor=request.user, reason=payload.reason)


@router.get("/customers/{id:customer_id}/purchases", response=PurchaseHistoryOut)
def customer_purchases(request, customer_id: int):
    """A customer's orders (as the caller sees them) and the totals per calendar year."""
    _seller(request.user)
    customer = access_customer(request.user, customer_id)
    history = purchase_history(request.user, customer.pk)
    return {
        "customer_id": customer.pk,
        "repeat_buyer": history.repeat_buyer,
        "years": [{"year": y, "amount": a, "orders": n} for y, a, n in history.by_year],
        "orders": history.orders,
    }
