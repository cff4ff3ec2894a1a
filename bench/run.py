"""Time the analytics and the exception sweep on the benchmark database.

    uv run --group bench python bench/run.py [--repeat 20] [--markdown] [--only funnel]
    uv run --group bench python bench/run.py --explain dashboard.manager

Uses the database of the settings (`LOUDOU_DATABASE_URL`, else the SQLite file
`LOUDOU_SQLITE_PATH`, default /tmp/loudou-bench.sqlite3) filled by bench/generate.py.
Each case runs once cold (right after a fresh database connection; see README.md for
what that does and does not empty) and then `--repeat` times warm; the table shows the
cold time and the warm median and p95. The company funnel is also computed by DuckDB
over the same columns, loaded from the database beforehand (only the query is timed).
"""

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAGE_BUDGET_MS = 300.0
SWEEP_BUDGET_MS = 5_000.0
DUCKDB_FACTOR = 3.0


@dataclass
class Case:
    name: str
    run: Callable[[], object]
    target_ms: float | None
    note: str = ""


@dataclass
class Timing:
    case: Case
    cold_ms: float | None = None
    warm_ms: list[float] = field(default_factory=list)
    error: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.warm_ms) if self.warm_ms else None

    @property
    def p95(self) -> float | None:
        if not self.warm_ms:
            return None
        import numpy as np

        return float(np.percentile(self.warm_ms, 95))

    def verdict(self) -> str:
        if self.error:
            return "error"
        measured = self.median if self.median is not None else self.cold_ms
        if self.case.target_ms is None or measured is None:
            return ""
        return "met" if measured <= self.case.target_ms else "NOT met"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # noqa: T201


def fresh_connection() -> None:
    """Close Django's connection so that the next query opens a new one: SQLite's page
    cache (per connection) and PostgreSQL's backend caches start empty; with
    `--drop-file-cache`, the SQLite file's pages are also evicted from the OS cache."""
    from django.db import connection

    connection.close()
    if os.environ.get("BENCH_DROP_FILE_CACHE") and connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        for suffix in ("", "-wal"):
            if Path(name + suffix).exists():
                fd = os.open(name + suffix, os.O_RDONLY)
                try:
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                finally:
                    os.close(fd)


def time_case(case: Case, repeat: int, budget_s: float) -> Timing:
    timing = Timing(case)
    fresh_connection()
    try:
        started = time.perf_counter()
        case.run()
        timing.cold_ms = (time.perf_counter() - started) * 1000
        spent = timing.cold_ms / 1000
        for _ in range(repeat):
            if spent > budget_s and (timing.warm_ms or timing.cold_ms > budget_s * 1000):
                break
            started = time.perf_counter()
            case.run()
            elapsed = time.perf_counter() - started
            spent += elapsed
            timing.warm_ms.append(elapsed * 1000)
    except Exception as error:  # noqa: BLE001 (a broken case is reported, not fatal)
        timing.error = f"{type(error).__name__}: {error}"[:200]
    return timing


def bench_people():
    from loudou.org.models import User

    director = User.objects.get(username="bench-director")
    manager = User.objects.filter(username__startswith="bench-t", role="manager").order_by(
        "username"
    )[0]
    return director, manager


def analytics_cases(director, manager) -> list[Case]:
    from datetime import timedelta

    from django.utils import timezone

    from loudou.analytics.services.conversion import conversion
    from loudou.analytics.services.funnel import funnel
    from loudou.analytics.services.process import process_indicators
    from loudou.analytics.services.scope import Scope

    def company(days: int | None = None) -> Scope:
        if days is None:
            return Scope.build(director)
        today = timezone.localdate()
        return Scope.build(director, start=today - timedelta(days=days - 1), end=today)

    def team() -> Scope:
        return Scope.build(manager, team=manager.team)

    def dashboard() -> None:
        scope = team()
        funnel(scope)
        conversion(scope, by="source")
        process_indicators(scope)

    cases = [
        Case("funnel.company", lambda: funnel(company()), PAGE_BUDGET_MS, "director, 90 days"),
        Case("funnel.company.365d", lambda: funnel(company(365)), PAGE_BUDGET_MS, "365 days"),
        Case("conversion.source", lambda: conversion(company(), by="source"), PAGE_BUDGET_MS),
        Case("conversion.grade", lambda: conversion(company(), by="grade"), PAGE_BUDGET_MS),
        Case("process.company", lambda: process_indicators(company()), PAGE_BUDGET_MS),
        Case("dashboard.manager", dashboard, PAGE_BUDGET_MS, "team funnel+conversion+process"),
    ]
    try:
        from loudou.analytics.services.dashboards import dashboard as role_dashboard
    except ImportError:
        return cases
    cases.append(
        Case(
            "dashboards.dashboard(manager)",
            lambda: role_dashboard(manager),
            PAGE_BUDGET_MS,
            "the role dashboard service",
        )
    )
    cases.append(
        Case(
            "dashboards.dashboard(director)",
            lambda: role_dashboard(director),
            PAGE_BUDGET_MS,
            "the role dashboard service",
        )
    )
    rep = bench_rep()
    cases.append(
        Case(
            "dashboards.dashboard(rep)",
            lambda: role_dashboard(rep),
            PAGE_BUDGET_MS,
            "the role dashboard service",
        )
    )
    # the director's home funnel: counts and calendar days in stage from the kept
    # aggregates (ADR 0017)
    cases.append(
        Case(
            "funnel.company.calendar",
            lambda: funnel(company(), days="calendar"),
            PAGE_BUDGET_MS,
            "director, 90 days, aggregates",
        )
    )
    return cases


def bench_rep():
    from loudou.org.models import User

    return User.objects.filter(
        username__startswith="bench-t", role__in=["senior_rep", "junior_rep"]
    ).order_by("username")[0]


def role_page_cases() -> list[Case]:
    """The home page (role dashboard) and the funnel page of a rep, a manager and the
    director, rendered through Django's test client."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    director, manager = bench_people()
    cases = []
    for label, user in (("rep", bench_rep()), ("manager", manager), ("director", director)):
        client = Client()
        client.force_login(user)
        for url in (reverse("home"), reverse("analytics:funnel")):

            def get(url=url, client=client):
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {url} -> {response.status_code}")
                return response

            cases.append(Case(f"page.{label} {url}", get, PAGE_BUDGET_MS, f"rendered as {label}"))
    cases.append(director_targets_case(director))
    return cases


def director_targets_case(director) -> Case:
    """The fragment the director's home loads after the page (targets, quarter board and
    forecast), with Django's cache emptied before each run: what a director waits for
    the first time."""
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(director)
    url = reverse("analytics:director_targets")

    def get():
        cache.clear()
        response = client.get(url, headers={"HX-Request": "true"})
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} -> {response.status_code}")
        return response

    return Case(f"page.director {url}", get, PAGE_BUDGET_MS, "fragment, cache emptied")


def page_cases(manager) -> list[Case]:
    """The manager's pages through Django's test client (views, templates, middleware)."""
    from django.conf import settings
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    client = Client()
    client.force_login(manager)
    cases = []
    for name in [
        "analytics:dashboard",
        "analytics:funnel",
        "analytics:conversion",
        "analytics:process",
        "health:exceptions",
    ]:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue

        def get(url=url):
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} -> {response.status_code}")
            return response

        cases.append(Case(f"page.manager {url}", get, PAGE_BUDGET_MS, "rendered as manager"))
    return cases


def sweep_cases() -> list[Case]:
    try:
        from loudou.health.services.exceptions import sweep
    except ImportError:
        return []
    return [Case("sweep", lambda: sweep(), SWEEP_BUDGET_MS, "whole organisation")]


def list_cases() -> list[Case]:
    """Lists, Kanban, search and customers per role (bench/lists.py)."""
    from bench.lists import list_cases as cases

    return cases()


def all_cases() -> list[Case]:
    director, manager = bench_people()
    cases = []
    for build in (
        lambda: analytics_cases(director, manager),
        lambda: page_cases(manager),
        role_page_cases,
        sweep_cases,
        list_cases,
    ):
        try:
            cases.extend(build())
        except ImportError as error:
            log(f"skipped: {error}")
    return cases


def database_summary() -> dict:
    from django.db import connection

    from bench.generate import database_size

    counts = {}
    with connection.cursor() as cursor:
        for label, table in [
            ("leads", "leads_lead"),
            ("stage changes", "pipeline_stagechange"),
            ("follow-ups", "activities_followup"),
        ]:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (fixed names)
            counts[label] = cursor.fetchone()[0]
    return {"vendor": connection.vendor, "size": database_size(), **counts}


def format_table(timings: list[Timing], reference: dict | None, markdown: bool) -> str:
    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"

    header = ["case", "cold ms", "warm median ms", "warm p95 ms", "runs", "target ms", "verdict"]
    rows = []
    for t in timings:
        verdict = t.verdict() if not t.error else f"error: {t.error}"
        target = "—" if t.case.target_ms is None else f"{t.case.target_ms:,.0f}"
        rows.append(
            [
                t.case.name,
                ms(t.cold_ms),
                ms(t.median),
                ms(t.p95),
                str(len(t.warm_ms)),
                target,
                verdict,
            ]
        )
    if reference:
        rows.append(
            [
                "duckdb funnel.company (reference)",
                "—",
                ms(reference["median"]),
                ms(reference["p95"]),
                str(reference["runs"]),
                "—",
                "",
            ]
        )
        rows.append(
            [
                "funnel.company / duckdb",
                "",
                reference["ratio"],
                "",
                "",
                f"≤ {DUCKDB_FACTOR:g}×",
                reference["verdict"],
            ]
        )
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]
    )


def duckdb_reference(timings: list[Timing], repeat: int) -> dict | None:
    from bench import reference

    funnel_timing = next((t for t in timings if t.case.name == "funnel.company"), None)
    try:
        runs = reference.time_company_funnel(repeat)
    except ImportError as error:
        log(f"no DuckDB reference: {error}")
        return None
    try:
        agreement = reference.agrees()
    except Exception as error:  # noqa: BLE001 (a broken funnel must not hide the table)
        agreement = f"could not compare: {type(error).__name__}: {error}"[:200]
    log(f"  duckdb and loudou agree on the company funnel: {agreement}")
    median = statistics.median(runs)
    result = {
        "median": median,
        "p95": float(__import__("numpy").percentile(runs, 95)),
        "runs": len(runs),
        "ratio": "—",
        "verdict": "",
    }
    if funnel_timing and funnel_timing.median:
        ratio = funnel_timing.median / median
        result["ratio"] = f"{ratio:.1f}×"
        result["verdict"] = "met" if ratio <= DUCKDB_FACTOR else "NOT met"
    return result


def explain(name: str) -> None:
    """Run one case once, capturing its queries; print the slowest with their plans."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = next((c for c in all_cases() if c.name == name), None)
    if case is None:
        sys.exit(f"unknown case {name}; one of: {', '.join(c.name for c in all_cases())}")
    case.run()  # warm
    with CaptureQueriesContext(connection) as captured:
        case.run()
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    total = sum(float(q["time"]) for q in queries)
    print(f"{name}: {len(queries)} queries, {total * 1000:.0f} ms in the database")  # noqa: T201
    for query in queries[:5]:
        print(f"\n--- {float(query['time']) * 1000:.0f} ms\n{query['sql'][:3000]}")  # noqa: T201
        prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        if query["sql"].lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute(prefix + query["sql"])
                for row in cursor.fetchall():
                    print("   ", " | ".join(str(c) for c in row))  # noqa: T201


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--budget", type=float, default=120, help="seconds of warm runs per case")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument(
        "--only", help="run cases whose name contains this text (a regular expression)"
    )
    parser.add_argument("--no-duckdb", action="store_true")
    parser.add_argument(
        "--drop-file-cache",
        action="store_true",
        help="SQLite: evict the file from the OS page cache before cold runs",
    )
    parser.add_argument("--explain", metavar="CASE", help="print the slowest queries and plans")
    args = parser.parse_args(argv)
    from bench.generate import configure

    if args.drop_file_cache:
        os.environ["BENCH_DROP_FILE_CACHE"] = "1"
    configure()
    if args.explain:
        explain(args.explain)
        return
    summary = database_summary()
    log(f"database: {summary}")
    timings = []
    for case in all_cases():
        if args.only and not re.search(args.only, case.name):
            continue
        timing = time_case(case, args.repeat, args.budget)
        log(f"  {case.name}: cold {timing.cold_ms} median {timing.median} {timing.error}")
        timings.append(timing)
    reference = None if args.no_duckdb else duckdb_reference(timings, args.repeat)
    print(f"\n{summary}\n")  # noqa: T201
    print(format_table(timings, reference, args.markdown))  # noqa: T201


if __name__ == "__main__":
    main()
