"""Protected reads of pools and pooled leads."""

from django.db.models import QuerySet
from django.http import Http404

from loudou.assignment.models import Assignment, Pool
from loudou.assignment.permissions import may_claim
from loudou.leads.models import Lead
from loudou.org.models import User


def visible_pools(user: User) -> QuerySet[Pool]:
    if not (user.is_authenticated and (user.sees_all or may_claim(user))):
        return Pool.objects.none()
    return Pool.objects.filter(is_active=True)


def access_pool(user: User, pk: int) -> Pool:
    pool = visible_pools(user).filter(pk=pk).first()
    if pool is None:
        raise Http404
    return pool


def visible_pool_leads(user: User) -> QuerySet[Lead]:
    """Leads lying in a pool, for the people who may claim them (and directors, admins)."""
    pools = visible_pools(user)
    return (
        Lead.objects.filter(owner=None, pool_entry__pool__in=pools)
        .select_related("pool_entry", "pool_entry__pool", "industry", "region", "source")
        .order_by("-pool_entry__entered_at", "-id")
    )


def access_pool_lead(user: User, pk: int) -> Lead:
    lead = visible_pool_leads(user).filter(pk=pk).first()
    if lead is None:
        raise Http404
    return lead


def lead_assignments(lead: Lead) -> QuerySet[Assignment]:
    """The assignment ledger of a lead the caller already accessed."""
    return lead.assignments.select_related("user", "rule", "pool", "actor")
