"""Customer and contact endpoints: the same selectors and services as the pages."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from loudou.compliance.choices import ConsentSource, Purpose
from loudou.compliance.consent import record_consent
from loudou.compliance.reveal import reveal_contact_details
from loudou.compliance.schemas import ContactDetailsOut
from loudou.core.schemas import ErrorsOut, LimitOffset
from loudou.customers import services
from loudou.customers.schemas import (
    ContactIn,
    ContactOut,
    ContactPatch,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
)
from loudou.customers.selectors import (
    access_contact,
    access_customer,
    listed_customers,
    visible_contacts,
)
from loudou.org.models import Industry, Region, User

router = Router(tags=["customers"])
contacts_router = Router(tags=["contacts"])


def _customer_values(data: dict, actor: User) -> dict:
    for key, model in [("industry_id", Industry), ("region_id", Region)]:
        if data.get(key) is not None and not model.objects.filter(pk=data[key]).exists():
            raise ValidationError({key: _("不存在的编号：{pk}").format(pk=data[key])})
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        data["owner"] = None
        if owner_id is not None:
            data["owner"] = User.objects.filter(pk=owner_id, is_active=True).first()
            if data["owner"] is None:
                raise ValidationError({"owner_id": _("不存在的用户。")})
    return data


@router.get("", response=list[CustomerOut])
@paginate(LimitOffset)
def list_customers(request, q: str = ""):
    return listed_customers(request.user, q)


@router.get("/export")
def export_customers(request, format: str = "csv", q: str = ""):
    """The customers of the list (search `q`) as .csv or .xlsx."""
    from loudou.imports.api import records_export_response

    return records_export_response(request.user, "customers", format, q)


@router.post("", response={201: CustomerOut})
def create_customer(request, payload: CustomerIn):
    values = _customer_values(payload.dict(), request.user)
    return Status(201, services.create_customer(actor=request.user, values=values))


@router.get("/{id:customer_id}", response=CustomerOut)
def get_customer(request, customer_id: int):
    return access_customer(request.user, customer_id)


@router.patch("/{id:customer_id}", response=CustomerOut)
def update_customer(request, customer_id: int, payload: CustomerPatch):
    customer = access_customer(request.user, customer_id)
    values = _customer_values(payload.dict(exclude_unset=True), request.user)
    return services.update_customer(actor=request.user, customer=customer, values=values)


@contacts_router.get("", response=list[ContactOut])
@paginate(LimitOffset)
def list_contacts(request, customer_id: int | None = None):
    contacts = visible_contacts(request.user)
    return contacts.filter(customer_id=customer_id) if customer_id else contacts


@contacts_router.get("/export")
def export_contacts(request, format: str = "csv", q: str = ""):
    """The contacts of the customers on the list (search `q` on the company name), with
    phone, email and WeChat masked where the viewer does not own the customer."""
    from loudou.imports.api import records_export_response

    return records_export_response(request.user, "contacts", format, q)


@contacts_router.post("", response={201: ContactOut})
def create_contact(request, payload: ContactIn):
    data = payload.dict()
    data["customer"] = access_customer(request.user, data.pop("customer_id"))
    return Status(201, services.create_contact(actor=request.user, values=data))


@contacts_router.get("/{id:contact_id}", response=ContactOut)
def get_contact(request, contact_id: int):
    return access_contact(request.user, contact_id)


@contacts_router.patch("/{id:contact_id}", response=ContactOut)
def update_contact(request, contact_id: int, payload: ContactPatch):
    contact = access_contact(request.user, contact_id)
    values = payload.dict(exclude_unset=True)
    return services.update_contact(actor=request.user, contact=contact, values=values)


@contacts_router.post("/{id:contact_id}/reveal", response=ContactDetailsOut)
def reveal_contact(request, contact_id: int):
    """The contact's full phone, e-mail and WeChat: for the customer's owner, or a director
    or administrator (logged as `contact.revealed`); 403 for anyone else."""
    contact = access_contact(request.user, contact_id)
    return reveal_contact_details(record=contact, viewer=request.user, via="api")


class ConsentIn(Schema):
    purpose: Purpose
    granted: bool
    source: ConsentSource
    evidence: str = Field("", max_length=500)


class ConsentOut(Schema):
    id: int
    purpose: str
    granted: bool
    source: str
    evidence: str
    recorded_by: str | None
    recorded_at: datetime

    @staticmethod
    def resolve_recorded_by(obj) -> str | None:
        return str(obj.recorded_by) if obj.recorded_by_id else None


@contacts_router.get("/{id:contact_id}/consents", response=list[ConsentOut])
def list_consents(request, contact_id: int):
    """The contact's consent history, newest first (the newest per purpose is in force)."""
    contact = access_contact(request.user, contact_id)
    return contact.consents.select_related("recorded_by")


@contacts_router.post("/{id:contact_id}/consents", response={201: ConsentOut, 422: ErrorsOut})
def add_consent(request, contact_id: int, payload: ConsentIn):
    """Record the contact's consent to a purpose, or its withdrawal (granted: false)."""
    contact = access_contact(request.user, contact_id)
    return Status(201, record_consent(contact=contact, actor=request.user, **payload.dict()))
