"""Lead numbers LX<year><6-digit sequence>, unique under concurrent creation."""

from django.db import transaction
from django.db.models import F

from loudou.leads.models import LeadSequence


def next_lead_numbers(year: int, count: int = 1) -> list[str]:
    """Reserve `count` consecutive numbers for `year`.

    The conditional UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite in
    IMMEDIATE mode), so two transactions never read the same `last`.
    """
    with transaction.atomic():
        LeadSequence.objects.bulk_create([LeadSequence(year=year)], ignore_conflicts=True)
        LeadSequence.objects.filter(year=year).update(last=F("last") + count)
        last = LeadSequence.objects.values_list("last", flat=True).get(year=year)
    return [f"LX{year}{n:06d}" for n in range(last - count + 1, last + 1)]
