"""Background tasks of the notifications app (django.tasks; run by `loudou worker`)."""

import os
import socket
from datetime import timedelta

from django.tasks import task, task_backends
from django.utils import timezone

from loudou.notifications import services

#: How long finished task results stay in the database queue.
TASK_RESULTS_KEPT = timedelta(days=7)


def worker_identity() -> str:
    """This process as a worker: hostname:pid (at most 64 characters)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


@task
def deliver_notifications() -> int:
    """Send every due delivery of the outbox. Returns how many were sent."""
    return services.deliver_due(now=timezone.now(), worker_id=worker_identity())


@task
def prune_task_results() -> int:
    """Delete the database queue's finished task results older than a week."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task_backends["default"], DatabaseBackend):
        return 0
    old = DBTaskResult.objects.finished().filter(finished_at__lt=timezone.now() - TASK_RESULTS_KEPT)
    return old.delete()[0]
