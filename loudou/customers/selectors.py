"""Protected reads of customers and contacts."""

from django.db.models import QuerySet
from django.http import Http404

from loudou.customers.models import Contact, Customer
from loudou.org.models import User
from loudou.org.selectors import visibility_q


def visible_customers(user: User) -> QuerySet[Customer]:
    q = visibility_q(user, owner="owner", captured_by="captured_by")
    return Customer.objects.filter(q).select_related("industry", "region", "owner")


def clean_search(q: str) -> str:
    """The customer list's search text: at most 100 characters, no NUL (PostgreSQL
    refuses it in text)."""
    return q.replace("\x00", "").strip()[:100]


def listed_customers(user: User, q: str = "") -> QuerySet[Customer]:
    """The customer list for `user`: search `q` on the company name (page, API, export)."""
    customers = visible_customers(user)
    q = clean_search(q)
    return customers.filter(name__icontains=q) if q else customers


def listed_contacts(user: User, q: str = "") -> QuerySet[Contact]:
    """The contacts of the customers on `user`'s list with search `q`."""
    contacts = visible_contacts(user)
    q = clean_search(q)
    return contacts.filter(customer__name__icontains=q) if q else contacts


def access_customer(user: User, pk: int) -> Customer:
    """The customer, or Http404 when it is missing or not visible to `user`."""
    customer = visible_customers(user).filter(pk=pk).first()
    if customer is None:
        raise Http404
    return customer


def visible_contacts(user: User) -> QuerySet[Contact]:
    q = visibility_q(user, owner="customer__owner", captured_by="customer__captured_by")
    return Contact.objects.filter(q).select_related("customer")


def access_contact(user: User, pk: int) -> Contact:
    contact = visible_contacts(user).filter(pk=pk).first()
    if contact is None:
        raise Http404
    return contact
