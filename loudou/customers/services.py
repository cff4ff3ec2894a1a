"""Every write to customers and contacts."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from loudou.compliance.validation import clean_contact_fields, refuse_sensitive
from loudou.core.audit import record, save_with_audit
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
CONTACT_FIELDS = ["customer", "name", "title", "phone", "email", "wechat", "notes", "purpose"]


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


@transaction.atomic
def follow_lead_owner(*, lead, actor: User | None) -> bool:
    """The customer (and with it its contacts) follows `lead` to its new owner, so the
    owner of a lead always sees its customer — unless another lead of the customer that
    is neither lost nor merged is owned by someone else (that rep keeps the customer).

    Called after a claim, an assignment or a handover has set `lead.owner`. One
    conditional UPDATE, so a concurrent change of the customer is not overwritten with
    a stale decision. Returns whether the customer moved; audited `customer.owner_followed`.
    """
    new_owner = lead.owner
    if lead.customer_id is None or new_owner is None:
        return False
    lead_model = Customer._meta.get_field("leads").related_model
    others = (
        lead_model.objects.filter(customer=OuterRef("pk"), owner__isnull=False, merged_into=None)
        .exclude(pk=lead.pk)
        .exclude(owner=new_owner)
        .exclude(stage__kind="lost")
    )
    customer = Customer.objects.select_related("owner").get(pk=lead.customer_id)
    before = customer.owner
    moved = (
        Customer.objects.filter(pk=customer.pk, owner=before)
        .exclude(owner=new_owner)
        .filter(~Exists(others))
        .update(owner=new_owner)
    )
    if moved:
        change = {"field": "owner", "before": str(before) if before else None}
        record(
            obj=customer,
            actor=actor,
            verb="customer.owner_followed",
            changes=[{**change, "after": str(new_owner)}],
            reason=lead.number,
        )
    return bool(moved)
