"""`loudou worker`: the background worker (periodic jobs + the task queue), see ADR 0005."""

from django.conf import settings
from django.core.management.base import BaseCommand

from loudou.core.startup import load_and_freeze
from loudou.notifications.tasks import worker_identity
from loudou.notifications.worker import Worker, handle_signals


class Command(BaseCommand):
    help = "Run the background worker: periodic jobs (reminders, deliveries) and the task queue."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Run every periodic job once, then exit."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=5.0,
            help="Seconds between looks at the schedule and the queue (default: 5).",
        )

    def handle(self, *args, once: bool, interval: float, verbosity: int, **options):
        def log(line: str) -> None:
            if verbosity >= 1:
                self.stdout.write(line)

        worker = Worker(
            worker_id=worker_identity(),
            jobs=settings.LOUDOU_PERIODIC_TASKS,
            interval=max(interval, 0.1),
            log=log,
        )
        if not once:  # a long-lived process: load the app, keep it out of the GC's scans
            load_and_freeze()
        restore = handle_signals(worker)
        try:
            worker.run(once=once)
        finally:
            restore()
