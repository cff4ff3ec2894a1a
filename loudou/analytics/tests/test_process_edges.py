"""The edges of the 24 h and first-response figures, which the database decides on clock
gaps in seconds (ADR 0009): a follow-up exactly at the bound, a second after it, and a
lead contacted before it was (re)assigned. Expected values come from the follow-up rows,
in Python, with the same definitions (docs/domain/analytics.md)."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from loudou.activities.models import FollowUp
from loudou.activities.sla import SlaContext, add_working_hours
from loudou.activities.tests.factories import log
from loudou.analytics.services.process import first_response, not_followed_24h
from loudou.analytics.services.scope import Scope
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead

TZ = timezone.get_default_timezone()
ASSIGNED = datetime(2026, 3, 3, 10, tzinfo=TZ)  # a Tuesday, inside working hours
NOW = datetime(2026, 3, 30, 12, tzinfo=TZ)
DAY = timedelta(hours=24)


def _lead(n: int, owner, contacts: list[timedelta]) -> Lead:
    """Assigned at ASSIGNED, followed up at ASSIGNED + each offset (negative: before)."""
    with time_machine.travel(ASSIGNED - timedelta(days=2), tick=False):
        lead = make_lead(
            actor=owner, owner=owner, company_name=f"边界{n}科技有限公司", phone=f"1391230{n:04d}"
        )
    for offset in contacts:
        with time_machine.travel(ASSIGNED + max(offset, timedelta(0)), tick=False):
            log(lead=lead, actor=owner, occurred_at=ASSIGNED + offset)
    Lead.objects.filter(pk=lead.pk).update(assigned_at=ASSIGNED)
    return lead


@pytest.fixture
def edges(rep):
    second = timedelta(seconds=1)
    cases = [
        [],  # never contacted: missed
        [DAY],  # exactly at 24 h: in time
        [DAY + second],  # a second late: missed
        [DAY - second],  # a second early: in time
        [timedelta(days=-1)],  # only before the assignment: missed
        [timedelta(days=-1), timedelta(hours=3)],  # before, then in time: in time
        [timedelta(days=-1), DAY + timedelta(hours=1)],  # before, then late: missed
        [timedelta(hours=2)],  # within the grade's clock hours
    ]
    return [_lead(n, rep, offsets) for n, offsets in enumerate(cases)]


def _by_hand(leads: list[Lead]) -> tuple[dict, dict]:
    context = SlaContext.load()
    missed = met = due = 0
    for lead in leads:
        lead.refresh_from_db()
        moments = list(FollowUp.objects.filter(lead=lead).values_list("occurred_at", flat=True))
        missed += not any(ASSIGNED <= m <= ASSIGNED + DAY for m in moments)
        deadline = add_working_hours(ASSIGNED, context.rule(lead.intent_grade)[0], context.calendar)
        first = min(moments) if moments else None
        if first is None and deadline >= NOW:
            continue
        due += 1
        met += first is not None and first <= deadline
    return {"leads": len(leads), "missed": missed}, {"leads": due, "met": met}


def test_the_edges_count_as_the_follow_ups_say(edges, director):
    # given
    scope = Scope.build(director, start=date(2026, 3, 1), end=date(2026, 3, 31))
    expected_24h, expected_first = _by_hand(edges)
    # when
    late = not_followed_24h(scope, NOW)
    first = first_response(scope, NOW)
    # then
    assert {k: late[k] for k in ("leads", "missed")} == expected_24h
    assert expected_24h["missed"] == 4  # never, a second late, only before, before + late
    assert {k: first[k] for k in ("leads", "met")} == expected_first
