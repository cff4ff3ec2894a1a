"""Generate a realistic sales organisation at scale, by bulk insert.

    uv run --group bench python bench/generate.py --leads 1000000 --fresh

Targets the database of the settings: `LOUDOU_DATABASE_URL` (PostgreSQL, loaded with
COPY) or the SQLite file `LOUDOU_SQLITE_PATH` (default /tmp/loudou-bench.sqlite3, loaded
with executemany in big transactions). Runs the migrations first. Writes teams, managers
and reps (with capacity), leads over 24 months with their stage ledger and follow-ups
(see bench/simulate.py for the model), keeps the product's invariants (the lead's stage
is the last ledger row's, stage_entered_at, status, last_contact_at, unique LX numbers),
then rebuilds the analytics projections (when the app has them) and runs ANALYZE.
"""

import argparse
import os
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_SQLITE = "/tmp/loudou-bench.sqlite3"  # noqa: S108 (a throwaway benchmark file)
CHUNK = 50_000
BENCH_PREFIX = "bench-"


def configure() -> None:
    """Point Django at the bench database and set it up."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loudou.settings")
    if not os.environ.get("LOUDOU_DATABASE_URL"):
        os.environ.setdefault("LOUDOU_SQLITE_PATH", DEFAULT_SQLITE)
    import django

    django.setup()


def drop_database() -> None:
    """Start from nothing: delete the SQLite file, or empty PostgreSQL's schema."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        return
    name = str(connection.settings_dict["NAME"])
    connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(name + suffix).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    parser.add_argument("--now", help="ISO time the data ends at (default: now)")
    parser.add_argument(
        "--skip-projections", action="store_true", help="do not rebuild analytics projections"
    )
    parser.add_argument(
        "--finish-only",
        action="store_true",
        help="only migrate, rebuild projections and ANALYZE an existing benchmark database",
    )
    args = parser.parse_args(argv)
    configure()
    from django.core.management import call_command
    from django.db import connection

    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    if args.fresh:
        drop_database()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"migrated in {time.perf_counter() - started:.1f}s ({connection.vendor})")
    stats = {}
    if not args.finish_only:
        stats = generate(leads=args.leads, seed=args.seed, now=now, bulk=True)
        log(f"generated {stats} in {time.perf_counter() - started:.0f}s")
    finish(log, projections=not args.skip_projections)
    total = time.perf_counter() - started
    log(f"done in {total:.0f}s; database size {database_size()}")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)  # noqa: T201


def generate(
    *,
    leads: int,
    seed: int = 1,
    now: datetime | None = None,
    bulk: bool = False,
    progress: Callable[[str], None] = log,
) -> dict[str, int]:
    """Write an organisation and `leads` leads with ledger and follow-ups; returns counts.

    `bulk` drops and rebuilds secondary indexes and relaxes durability for the load (not
    inside a test transaction). Refuses to run twice on the same database.
    """
    import numpy as np

    from bench import simulate
    from bench.org import build_org
    from bench.rows import Numbering, write_chunk
    from bench.writers import fast_load

    now = now or datetime.now(UTC)
    rng = np.random.default_rng(seed)
    org, names = build_org(rng, leads=leads, now=int(now.timestamp()))
    captured = simulate.capture_times(rng, leads, org.now)
    numbering = Numbering()
    counts = {"leads": 0, "stage_changes": 0, "follow_ups": 0}
    started = time.perf_counter()
    tables = ["leads_lead", "pipeline_stagechange", "activities_followup"]
    with fast_load(tables, log=progress) if bulk else nullcontext():
        for lo in range(0, leads, CHUNK):
            written = write_chunk(rng, org, names, numbering, captured[lo : lo + CHUNK])
            for key, value in written.items():
                counts[key] += value
            rate = counts["leads"] / max(time.perf_counter() - started, 1e-9)
            progress(f"  {counts} ({rate:,.0f} leads/s)")
        numbering.save()
    return counts


def finish(progress: Callable[[str], None] = log, *, projections: bool = True) -> None:
    """Identity sequences, analytics projections, planner statistics."""
    from django.apps import apps

    from bench.writers import analyze, reset_sequences

    reset_sequences([apps.get_model(m) for m in ("leads.Lead", "pipeline.StageChange")])
    reset_sequences([apps.get_model("activities.FollowUp")])
    started = time.perf_counter()
    rebuild = projections_rebuild() if projections else None
    if rebuild is not None:
        prime_planner(progress)
        started = time.perf_counter()
        rebuild()
        progress(f"projections rebuilt in {time.perf_counter() - started:.0f}s")
    else:
        progress("projections not rebuilt (skipped, or no loudou.analytics.projections.rebuild())")
    started = time.perf_counter()
    analyze()
    progress(f"ANALYZE in {time.perf_counter() - started:.0f}s")


def prime_planner(progress: Callable[[str], None]) -> None:
    """PostgreSQL plans the rebuild's statements with the statistics the projection tables
    had when the transaction began: empty after migrate, which makes the correlated
    UPDATE of the rebuild scan the whole table per row (hours at 1M). Loading the stays
    once with the rebuild's own INSERT and running ANALYZE first gives it real
    statistics (see RESULTS.md); rebuild() then deletes and recomputes everything."""
    from django.db import connection, transaction

    try:
        from loudou.analytics.projections import _insert_stays
    except ImportError:
        return
    if connection.vendor != "postgresql":
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM analytics_stagestay")
        with transaction.atomic():
            cursor.execute("DELETE FROM analytics_stagestay")
            cursor.execute(_insert_stays(""), [])
        cursor.execute("VACUUM ANALYZE analytics_stagestay")
    progress(f"planner statistics primed in {time.perf_counter() - started:.0f}s")


def projections_rebuild() -> Callable[[], object] | None:
    try:
        from loudou.analytics import projections
    except ImportError:
        return None
    return getattr(projections, "rebuild", None)


def database_size() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return cursor.fetchone()[0]
    size = Path(connection.settings_dict["NAME"]).stat().st_size
    return f"{size / 2**30:.2f} GiB"


if __name__ == "__main__":
    main()
