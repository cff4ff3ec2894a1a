"""Import throughput and peak memory: `uv run python bench/import_bench.py [ROWS]`.

Generates ROWS lead rows (default 100,000; 1,000,000 for the issue's scale case) as a
CSV file, imports it with the same service the UI, the API and `loudou import` use, and
prints rows/s, the peak memory traced by tracemalloc during the run (Python objects)
and the process's peak RSS (ru_maxrss, everything: interpreter, libraries, SQLite cache).

Database: whatever LOUDOU_DATABASE_URL points at (it must be an empty, migratable
database), else a throwaway SQLite file under /tmp (removed afterwards unless --keep).

Options: --batch-size N (default the service's), --no-trace (throughput without
tracemalloc's overhead), --per-row (the row-by-row path, for comparison), --keep.
"""

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌玉兰"
CITIES = ["北京", "上海", "杭州", "深圳", "广州", "成都", "南京", "苏州", "武汉", "西安", ""]
WORDS = "华泰恒远博达鼎盛创新瑞丰金源天成宏图海纳中联星辰云帆众合智能汇通安信永泰长青卓越"
TRADES = ["科技", "贸易", "电子", "制造", "信息技术", "物流", "医疗器械", "新材料", "软件"]
SUFFIXES = ["有限公司", "股份有限公司", "集团", "有限责任公司"]
SOURCES = ["展会", "官网表单", "website", "referral", "电话营销", "广告"]
HEADERS = ["公司名称", "联系人", "职位", "手机", "邮箱", "来源", "员工人数", "备注"]


def company(i: int) -> str:
    n = len(WORDS)
    core = WORDS[i % n] + WORDS[(i // n) % n] + WORDS[(i // n // n) % n]
    return (
        CITIES[i % len(CITIES)]
        + core
        + TRADES[(i // 7) % len(TRADES)]
        + SUFFIXES[(i // 3) % len(SUFFIXES)]
        + (f"{i // 50000}部" if i >= 50000 else "")
    )


def row(i: int) -> list[str]:
    name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 3) % len(GIVEN)]
    return [
        company(i),
        name,
        ["经理", "总监", "采购", "工程师"][i % 4],
        f"139{i:08d}",
        f"contact{i}@example{i % 97}.com",
        SOURCES[i % len(SOURCES)],
        str(10 + i % 5000),
        "来自基准测试" if i % 5 == 0 else "",
    ]


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def write_csv(path: Path, rows: int) -> None:
    """The generated file (also used by the memory test in loudou/imports/tests)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for i in range(rows):
            writer.writerow(row(i))


def _setup_django(keep: bool) -> str:
    if not os.environ.get("LOUDOU_DATABASE_URL"):
        folder = tempfile.mkdtemp(prefix="loudou-import-bench-")
        os.environ.setdefault("LOUDOU_DATA_DIR", folder)
        os.environ["LOUDOU_SQLITE_PATH"] = str(Path(folder) / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loudou.settings")
    os.environ["LOUDOU_DEBUG"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    return settings.DATABASES["default"]["NAME"]


def _admin():
    from loudou.org.choices import Role
    from loudou.org.models import User

    user = User.objects.filter(username="import-bench").first()
    return user or User.objects.create_user(
        username="import-bench", password="x" * 20, role=Role.ADMIN, display_name="Bench"
    )


def _warm_up(actor, folder: Path) -> None:
    """Import a few rows first, so that lazily loaded dictionaries (pypinyin,
    phonenumbers) are not counted as the import's memory."""
    from loudou.imports import services

    path = folder / "warm.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerow(["预热测试有限公司", "测试", "", "13700000000", "", "", "", ""])
    _run(services, actor, path, batch_size=None, per_row=False)


def _run(services, actor, path: Path, *, batch_size, per_row: bool, progress=None):
    with path.open("rb") as handle:
        job = services.create_job(actor=actor, upload=handle, original_name=path.name)
    job = services.set_mapping(actor=actor, job=job, mapping=job.mapping, remember=False)
    options = {"per_row": per_row, "on_progress": progress}
    if batch_size:
        options["batch_size"] = batch_size
    return services.run_job(job=job, **options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", default=100_000)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--no-trace", action="store_true")
    parser.add_argument("--per-row", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    database = _setup_django(args.keep)
    from loudou.core.startup import load_and_freeze
    from loudou.imports import services

    load_and_freeze()  # as `loudou worker`, which runs the imports, does at start

    actor = _admin()
    folder = Path(tempfile.mkdtemp(prefix="loudou-import-file-"))
    path = folder / f"leads-{args.rows}.csv"
    started = time.perf_counter()
    write_csv(path, args.rows)
    size = path.stat().st_size / 1e6
    say(
        f"file: {args.rows:,} rows, {size:.1f} MB, written in {time.perf_counter() - started:.1f} s"
    )
    _warm_up(actor, folder)
    last = [time.perf_counter(), 0]
    checkpoints = [args.rows // 10, args.rows // 2, args.rows * 2]

    def progress(job) -> None:
        now = time.perf_counter()
        if now - last[0] >= 10:
            rate = (job.progress - last[1]) / (now - last[0])
            traced = tracemalloc.get_traced_memory()[1] / 1e6 if tracemalloc.is_tracing() else 0
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            say(
                f"  {job.progress:,}/{job.total:,} rows, {rate:,.0f} rows/s, "
                f"peak traced {traced:.1f} MB, peak RSS {rss:.1f} MB"
            )
            last[:] = [now, job.progress]
            if job.progress >= checkpoints[0]:  # RSS at 10 %, 50 %: is it still growing?
                say(f"  peak RSS at {job.progress:,} rows: {rss:.1f} MB")
                checkpoints.pop(0)

    if not args.no_trace:
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    job = _run(
        services, actor, path, batch_size=args.batch_size, per_row=args.per_row, progress=progress
    )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] / 1e6 if tracemalloc.is_tracing() else None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    say(
        f"{job.status}: {job.total:,} rows — imported {job.imported:,}, duplicates "
        f"{job.duplicates:,}, rejected {job.rejected:,}, merged {job.merged:,}"
    )
    say(f"database: {database}")
    say(f"throughput: {job.progress / elapsed:,.0f} rows/s ({elapsed:.1f} s)")
    # CPU time of this process alone (the database work of SQLite is included, a
    # PostgreSQL server's is not): the figure to compare when the machine is shared
    say(f"per CPU second: {job.progress / cpu:,.0f} rows ({cpu:.1f} s CPU)")
    if peak is not None:
        say(f"peak traced memory (tracemalloc): {peak:.1f} MB")
    say(f"peak RSS (ru_maxrss): {rss:.1f} MB")
    if not args.keep and not os.environ.get("LOUDOU_DATABASE_URL"):
        Path(database).unlink(missing_ok=True)
    path.unlink(missing_ok=True)
    return 0 if job.status == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
