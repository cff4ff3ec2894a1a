"""Does an import stay in bounded memory? `uv run python bench/import_memory.py [ROWS]`.

Formerly loudou/imports/tests/test_memory.py (ten minutes of the unit suite at 100,000
rows): timings and memory targets live in bench/, never in unit tests. The reader's own
streaming is still checked by a unit test (test_readers: 100,000 rows read within 2 MB
traced).

Generates ROWS lead rows (default 100,000) as a CSV file, imports them with the services
the UI, the API and `loudou import` use, and prints the peak resident memory of this
process during the import above what it was just before (sampled every 20 ms from
/proc/self/statm), measured after a small warm-up import has loaded what every process
loads once (pypinyin's dictionaries, phone metadata); with --trace, the peak traced by
tracemalloc (Python objects only, about four times slower) instead.

Targets: the peak stays under 64 MB — one batch of rows and their leads (200 rows, a few
KB each), the duplicate candidates of a batch (at most 200 per company-key prefix),
bounded caches (company-name parsing and pinyin: 20,000 entries each; parsed duplicate
candidates: 30,000, about 12 MB; search keys: 4,096; the converter's lookups: 10,000),
SQLite's page cache (2 MB) and the allocator's slack — and nothing grows with the file:
the peak over the whole file is within 8 MB of the peak over its first half (by then
every cache has filled up at least once). Exit status 1 when a target is missed.

Database: a throwaway SQLite file under /tmp, or LOUDOU_DATABASE_URL (an empty,
migratable database).
"""

import argparse
import csv
import os
import shutil
import sys
import tempfile
import threading
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.import_bench import _admin, _setup_django, say  # noqa: E402

MB = 1024 * 1024
BOUND_MB = 64
GROWTH_MB = 8
CITIES = ["北京", "上海", "杭州", "深圳", "广州", "成都", "南京", ""]
WORDS = "华泰恒远博达鼎盛创新瑞丰金源天成宏图海纳中联星辰云帆众合智能汇通安信永泰"
TRADES = ["科技", "贸易", "电子", "制造", "物流", "软件"]


def _company(i: int) -> str:
    n = len(WORDS)
    core = WORDS[i % n] + WORDS[(i // n) % n] + WORDS[(i // n // n) % n]
    return f"{CITIES[i % len(CITIES)]}{core}{TRADES[i % len(TRADES)]}{i // 30000}有限公司"


def write(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["公司名称", "联系人", "手机", "邮箱", "来源", "备注"])
        for i in range(rows):
            notes = "来自展会名单" if i % 3 == 0 else ""
            email = f"c{i}@example{i % 89}.com"
            writer.writerow([_company(i), f"联系人{i % 500}", f"139{i:08d}", email, "展会", notes])


def _import(actor, path: Path, on_progress=None):
    from loudou.imports import services

    with path.open("rb") as handle:
        job = services.create_job(actor=actor, upload=handle, original_name=path.name)
    job = services.set_mapping(actor=actor, job=job, mapping=job.mapping, owner=actor)
    return services.run_job(job=job, on_progress=on_progress)


class Peak:
    """The peak of a memory figure while the import runs: tracemalloc's, or the resident
    size sampled by a thread."""

    def __init__(self, traced: bool):
        self.traced, self.base, self.peak = traced, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as handle:  # noqa: PTH123
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.rss() - self.base)

    def now(self) -> int:
        return tracemalloc.get_traced_memory()[1] if self.traced else self.peak

    def __enter__(self) -> "Peak":
        if self.traced:
            tracemalloc.start()
        else:
            self.base = self.rss()
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.traced:
            self.peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        else:
            self._stop.set()
            self._thread.join()
            self.peak = max(self.peak, self.rss() - self.base)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", default=100_000)
    parser.add_argument("--trace", action="store_true", help="tracemalloc, not RSS")
    args = parser.parse_args(argv)
    database = _setup_django(keep=False)
    actor = _admin()
    folder = Path(tempfile.mkdtemp(prefix="loudou-import-memory-"))
    warm = folder / "warm.csv"
    warm.write_text("公司名称,手机\n预热测试有限公司,13700000000\n", encoding="utf-8")
    warmed = _import(actor, warm)
    path = folder / "leads.csv"
    write(path, args.rows)
    half, early = args.rows // 2, []

    def watch(job) -> None:
        if job.progress >= half and not early:
            early.append(memory.now())

    with Peak(traced=args.trace) as memory:
        job = _import(actor, path, on_progress=watch)
    kind = "traced" if args.trace else "resident"
    say(
        f"{job.status}: {job.progress:,} rows, imported {job.imported:,}, rejected {job.rejected:,}"
    )
    say(f"peak {kind} memory above the start: {memory.peak / MB:.1f} MB (target < {BOUND_MB} MB)")
    growth = (memory.peak - early[0]) / MB if early else 0.0
    say(f"growth after {half:,} rows: {growth:.1f} MB (target < {GROWTH_MB} MB)")
    if not os.environ.get("LOUDOU_DATABASE_URL"):
        Path(database).unlink(missing_ok=True)
    from django.conf import settings

    shutil.rmtree(folder)
    for stored in (warmed.file, job.file):  # the copies under DATA_DIR/imports
        Path(stored).unlink(missing_ok=True)
    data = Path(settings.DATA_DIR)
    if data.name.startswith("loudou-import-bench-"):  # import_bench._setup_django's own
        shutil.rmtree(data)
    ok = job.status == "done" and memory.peak < BOUND_MB * MB and growth < GROWTH_MB
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
