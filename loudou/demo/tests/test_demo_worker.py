"""`loudou demo` runs the background worker beside the development server (so imports
queued from the UI run), stops it with the server, and `--no-serve` starts neither.

The development server is the edge replaced here: a stand-in for runserver's `handle`
that, while "serving", waits for a task queued the way the UI queues an import."""

import os
import signal
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.commands import runserver
from django_tasks_db.models import DBTaskResult

from loudou.assignment.tasks import recycle_leads
from loudou.demo.management.commands import demo as demo_command
from loudou.demo.worker import THREAD_NAME, worker_beside

NOW = datetime(2026, 6, 30, 10, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
WAIT = 30.0


def _worker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME and t.is_alive()]


def _wait_until_done(result_id) -> str:
    """The status of the queued task once it left the queue, or after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    status = DBTaskResult.objects.get(pk=result_id).status
    while status in ("READY", "RUNNING") and time.monotonic() < deadline:
        time.sleep(0.1)
        status = DBTaskResult.objects.get(pk=result_id).status
    return status


@pytest.fixture
def serving(monkeypatch):
    """runserver replaced: while it 'serves' beside a worker, a task is queued and
    awaited."""
    seen: dict = {}

    def serve(self, *args, **options):
        seen["options"] = options
        seen["workers"] = len(_worker_threads())
        if seen["workers"]:
            seen["status"] = _wait_until_done(recycle_leads.enqueue().id)

    monkeypatch.setattr(runserver.Command, "handle", serve)
    return seen


@pytest.fixture
def no_demo_data(monkeypatch):
    """The data set is tested on its own (test_demo.py); here, in a transactional test
    whose database another such test may have emptied, only the serving matters."""
    loaded = {"leads_created": 0, "leads_total": 0, "stage_moves": 0, "follow_ups": 0}
    loaded |= {"pooled": 0, "pool": "公共公海", "password": "x", "logins": []}
    monkeypatch.setattr(demo_command, "load_demo", lambda **kwargs: loaded)


@pytest.mark.django_db(transaction=True)
def test_serving_the_demo_runs_the_queue_beside_the_server_and_stops_with_it(
    serving, no_demo_data, settings, time_machine
):
    # given no periodic jobs, so only the task queued while serving can run
    time_machine.move_to(NOW, tick=True)
    settings.LOUDOU_PERIODIC_TASKS = []
    # when the demo is served
    call_command("demo", "--leads", "5", "--port", "8123", verbosity=0)
    # then a worker ran beside the server and ran the queued task; it stopped with it
    assert serving["options"]["addrport"] == "127.0.0.1:8123"
    assert serving["workers"] == 1
    assert serving["status"] == "SUCCESSFUL"
    assert _worker_threads() == []


@pytest.mark.django_db
def test_no_serve_starts_neither_server_nor_worker(serving, time_machine):
    # given a task waiting in the queue
    time_machine.move_to(NOW, tick=False)
    result = recycle_leads.enqueue()
    # when the demo is only loaded
    call_command("demo", "--no-serve", "--leads", "5", verbosity=0)
    # then nothing served and the task still waits
    assert serving == {}
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"
    assert _worker_threads() == []


@pytest.mark.django_db
def test_no_worker_serves_without_a_worker(serving, time_machine):
    # given
    time_machine.move_to(NOW, tick=False)
    # when the demo is served without the worker
    call_command("demo", "--leads", "5", "--no-worker", verbosity=0)
    # then the server ran, alone
    assert serving["workers"] == 0


@pytest.mark.django_db
def test_sigterm_stops_the_server_like_ctrl_c(monkeypatch, time_machine):
    # given a server that is sent SIGTERM (systemd, Docker, kill) while serving
    time_machine.move_to(NOW, tick=False)
    monkeypatch.setattr(
        runserver.Command, "handle", lambda *args, **options: os.kill(os.getpid(), signal.SIGTERM)
    )
    before = signal.getsignal(signal.SIGTERM)
    # when the demo is served
    with pytest.raises(SystemExit) as stopped:
        call_command("demo", "--leads", "5", "--no-worker", verbosity=0)
    # then the command ended as after Ctrl-C, and SIGTERM's handler is back
    assert stopped.value.code == 0
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.django_db(transaction=True)
def test_the_worker_beside_stops_when_its_block_ends(settings):
    # given a periodic job that records its run
    from loudou.notifications.tests import jobs

    jobs.calls.clear()
    settings.LOUDOU_PERIODIC_TASKS = [("loudou.notifications.tests.jobs.record", 3600)]
    # when a worker runs beside a block that waits for the job
    with worker_beside(interval=0.1):
        deadline = time.monotonic() + WAIT
        while not jobs.calls and time.monotonic() < deadline:
            time.sleep(0.05)
        running = len(_worker_threads())
    # then the job ran once in the worker's thread, and the thread is gone afterwards
    assert (running, jobs.calls) == (1, ["record"])
    assert _worker_threads() == []
