"""Filtering the case list (the page and the API share it)."""

from django.db.models import QuerySet

from loudou.health.choices import CaseStatus
from loudou.health.models import ExceptionCase


def filter_cases(cases: QuerySet[ExceptionCase], filters: dict) -> QuerySet[ExceptionCase]:
    """`status` ("unresolved" or a CaseStatus), `rule`, `team`, `rep`."""
    status = filters.get("status")
    if status == "unresolved":
        cases = cases.exclude(status=CaseStatus.RESOLVED)
    elif status:
        cases = cases.filter(status=status)
    for name in ("rule", "team", "rep"):
        if filters.get(name) not in (None, ""):
            cases = cases.filter(**{name: filters[name]})
    return cases


def case_leads(case: ExceptionCase, leads: QuerySet) -> QuerySet:
    """The leads behind a case, among `leads` (the viewer's visible leads)."""
    return leads.filter(pk__in=case.lead_ids).order_by("-captured_at")
