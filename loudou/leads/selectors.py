"""Protected reads of leads: the one place lead visibility is decided."""

from django.db.models import Q, QuerySet
from django.http import Http404

from loudou.leads.models import Lead
from loudou.org.models import User
from loudou.org.selectors import visibility_q


def visible_leads(user: User) -> QuerySet[Lead]:
    q = visibility_q(user, owner="owner", captured_by="captured_by")
    return Lead.objects.filter(q).select_related("owner", "source", "industry", "region")


def access_lead(user: User, pk: int) -> Lead:
    """The lead, or Http404 when it is missing or not visible to `user`."""
    lead = visible_leads(user).filter(pk=pk).first()
    if lead is None:
        raise Http404
    return lead


def search_leads(leads: QuerySet[Lead], text: str) -> QuerySet[Lead]:
    """Narrow `leads` by number, company, contact or phone digits."""
    text = (text or "").strip()[:100]
    if not text:
        return leads
    q = Q(number__iexact=text) | Q(company_name__icontains=text) | Q(contact_name__icontains=text)
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 4:
        q |= Q(phone__contains=digits)
    return leads.filter(q)
