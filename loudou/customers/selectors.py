"""Protected reads of customers and contacts."""

from django.db.models import QuerySet
from django.http import Http404

from loudou.customers.models import Contact, Customer
from loudou.org.models import User
from loudou.org.selectors import visibility_q


def visible_customers(user: User) -> QuerySet[Customer]:
    q = visibility_q(user, owner="owner", captured_by="captured_by")
    return Customer.objects.filter(q).select_related("industry", "region", "owner")


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
