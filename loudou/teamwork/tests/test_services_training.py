"""Training evaluation: results per course and per person, and business results read from
the ledger (the hand-built March of analytics/tests/fixtures.py)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from loudou.analytics.tests import fixtures
from loudou.org.choices import Role
from loudou.org.tests.factories import UserFactory
from loudou.teamwork import services
from loudou.teamwork.models import TrainingRecord
from loudou.teamwork.selectors import visible_records
from loudou.teamwork.services.results import course_summary, person_summary
from loudou.teamwork.tests.factories import enrol, local, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer(db):
    return UserFactory(username="trainer", role=Role.SUPPORT)


def test_course_results_average_what_was_measured(trainer, rep, teammate, manager, team_a):
    # given three attendees, one absent without tests
    course = make_course(actor=trainer, team=team_a)
    enrol(course=course, actor=trainer, person=rep, participation=5, pre_score=60, post_score=85)
    enrol(
        course=course,
        actor=trainer,
        person=teammate,
        participation=3,
        pre_score=70.5,
        post_score=78,
    )
    enrol(course=course, actor=trainer, person=manager, attended=False)
    services.update_record(
        record=TrainingRecord.objects.get(person=rep),
        actor=manager,
        values={"behaviour_rating": 4, "behaviour_note": "首次沟通更有条理"},
    )
    # when
    summary = course_summary(course.records.order_by("person__username"))
    # then  improvement: 25 and 7.5 → 16.25 → 16.3; attendance 2/3
    assert (summary["count"], summary["attended"], summary["attendance_pct"]) == (
        3,
        2,
        Decimal("66.7"),
    )
    assert summary["averages"] == {
        "participation": Decimal("4.0"),
        "pre_score": Decimal("65.3"),
        "post_score": Decimal("81.5"),
        "improvement": Decimal("16.3"),
        "behaviour_rating": Decimal("4.0"),
        "timeliness_before": None,
        "timeliness_after": None,
        "conversion_before": None,
        "conversion_after": None,
    }
    rated = TrainingRecord.objects.get(person=rep)
    assert (rated.improvement, rated.behaviour_rated_by) == (Decimal("25.0"), manager)


def test_person_results_average_over_their_courses(trainer, rep, team_a):
    # given two courses for the rep
    first = make_course(actor=trainer, title="产品知识", held_on=date(2026, 3, 1))
    second = make_course(actor=trainer, title="谈判技巧", held_on=date(2026, 4, 1))
    enrol(course=first, actor=trainer, person=rep, pre_score=50, post_score=80, participation=4)
    enrol(course=second, actor=trainer, person=rep, pre_score=70, post_score=75, participation=5)
    # when
    rows = person_summary(visible_records(rep))
    # then
    assert len(rows) == 1
    row = rows[0]
    assert (row["person"], row["courses"], row["attended"], row["attendance_pct"]) == (
        rep,
        2,
        2,
        Decimal("100.0"),
    )
    assert (row["pre_score"], row["post_score"], row["improvement"], row["participation"]) == (
        Decimal("60.0"),
        Decimal("77.5"),
        Decimal("17.5"),
        Decimal("4.5"),
    )


def test_business_results_compare_the_rep_before_and_after_the_course(
    trainer, rep, teammate, other_team_rep, time_machine
):
    # given the hand-built March (rep: L1 met its first response and was won, L2 missed
    # and was lost; none of the rep's leads after), a course on 03-20, measured 04-02
    fixtures.build(rep, teammate, other_team_rep)
    time_machine.move_to(local(2026, 4, 2, 10, 0), tick=False)
    course = make_course(actor=trainer, held_on=date(2026, 3, 20))
    record = enrol(course=course, actor=trainer, person=rep)
    absent = enrol(course=course, actor=trainer, person=teammate, attended=False)
    # when
    measured = services.measure_results(course=course, actor=trainer)
    # then  before 2025-12-20..2026-03-19: L1 met, L2 missed → 50.0; 1 deal of 2 → 50.0
    record.refresh_from_db()
    assert measured == 1
    assert (record.timeliness_before, record.conversion_before) == (
        Decimal("50.0"),
        Decimal("50.0"),
    )
    assert (record.timeliness_after, record.conversion_after) == (None, None)
    assert record.results["before"] == {
        "start": "2025-12-20",
        "end": "2026-03-19",
        "timeliness": {"leads": 2, "met": 1, "pct": 50.0},
        "conversion": {"leads": 2, "deals": 1, "rate": 50.0},
    }
    assert record.results["after"]["start"] == "2026-03-20"
    assert record.results["after"]["end"] == "2026-04-02"
    assert record.results_measured_at == local(2026, 4, 2, 10, 0)
    absent.refresh_from_db()
    assert (absent.results, absent.results_measured_at) == ({}, None)


def test_a_person_is_enrolled_once(trainer, rep):
    course = make_course(actor=trainer)
    enrol(course=course, actor=trainer, person=rep)
    with pytest.raises(ValidationError) as refused:
        enrol(course=course, actor=trainer, person=rep)
    assert refused.value.message_dict == {"person": ["该学员已在本课程中。"]}
    assert TrainingRecord.objects.count() == 1


def test_a_trainer_creating_a_course_gives_it(trainer):
    assert make_course(actor=trainer).trainer == trainer


def test_the_attendees_manager_rates_behaviour_but_not_the_tests(trainer, rep, manager):
    # given a course without team, given by the trainer
    record = enrol(course=make_course(actor=trainer), actor=trainer, person=rep, pre_score=60)
    # when / then
    services.update_record(record=record, actor=manager, values={"behaviour_rating": 5})
    with pytest.raises(PermissionDenied):
        services.update_record(record=record, actor=manager, values={"pre_score": Decimal(90)})
    with pytest.raises(PermissionDenied):
        services.update_record(record=record, actor=rep, values={"behaviour_rating": 5})
    record.refresh_from_db()
    assert (record.behaviour_rating, record.pre_score) == (5, Decimal("60.0"))
