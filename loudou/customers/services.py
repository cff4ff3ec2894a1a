"""Every write to customers and contacts."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from loudou.compliance.validation import clean_contact_fields, refuse_sensitive
from loudou.core.audit import save_with_audit
from loudou.customers.models import Contact, Customer
from loudou.org.choices import Role
from loudou.org.models import User
from loudou.org.selectors import ensure_assignable

CUSTOMER_FIELDS = [
    "name",
    "industry",
    "region",
    "employees",
    "annual_revenue",
    "address",
    "notes",
    "owner",
]
CONTACT_FIELDS = ["customer", "name", "title", "phone", "email", "wechat", "notes"]


def _labels(model) -> dict[str, str]:
    return {f.name: str(f.verbose_name) for f in model._meta.fields}


@transaction.atomic
def create_customer(*, actor: User, values: dict[str, Any]) -> Customer:
    refuse_sensitive(values, _labels(Customer))
    if values.get("owner") is None and actor.role != Role.MARKETING:
        values["owner"] = actor
    ensure_assignable(actor, values.get("owner"))
    customer = Customer(captured_by=actor)
    save_with_audit(obj=customer, actor=actor, verb="customer.created", values=values)
    return customer


@transaction.atomic
def update_customer(*, actor: User, customer: Customer, values: dict[str, Any]) -> Customer:
    refuse_sensitive(values, _labels(Customer))
    if values.get("owner") is not None and values["owner"].pk != customer.owner_id:
        ensure_assignable(actor, values.get("owner"))
    elif "owner" in values and values["owner"] is None:
        values.pop("owner")
    save_with_audit(obj=customer, actor=actor, verb="customer.updated", values=values)
    return customer


def _clean_contact(values: dict[str, Any]) -> dict[str, Any]:
    refuse_sensitive(values, _labels(Contact))
    if "phone" in values or "email" in values:
        phone, email, problems = clean_contact_fields(
            values.get("phone", ""), values.get("email", "")
        )
        if problems:
            raise ValidationError(problems, code="invalid_contact")
        if "phone" in values:
            values["phone"] = phone
        if "email" in values:
            values["email"] = email
    return values


@transaction.atomic
def create_contact(*, actor: User, values: dict[str, Any]) -> Contact:
    values = _clean_contact(values)
    if not values.get("name"):
        raise ValidationError({"name": _("请填写联系人姓名。")})
    contact = Contact()
    save_with_audit(obj=contact, actor=actor, verb="contact.created", values=values)
    return contact


@transaction.atomic
def update_contact(*, actor: User, contact: Contact, values: dict[str, Any]) -> Contact:
    values = _clean_contact(values)
    save_with_audit(obj=contact, actor=actor, verb="contact.updated", values=values)
    return contact
