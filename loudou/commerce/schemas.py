"""Pydantic schemas of the commerce API (ADR 0011: `X | None` only where the model field
is nullable; omitted PATCH fields are unchanged; every number bounded)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from loudou.commerce.choices import (
    ContractStatus,
    OrderSource,
    OrderStatus,
    PaymentMethod,
    QuoteStatus,
)
from loudou.compliance.masking import shown
from loudou.core.schemas import Id

Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2, ge=0, le=Decimal("1e12"))]
Positive = Annotated[Decimal, Field(max_digits=14, decimal_places=2, gt=0, le=Decimal("1e12"))]
Percent = Annotated[Decimal, Field(max_digits=5, decimal_places=2, ge=0, le=100)]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2099, 12, 31))]
LongText = Annotated[str, Field(max_length=5000)]


# products --------------------------------------------------------------------------------


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    product_line_id: int
    list_price: Decimal
    unit: str
    is_active: bool


class ProductIn(Schema):
    sku: str = Field(max_length=40, min_length=1)
    name: str = Field(max_length=120, min_length=1)
    product_line_id: Id
    list_price: Money
    unit: str = Field("套", max_length=10, min_length=1)
    is_active: bool = True


class ProductPatch(Schema):
    sku: str = Field(None, max_length=40, min_length=1)
    name: str = Field(None, max_length=120, min_length=1)
    product_line_id: Id = None
    list_price: Money = None
    unit: str = Field(None, max_length=10, min_length=1)
    is_active: bool = None


# quotes ----------------------------------------------------------------------------------


class QuoteLineOut(Schema):
    id: int
    product_id: int
    quantity: int
    unit_price: Decimal
    list_price: Decimal
    discount_pct: Decimal
    amount: Decimal


class QuoteLineIn(Schema):
    product_id: Id
    quantity: int = Field(1, ge=1, le=1_000_000)
    unit_price: Money | None = Field(None, description="the product's list price when null")
    discount_pct: Percent = Decimal(0)


class QuoteOut(Schema):
    id: int
    number: str
    title: str
    lead_id: int | None
    customer_id: int | None
    owner_id: int
    status: QuoteStatus
    valid_until: date | None
    notes: str
    list_total: Decimal
    total: Decimal
    discount_pct: Decimal = Field(description="discount off list, %")
    needs_approval: bool
    decided_by_id: int | None
    decided_at: datetime | None
    decision_reason: str
    lines: list[QuoteLineOut]

    @staticmethod
    def resolve_needs_approval(obj) -> bool:
        from loudou.commerce.services.quotes import needs_approval

        return needs_approval(obj)

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())


class QuoteIn(Schema):
    title: str = Field(max_length=120, min_length=1)
    lead_id: Id | None = None
    customer_id: Id | None = None
    owner_id: Id | None = Field(None, description="the caller when omitted")
    valid_until: Day | None = None
    notes: LongText = ""
    lines: list[QuoteLineIn] = Field(min_length=1, max_length=100)


class QuotePatch(Schema):
    title: str = Field(None, max_length=120, min_length=1)
    lead_id: Id | None = None
    customer_id: Id | None = None
    owner_id: Id = None
    valid_until: Day | None = None
    notes: LongText = None
    lines: list[QuoteLineIn] = Field(None, min_length=1, max_length=100)


class DecisionIn(Schema):
    approve: bool
    reason: str = Field("", max_length=2000)


# contracts -------------------------------------------------------------------------------


class ContractOut(Schema):
    id: int
    number: str
    title: str
    customer_id: int
    lead_id: int | None
    quote_id: int | None
    owner_id: int
    status: ContractStatus
    amount: Decimal | None
    signed_on: date | None
    notes: str
    paid: Decimal
    contact_phone: str = Field(description="the lead's phone, masked unless the caller owns it")
    contact_email: str = Field(description="the lead's e-mail, masked unless the caller owns it")

    @staticmethod
    def resolve_paid(obj) -> Decimal:
        from loudou.commerce.services.contracts import paid_total

        return paid_total(obj)

    @staticmethod
    def resolve_contact_phone(obj, context) -> str:
        return shown(obj.lead, "phone", context["request"].user) if obj.lead_id else ""

    @staticmethod
    def resolve_contact_email(obj, context) -> str:
        return shown(obj.lead, "email", context["request"].user) if obj.lead_id else ""


class ContractIn(Schema):
    title: str = Field(max_length=120, min_length=1)
    customer_id: Id
    lead_id: Id | None = None
    quote_id: Id | None = None
    owner_id: Id | None = Field(None, description="the caller when omitted")
    amount: Money | None = Field(None, description="the quote's total when omitted")
    signed_on: Day | None = None
    notes: LongText = ""


class ContractPatch(Schema):
    title: str = Field(None, max_length=120, min_length=1)
    customer_id: Id = None
    lead_id: Id | None = None
    quote_id: Id | None = None
    owner_id: Id = None
    amount: Money | None = None
    signed_on: Day | None = None
    notes: LongText = None


class TransitionIn(Schema):
    to: ContractStatus
    reason: str = Field("", max_length=2000)
    signed_on: Day | None = Field(None, description="for signed: the signing date")
    amount: Positive | None = Field(None, description="for signed: the contract amount")


class InstalmentOut(Schema):
    id: int
    name: str
    due_on: date
    amount: Decimal
    covered: Decimal
    overdue: bool


class InstalmentIn(Schema):
    name: str = Field(max_length=60, min_length=1)
    due_on: Day
    amount: Positive


class PaymentOut(Schema):
    id: int
    paid_on: date
    amount: Decimal
    method: PaymentMethod
    notes: str
    recorded_by_id: int


class PaymentIn(Schema):
    paid_on: Day
    amount: Positive
    method: PaymentMethod = PaymentMethod.TRANSFER
    notes: str = Field("", max_length=200)


class AttachmentOut(Schema):
    id: int
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_id: int
    created_at: datetime


class OverdueOut(Schema):
    contract_id: int
    instalment_id: int
    name: str
    due_on: date
    amount: Decimal
    outstanding: Decimal


# orders ----------------------------------------------------------------------------------


class OrderOut(Schema):
    id: int
    number: str
    customer_id: int
    contract_id: int | None
    lead_id: int | None
    owner_id: int
    source: OrderSource
    status: OrderStatus
    ordered_on: date
    amount: Decimal
    description: str


class OrderIn(Schema):
    customer_id: Id
    lead_id: Id | None = None
    owner_id: Id | None = Field(None, description="the caller when omitted")
    ordered_on: Day
    amount: Money
    description: str = Field("", max_length=200)


class OrderPatch(Schema):
    customer_id: Id = None
    lead_id: Id | None = None
    owner_id: Id = None
    ordered_on: Day = None
    amount: Money = None
    description: str = Field(None, max_length=200)


class ReasonIn(Schema):
    reason: str = Field(max_length=2000, min_length=1)


class YearTotalOut(Schema):
    year: int
    amount: Decimal
    orders: int


class PurchaseHistoryOut(Schema):
    customer_id: int
    repeat_buyer: bool
    years: list[YearTotalOut]
    orders: list[OrderOut]
