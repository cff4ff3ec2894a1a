"""The opportunity (商机) fields of a lead: amount, currency, products, expected close date,
competitors, probability and the decision chain (技术/采购/管理层)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from loudou.compliance.validation import refuse_sensitive
from loudou.core import audit
from loudou.customers.models import Contact
from loudou.leads.models import Lead
from loudou.org.models import ProductLine, User

CONTACT_FIELDS = ["technical_contact", "purchasing_contact", "management_contact"]
SCALAR_FIELDS = ["amount", "currency", "expected_close_date", "competitors", "probability"]
CENT = Decimal("0.01")
OPPORTUNITY_FIELDS = [*SCALAR_FIELDS, "products", *CONTACT_FIELDS]


def _check_contacts(lead: Lead, values: dict[str, Any]) -> None:
    """Decision-chain contacts must be people of the lead's own customer."""
    errors = {}
    for name in CONTACT_FIELDS:
        contact = values.get(name)
        if contact is None:
            continue
        if not isinstance(contact, Contact):
            contact = Contact.objects.filter(pk=contact).first()
            values[name] = contact
        if contact is None or lead.customer_id is None or contact.customer_id != lead.customer_id:
            errors[name] = _("联系人必须属于该线索的客户。")
    if errors:
        raise ValidationError(errors)


def _products(values: dict[str, Any]) -> list[ProductLine] | None:
    if "products" not in values:
        return None
    wanted = [p.pk if isinstance(p, ProductLine) else p for p in values.pop("products") or []]
    found = list(ProductLine.objects.filter(pk__in=wanted, is_active=True))
    if len(found) != len(set(wanted)):
        raise ValidationError({"products": _("不存在的产品线。")})
    return found


def _cents(amount: Decimal) -> Decimal:
    """The amount to the cent, so that 5000 and 5000.00 compare equal in the log."""
    try:
        return amount.quantize(CENT)
    except InvalidOperation:  # too many digits: full_clean refuses it with a message
        return amount


def _snapshot(lead: Lead, names: list[str]) -> dict[str, Any]:
    values = audit.snapshot(lead, [n for n in names if n != "products"])
    if "products" in names:
        values["products"] = sorted(p.name for p in lead.products.all())
    return values


@transaction.atomic
def update_opportunity(*, lead: Lead, actor: User, values: dict[str, Any]) -> Lead:
    """Edit the opportunity fields given in `values`; every change is logged before → after.

    Contacts may be Contact objects or ids, products ProductLine objects or ids.
    Raises ValidationError (nothing written) on unknown fields or bad values.
    """
    values = dict(values)
    unknown = set(values) - set(OPPORTUNITY_FIELDS)
    if unknown:
        raise ValidationError({name: _("不可编辑的字段。") for name in sorted(unknown)})
    label = str(Lead._meta.get_field("competitors").verbose_name)
    refuse_sensitive({"competitors": values.get("competitors") or ""}, {"competitors": label})
    _check_contacts(lead, values)
    products = _products(values)
    names = [*values, *(["products"] if products is not None else [])]
    before = _snapshot(lead, names)
    if isinstance(values.get("amount"), (int, Decimal)):
        values["amount"] = _cents(Decimal(values["amount"]))
    for name, value in values.items():
        setattr(lead, name, value.strip() if isinstance(value, str) else value)
    lead.full_clean(exclude=[f.name for f in Lead._meta.fields if f.name not in values])
    lead.save(update_fields=[*values, "updated_at"])
    if products is not None:
        lead.products.set(products)
    changes = audit.diff(before, _snapshot(lead, names))
    if changes:
        audit.record(obj=lead, actor=actor, verb="lead.opportunity_updated", changes=changes)
    return lead
