"""The background worker beside `loudou demo`'s development server: the same `Worker` as
`loudou worker` (periodic jobs and the task queue), in a thread of the server's process,
stopped when the server stops. Without it, imports queued from the UI would wait at
排队中 and reminders would never ring."""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections

from loudou.notifications.tasks import worker_identity
from loudou.notifications.worker import Worker

logger = logging.getLogger("loudou.worker")

#: The name of the worker's thread (tests and thread dumps look for it).
THREAD_NAME = "loudou-demo-worker"
#: How long stopping waits for the task in hand before leaving the daemon thread behind.
STOP_TIMEOUT = 10.0


def _run(worker: Worker) -> None:
    try:
        worker.run()
    finally:
        connections.close_all()  # this thread's connections


@contextmanager
def worker_beside(
    *, interval: float = 5.0, log: Callable[[str], None] = logger.info
) -> Iterator[Worker]:
    """Run a worker in a daemon thread for the duration of the `with` block; on leaving
    it (the server stopped, Ctrl-C) the worker finishes the task in hand and stops."""
    worker = Worker(
        worker_id=worker_identity(),
        jobs=settings.LOUDOU_PERIODIC_TASKS,
        interval=interval,
        log=log,
    )
    thread = threading.Thread(target=_run, args=(worker,), name=THREAD_NAME, daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        if not worker.stopping.is_set():
            worker.stop()
        thread.join(timeout=STOP_TIMEOUT)
