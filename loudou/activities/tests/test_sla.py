"""First-response deadlines in working time, and the SLA state of a lead.

The calendar is the seeded default: Monday-Friday 09:00-18:00, Asia/Shanghai. March 2026:
Thu 5, Fri 6, Sat 7, Sun 8, Mon 9, Tue 10 … Thu 12.
"""

from datetime import timedelta

import pytest
import time_machine

from loudou.activities.models import CadenceRule, Holiday
from loudou.activities.sla import (
    SlaContext,
    WorkCalendar,
    add_working_hours,
    first_response_deadline,
    lead_sla,
    sla_state,
)
from loudou.activities.tests.factories import local, log, make_high_intent_lead
from loudou.leads.models import Lead

pytestmark = pytest.mark.django_db

FRIDAY_17 = local(2026, 3, 6, 17, 0)


def _lead(grade: str, assigned_at) -> Lead:
    return Lead(intent_grade=grade, captured_at=assigned_at, assigned_at=assigned_at)


def test_seeded_cadence_rules_follow_the_spec():
    rules = {
        r.grade: (r.first_response_hours, r.touch_interval_days) for r in CadenceRule.objects.all()
    }
    assert rules == {"A": (2, 7), "B": (18, 14), "C": (18, 30)}


def test_two_hour_rule_from_friday_17_is_due_monday_10():
    # Friday 17:00-18:00 gives 1 h; the weekend gives none; Monday 09:00 + 1 h = 10:00.
    deadline = first_response_deadline(_lead("A", FRIDAY_17), SlaContext.load())
    assert deadline == local(2026, 3, 9, 10, 0)


def test_a_holiday_on_monday_moves_the_deadline_to_tuesday_10():
    # given Monday 9 March is a holiday
    Holiday.objects.create(date=local(2026, 3, 9).date(), name="假日")
    # Friday 1 h, Monday none, Tuesday 09:00 + 1 h
    deadline = first_response_deadline(_lead("A", FRIDAY_17), SlaContext.load())
    assert deadline == local(2026, 3, 10, 10, 0)


def test_a_worked_saturday_counts_as_a_working_day():
    # given Saturday 7 March is worked in exchange for a holiday (调休)
    Holiday.objects.create(date=local(2026, 3, 7).date(), name="调休上班", is_workday=True)
    # Friday 1 h, Saturday 09:00 + 1 h
    deadline = first_response_deadline(_lead("A", FRIDAY_17), SlaContext.load())
    assert deadline == local(2026, 3, 7, 10, 0)


def test_two_working_day_rule_skips_the_weekend():
    # the default B rule is 18 working hours (48 h ≈ two 9-hour working days):
    # Thursday 14:00-18:00 = 4 h; Friday 9 → 13; weekend 0; Monday 09:00 + 5 h = 14:00 → 18.
    deadline = first_response_deadline(_lead("B", local(2026, 3, 5, 14, 0)), SlaContext.load())
    assert deadline == local(2026, 3, 9, 14, 0)


def test_start_outside_working_hours_counts_from_the_next_opening():
    # Saturday 23:00 → Monday 09:00 + 2 h
    deadline = first_response_deadline(_lead("A", local(2026, 3, 7, 23, 0)), SlaContext.load())
    assert deadline == local(2026, 3, 9, 11, 0)


def test_a_deadline_may_end_exactly_at_closing_time():
    calendar = WorkCalendar.load()
    assert add_working_hours(local(2026, 3, 6, 16, 0), 2, calendar) == local(2026, 3, 6, 18, 0)


def test_without_working_hours_wall_clock_hours_are_added():
    calendar = WorkCalendar(hours={})
    assert add_working_hours(FRIDAY_17, 2, calendar) == FRIDAY_17 + timedelta(hours=2)


def test_split_day_with_lunch_break():
    # given mornings 09-12 and afternoons 13-18
    calendar = WorkCalendar(
        hours={
            d: (
                (local(2026, 1, 1, 9).time(), local(2026, 1, 1, 12).time()),
                (local(2026, 1, 1, 13).time(), local(2026, 1, 1, 18).time()),
            )
            for d in range(5)
        }
    )
    # 11:00 + 2 h = 1 h before lunch, 1 h after
    assert add_working_hours(local(2026, 3, 6, 11, 0), 2, calendar) == local(2026, 3, 6, 14, 0)


@pytest.fixture
def friday_lead(rep):
    with time_machine.travel(FRIDAY_17, tick=False):
        lead = make_high_intent_lead(actor=rep)
    assert lead.intent_grade == "A"
    return lead


def test_sla_is_due_before_the_deadline_without_follow_up(friday_lead):
    assert sla_state(friday_lead, local(2026, 3, 9, 9, 59)) == "due"
    assert sla_state(friday_lead, local(2026, 3, 9, 10, 0)) == "due"


def test_sla_is_breached_after_the_deadline_without_follow_up(friday_lead):
    assert sla_state(friday_lead, local(2026, 3, 9, 10, 1)) == "breached"


def test_sla_is_met_by_a_follow_up_before_the_deadline(rep, friday_lead):
    # given a call on Monday 09:30
    with time_machine.travel(local(2026, 3, 9, 9, 30), tick=False):
        log(lead=friday_lead, actor=rep)
    # then it stays met long after
    assert sla_state(friday_lead, local(2026, 3, 20, 12, 0)) == "met"


def test_sla_is_breached_by_a_late_first_follow_up(rep, friday_lead):
    # given the first call on Monday 11:00
    with time_machine.travel(local(2026, 3, 9, 11, 0), tick=False):
        log(lead=friday_lead, actor=rep)
    # then
    assert sla_state(friday_lead, local(2026, 3, 9, 11, 0)) == "breached"


def test_next_touch_is_due_a_week_after_the_last_contact_for_high_intent(rep, friday_lead):
    # given a call on Monday 09:30
    with time_machine.travel(local(2026, 3, 9, 9, 30), tick=False):
        log(lead=friday_lead, actor=rep)
    friday_lead.refresh_from_db()
    # when
    summary = lead_sla(friday_lead, local(2026, 3, 17, 9, 0))
    # then
    assert summary["next_touch_due"] == local(2026, 3, 16, 9, 30)
    assert summary["touch_overdue"] is True
    assert summary["state"] == "met"
    assert summary["deadline"] == local(2026, 3, 9, 10, 0)
    assert summary["first_response_at"] == local(2026, 3, 9, 9, 30)


def test_sla_of_a_list_costs_no_query_per_lead(rep, friday_lead, django_assert_num_queries):
    # given the context and the annotated leads loaded up front
    from loudou.activities.selectors import with_first_follow_up

    context = SlaContext.load()
    leads = list(with_first_follow_up(Lead.objects.filter(pk=friday_lead.pk)))
    # when / then
    with django_assert_num_queries(0):
        assert [sla_state(lead, FRIDAY_17, context) for lead in leads] == ["due"]
