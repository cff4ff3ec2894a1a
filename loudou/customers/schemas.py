from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from loudou.compliance.choices import Purpose
from loudou.compliance.schemas import MaskedContactSchema
from loudou.core.schemas import Id


class CustomerIn(Schema):
    name: str = Field(max_length=200)
    industry_id: Id | None = None
    region_id: Id | None = None
    employees: int | None = Field(None, ge=0, le=10_000_000)
    annual_revenue: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    address: str = Field("", max_length=200)
    notes: str = Field("", max_length=5000)
    owner_id: Id | None = None


class CustomerPatch(Schema):
    name: str = Field(None, max_length=200)
    industry_id: Id | None = None
    region_id: Id | None = None
    employees: int | None = Field(None, ge=0, le=10_000_000)
    annual_revenue: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    address: str = Field(None, max_length=200)
    notes: str = Field(None, max_length=5000)
    owner_id: Id | None = None


class CustomerOut(Schema):
    id: int
    name: str
    industry_id: Id | None
    region_id: Id | None
    employees: int | None
    annual_revenue: Decimal | None
    address: str
    notes: str
    owner_id: Id | None
    captured_by_id: Id | None
    created_at: datetime


class ContactIn(Schema):
    customer_id: Id
    name: str = Field(max_length=60)
    title: str = Field("", max_length=60)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    wechat: str = Field("", max_length=60)
    notes: str = Field("", max_length=5000)
    purpose: Purpose = Purpose.SALES


class ContactPatch(Schema):
    name: str = Field(None, max_length=60)
    title: str = Field(None, max_length=60)
    phone: str = Field(None, max_length=40)
    email: str = Field(None, max_length=254)
    wechat: str = Field(None, max_length=60)
    notes: str = Field(None, max_length=5000)
    purpose: Purpose = None


class ContactOut(MaskedContactSchema):
    id: int
    customer_id: Id
    name: str
    title: str
    phone: str
    email: str
    wechat: str
    notes: str
    purpose: str
    anonymised_at: datetime | None
