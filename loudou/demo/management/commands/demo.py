"""`loudou demo`: migrate, load the demo company, print the logins, start the server and,
beside it, the background worker."""

import signal
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from loudou.demo.services import DEFAULT_LEADS, load_demo
from loudou.demo.worker import worker_beside


def _width(text: str) -> int:
    """Columns `text` takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def login_table(rows: list[dict[str, str]]) -> list[str]:
    """The logins as aligned lines: username, name, role, team."""
    columns = ["username", "name", "role", "team"]
    header = {"username": "用户名", "name": "姓名", "role": "角色", "team": "团队"}
    widths = {c: max(_width(r[c]) for r in [header, *rows]) + 2 for c in columns}
    return ["".join(_pad(row[c], widths[c]) for c in columns).rstrip() for row in [header, *rows]]


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Let SIGTERM (systemd, Docker, `kill`) stop the server as Ctrl-C does, so that the
    worker beside it finishes its task in hand instead of dying with the process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Command(BaseCommand):
    help = (
        "Load a realistic demo company (idempotent) and start the development server with "
        "the background worker beside it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--leads", type=int, default=DEFAULT_LEADS, help="number of leads")
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument("--port", type=int, default=8000, help="port of the server")
        parser.add_argument(
            "--no-serve", action="store_true", help="load data; start neither server nor worker"
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="serve without the background worker (run `loudou worker` yourself)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        self.stdout.write("迁移数据库 / migrating …")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("加载演示数据 / loading demo data …")
        result = load_demo(seed=options["seed"], leads=options["leads"], stdout=self.stdout)
        url = f"http://127.0.0.1:{options['port']}/"
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据就绪 / demo data ready: {result['leads_created']} new leads, "
                f"{result['leads_total']} demo leads in total; "
                f"{result['stage_moves']} new stage moves, {result['follow_ups']} new follow-ups; "
                f"{result['pooled']} leads waiting in the 公海 “{result['pool']}”."
            )
        )
        self.stdout.write(f"\n网址 URL: {url}")
        self.stdout.write(f"演示密码 password (all demo users): {result['password']}\n")
        for line in login_table(result["logins"]):
            self.stdout.write("  " + line)
        if not options["no_serve"]:
            self.stdout.write("")
            self.serve(port=options["port"], worker=not options["no_worker"])

    def serve(self, *, port: int, worker: bool) -> None:
        """The development server; with `worker`, the background worker runs beside it
        (periodic jobs and queued tasks such as imports) and stops with it."""
        with stop_on_sigterm():
            if not worker:
                self.runserver(port)
                return
            log = self.stdout.write if self.verbosity >= 2 else (lambda line: None)
            with worker_beside(log=log):
                self.stdout.write("后台任务 / background worker: running beside the server")
                self.runserver(port)

    def runserver(self, port: int) -> None:
        call_command(
            "runserver",
            f"127.0.0.1:{port}",
            use_reloader=False,
            insecure_serving=True,  # static files without a separate web server
        )
