"""The periodic jobs are registered and call the services; the defaults are loaded."""

import pytest
from django.conf import settings

from loudou.health import tasks
from loudou.health.models import DEFAULTS, ExceptionCase, HealthReport, Thresholds
from loudou.health.tests.factories import HOUR, T0, new_lead
from loudou.notifications.worker import Worker

pytestmark = pytest.mark.django_db


def test_the_hourly_job_is_on_the_worker_schedule():
    assert dict(settings.LOUDOU_PERIODIC_TASKS)["loudou.health.tasks.hourly"] == 3600


def test_the_hourly_job_queues_the_sweep_and_the_report_check(clock, rep, team_a, team_b):
    # given: a lead not followed up, and a finished week
    new_lead(rep)
    clock.move_to(T0 + 7 * 24 * HOUR, tick=False)
    # when: one pass of the real worker with the configured schedule
    Worker(worker_id="test", jobs=[("loudou.health.tasks.hourly", 3600)], log=lambda _: None).run(
        once=True
    )
    # then
    assert ExceptionCase.objects.filter(rule="no_follow_up", rep=rep).exists()
    assert HealthReport.objects.count() == 3


def test_data_migration_loads_the_company_defaults():
    assert Thresholds.objects.get(team=None).values() == DEFAULTS


def test_sweep_task_opens_cases(clock, rep):
    new_lead(rep)
    clock.move_to(T0 + 25 * HOUR, tick=False)
    found = tasks.sweep_exceptions.call()
    assert found == ExceptionCase.objects.count()
    assert ExceptionCase.objects.filter(rule="no_follow_up", rep=rep).exists()


def test_report_task_is_idempotent(clock, team_a, team_b):
    clock.move_to(T0 + 7 * 24 * HOUR, tick=False)
    assert tasks.weekly_health_reports.call() == 3
    assert tasks.weekly_health_reports.call() == 0
    assert HealthReport.objects.count() == 3
