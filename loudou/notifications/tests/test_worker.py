"""`loudou worker`: periodic jobs on a schedule held in the database, the task queue, stops."""

import datetime as dt
import signal

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from loudou.notifications.models import Delivery, PeriodicJob
from loudou.notifications.services import claim_periodic_run, notify
from loudou.notifications.tests import fake_transport, jobs
from loudou.notifications.worker import Worker

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
DELIVER = "loudou.notifications.tasks.deliver_notifications"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def fake(settings, db):
    settings.LOUDOU_NOTIFICATION_TRANSPORTS = dict.fromkeys(
        ["email", "wecom", "dingtalk", "feishu"], "loudou.notifications.tests.fake_transport"
    )
    fake_transport.reset()
    jobs.calls.clear()
    yield fake_transport
    fake_transport.reset()


@pytest.fixture
def due_email(rep):
    rep.email = "rep@example.com"
    rep.save()
    notify(user=rep, kind="overdue", title="跟进已逾期", dedupe_key="overdue:1")
    return Delivery.objects.get()


@pytest.mark.django_db(transaction=True)
def test_worker_once_runs_the_periodic_jobs_through_the_database_queue(fake, due_email, settings):
    # given
    settings.LOUDOU_PERIODIC_TASKS = [(DELIVER, 30)]
    # when
    call_command("worker", "--once", verbosity=0)
    # then
    due_email.refresh_from_db()
    result = DBTaskResult.objects.get()
    assert (result.task_path, result.status, result.return_value) == (DELIVER, "SUCCESSFUL", 1)
    assert fake.sent == [due_email.pk]
    assert due_email.status == "sent"


def test_worker_once_inside_a_test_transaction_still_drains_the_queue(fake, due_email, settings):
    # given: other apps' tests call the worker inside their test transaction
    settings.LOUDOU_PERIODIC_TASKS = [(DELIVER, 30)]
    # when
    call_command("worker", "--once", verbosity=0)
    # then
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert fake.sent == [due_email.pk]


def test_worker_once_with_the_immediate_backend_sends_at_once(fake, due_email, settings):
    # given
    settings.TASKS = IMMEDIATE
    settings.LOUDOU_PERIODIC_TASKS = [(DELIVER, 30)]
    # when
    call_command("worker", "--once", verbosity=0)
    # then
    assert fake.sent == [due_email.pk]
    assert DBTaskResult.objects.count() == 0


def test_a_job_that_cannot_be_imported_does_not_stop_the_others(fake, due_email, settings):
    # given
    settings.TASKS = IMMEDIATE
    settings.LOUDOU_PERIODIC_TASKS = [("loudou.nowhere.tasks.missing", 60), (DELIVER, 30)]
    # when
    call_command("worker", "--once", verbosity=0)
    # then
    assert fake.sent == [due_email.pk]


def test_two_workers_claim_each_periodic_run_once(db):
    # given
    every = dt.timedelta(seconds=60)
    # when
    runs = [
        claim_periodic_run(path="job", every=every, now=T0, worker_id="A"),
        claim_periodic_run(path="job", every=every, now=T0, worker_id="B"),
        claim_periodic_run(
            path="job", every=every, now=T0 + dt.timedelta(seconds=59), worker_id="B"
        ),
        claim_periodic_run(path="job", every=every, now=T0 + every, worker_id="B"),
    ]
    # then
    assert runs == [True, False, False, True]
    job = PeriodicJob.objects.get()
    assert (job.next_run_at, job.last_run_at, job.last_run_by) == (T0 + 2 * every, T0 + every, "B")


def test_the_schedule_survives_a_restart(fake, settings):
    # given: a worker ran the job at T0, then was restarted 10 s later
    job = ("loudou.notifications.tests.jobs.record", 60)
    with time_machine.travel(T0, tick=False) as clock:
        Worker(worker_id="old", jobs=[job]).tick()
        clock.move_to(T0 + dt.timedelta(seconds=10))
        # when
        Worker(worker_id="new", jobs=[job]).tick()
        clock.move_to(T0 + dt.timedelta(seconds=60))
        Worker(worker_id="new", jobs=[job]).tick()
    # then
    assert jobs.calls == ["record", "record"]
    assert PeriodicJob.objects.get().last_run_by == "new"


def test_sigterm_stops_the_worker_after_the_job_in_hand(fake, settings):
    # given
    settings.TASKS = IMMEDIATE
    settings.LOUDOU_PERIODIC_TASKS = [
        ("loudou.notifications.tests.jobs.terminate_worker", 60),
        ("loudou.notifications.tests.jobs.record", 60),
    ]
    before = signal.getsignal(signal.SIGTERM)
    # when: the first job sends SIGTERM; without it the worker would loop for an hour
    call_command("worker", "--interval", "3600", verbosity=0)
    # then
    assert jobs.calls == ["terminate"]
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_second_signal_stops_the_worker_at_once():
    # given
    worker = Worker(worker_id="w", jobs=[])
    worker.stop(signal.SIGTERM)
    # when / then
    with pytest.raises(SystemExit):
        worker.stop(signal.SIGTERM)


def test_a_long_lived_worker_loads_the_app_and_freezes_it_before_it_runs(monkeypatch, db):
    # given a worker whose loop and start-up are recorded
    from loudou.notifications.management.commands import worker as command

    calls = []
    monkeypatch.setattr(command, "load_and_freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(Worker, "run", lambda self, once: calls.append(f"run once={once}"))
    # when it is started for good, then once
    call_command("worker", verbosity=0)
    call_command("worker", "--once", verbosity=0)
    # then only the long-lived one froze the loaded app, before its loop
    assert calls == ["freeze", "run once=False", "run once=True"]
