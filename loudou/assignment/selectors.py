"""Protected reads of pools and pooled leads."""

from django.db.models import QuerySet
from django.http import Http404

from loudou.assignment.models import Assignment, AssignmentRule, Pool
from loudou.assignment.permissions import may_claim, may_configure
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


def editable_rules(user: User) -> QuerySet[AssignmentRule]:
    """Every assignment rule, active or not, for those who may edit them."""
    return AssignmentRule.objects.all() if may_configure(user) else AssignmentRule.objects.none()


def access_rule(user: User, pk: int) -> AssignmentRule:
    rule = editable_rules(user).filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule


def editable_pools(user: User) -> QuerySet[Pool]:
    """Every pool, active or not, for those who may edit them."""
    if not may_configure(user):
        return Pool.objects.none()
    return Pool.objects.select_related("region", "product_line", "source")


def access_editable_pool(user: User, pk: int) -> Pool:
    pool = editable_pools(user).filter(pk=pk).first()
    if pool is None:
        raise Http404
    return pool
