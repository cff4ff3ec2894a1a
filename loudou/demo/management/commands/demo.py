"""`loudou demo`: migrate, load the demo company, print the logins, start the server."""

import unicodedata
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from loudou.demo.services import DEFAULT_LEADS, load_demo


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


class Command(BaseCommand):
    help = "Load a realistic demo company (idempotent) and start the development server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--leads", type=int, default=DEFAULT_LEADS, help="number of leads")
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument("--port", type=int, default=8000, help="port of the server")
        parser.add_argument("--no-serve", action="store_true", help="load data, do not serve")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("迁移数据库 / migrating …")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("加载演示数据 / loading demo data …")
        result = load_demo(seed=options["seed"], leads=options["leads"], stdout=self.stdout)
        url = f"http://127.0.0.1:{options['port']}/"
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据就绪 / demo data ready: {result['leads_created']} new leads, "
                f"{result['leads_total']} demo leads in total; "
                f"{result['stage_moves']} new stage moves, {result['follow_ups']} new follow-ups."
            )
        )
        self.stdout.write(f"\n网址 URL: {url}")
        self.stdout.write(f"演示密码 password (all demo users): {result['password']}\n")
        for line in login_table(result["logins"]):
            self.stdout.write("  " + line)
        if not options["no_serve"]:
            self.stdout.write("")
            call_command(
                "runserver",
                f"127.0.0.1:{options['port']}",
                use_reloader=False,
                insecure_serving=True,  # static files without a separate web server
            )
