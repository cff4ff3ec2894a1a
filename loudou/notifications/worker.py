"""The background worker behind `loudou worker`: one process that enqueues the periodic
jobs when they are due and runs the django-tasks-db queue (ADR 0005).

All state is in the database (the schedule in PeriodicJob, the queue in django-tasks-db's
table, the outbox in Delivery), so a restart picks up where the last process stopped and
several workers can run side by side.
"""

import logging
import signal
import threading
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.db import close_old_connections, connection
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, Task, task_backends
from django.utils import timezone
from django.utils.module_loading import import_string

from loudou.notifications.services import claim_periodic_run

logger = logging.getLogger("loudou.worker")


def _refresh_connections() -> None:
    """Drop broken or expired connections between ticks (never inside a transaction, such
    as a test's)."""
    if not connection.in_atomic_block:
        close_old_connections()


class Worker:
    """Runs `jobs` ([(dotted path, every seconds)]) on schedule and drains the task queue."""

    def __init__(
        self,
        *,
        worker_id: str,
        jobs: Iterable[tuple[str, int]],
        interval: float = 5.0,
        log: Callable[[str], None] = logger.info,
    ) -> None:
        self.worker_id = worker_id
        self.jobs = [(path, timedelta(seconds=seconds)) for path, seconds in jobs]
        self.interval = interval
        self.log = log
        self.stopping = threading.Event()
        self._queue_runner = None

    def stop(self, signum: int | None = None, frame: object = None) -> None:
        """First signal: finish the task in hand, then stop. Second: stop now (the lease
        of the delivery in flight hands it to the next worker)."""
        if self.stopping.is_set():
            raise SystemExit(1)
        self.log(f"stopping worker {self.worker_id}")
        self.stopping.set()
        if self._queue_runner is not None:
            self._queue_runner.running = False

    def run(self, *, once: bool = False) -> None:
        """Loop until stopped; with `once`, run every job once (due or not) and return."""
        self.log(f"worker {self.worker_id} started")
        while not self.stopping.is_set():
            self.tick(force=once)
            if once or self.stopping.wait(self.interval):
                break

    def tick(self, *, force: bool = False) -> None:
        _refresh_connections()
        for path, every in self.jobs:
            if self.stopping.is_set():
                return
            now = timezone.now()
            if claim_periodic_run(
                path=path, every=every, now=now, worker_id=self.worker_id, force=force
            ):
                self.start(path)
        self.drain()
        _refresh_connections()

    def start(self, path: str) -> None:
        """Enqueue the task at `path` (a plain function is called in place)."""
        try:
            job = import_string(path)
        except ImportError:
            logger.exception("periodic job %s cannot be imported; skipped", path)
            return
        if isinstance(job, Task):
            job.enqueue()
        else:
            job()
        self.log(f"started {path}")

    def drain(self) -> None:
        """Run the queue's ready tasks (the database's, or Redis' with
        LOUDOU_TASKS_BACKEND=redis), then return. Other backends (immediate, dummy) hold
        no queue here: enqueueing already ran or dropped the task."""
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.management.commands.db_worker import Worker as QueueRunner

        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        if type(backend).__module__.startswith("django_tasks_redis"):
            self._drain_redis()
            return
        if not isinstance(backend, DatabaseBackend):
            return
        self._queue_runner = QueueRunner(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )
        try:
            if self.stopping.is_set():
                return
            if connection.in_atomic_block:
                self._drain_in_transaction()
            else:
                self._queue_runner.run()
        finally:
            self._queue_runner = None

    def _drain_redis(self) -> None:
        """Run Redis' ready tasks one by one until none is left or the worker stops (a
        message stays pending until its task has finished: a killed worker's task is
        handed to another after REDIS_CLAIM_TIMEOUT)."""
        from django_tasks_redis import executor

        executor.claim_stale_tasks(
            backend_name=DEFAULT_TASK_BACKEND_ALIAS, worker_id=self.worker_id
        )
        executor.process_tasks(
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            worker_id=self.worker_id,
            stop_event=self.stopping,
        )

    def _drain_in_transaction(self) -> None:
        """The queue runner recycles connections, which would end a test's transaction:
        there, run the ready tasks one by one without it (nothing else competes)."""
        from django_tasks_db.models import DBTaskResult

        ready = DBTaskResult.objects.ready().filter(backend_name=DEFAULT_TASK_BACKEND_ALIAS)
        while not self.stopping.is_set() and (result := ready.first()) is not None:
            result.claim(self.worker_id)
            self._queue_runner.run_task(result)


def handle_signals(worker: Worker) -> Callable[[], None]:
    """Stop `worker` on SIGTERM/SIGINT; returns a function restoring the old handlers.
    (Only the main thread may install handlers; elsewhere this does nothing.)"""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.signal(sig, worker.stop) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore
