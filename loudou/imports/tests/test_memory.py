"""A 100,000-row import stays in bounded memory (the 1,000,000-row case is measured by
`bench/import_bench.py`).

What is measured: the peak resident memory of this process during the import above what
it was just before (sampled every 20 ms from /proc/self/statm), after a small warm-up
import has loaded what every process loads once (pypinyin's dictionaries, phone
metadata). With LOUDOU_IMPORT_MEMORY_TRACE=1 the peak traced by tracemalloc (Python
objects only) is asserted instead; tracemalloc slows this allocation-heavy code about
fourfold, which is why it is not the default (the bench prints both figures).

The bound, 64 MB, is what a streaming import needs: one batch of rows and their leads
(200 rows, a few KB each), the duplicate candidates of a batch (at most 200 per
company-key prefix), bounded caches (company-name parsing and pinyin: 20,000 entries
each; parsed duplicate candidates: 30,000, about 12 MB; search keys: 4,096; the
converter's lookups: 10,000), SQLite's page cache (2 MB) and the allocator's slack.
Nothing there grows with the file, and the test checks that too: the peak over the whole
file is within 8 MB of the peak over its first half (by then every
cache has filled up at least once).
"""

import csv
import os
import threading
import tracemalloc
from pathlib import Path

import pytest
from django.db import connection

from loudou.imports import services
from loudou.imports.models import ImportRow
from loudou.leads.models import Lead

ROWS = int(os.environ.get("LOUDOU_IMPORT_MEMORY_ROWS", "100000"))  # smaller for a quick look
EARLY = ROWS // 2
TRACE = os.environ.get("LOUDOU_IMPORT_MEMORY_TRACE") == "1"
BOUND_MB = 64
GROWTH_MB = 8
CITIES = ["北京", "上海", "杭州", "深圳", "广州", "成都", "南京", ""]
WORDS = "华泰恒远博达鼎盛创新瑞丰金源天成宏图海纳中联星辰云帆众合智能汇通安信永泰"
TRADES = ["科技", "贸易", "电子", "制造", "物流", "软件"]


def _company(i: int) -> str:
    n = len(WORDS)
    core = WORDS[i % n] + WORDS[(i // n) % n] + WORDS[(i // n // n) % n]
    return f"{CITIES[i % len(CITIES)]}{core}{TRADES[i % len(TRADES)]}{i // 30000}有限公司"


def _write(path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["公司名称", "联系人", "手机", "邮箱", "来源", "备注"])
        for i in range(rows):
            notes = "来自展会名单" if i % 3 == 0 else ""
            email = f"c{i}@example{i % 89}.com"
            writer.writerow([_company(i), f"联系人{i % 500}", f"139{i:08d}", email, "展会", notes])


def _import(actor, path, on_progress=None):
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


@pytest.mark.skipif(not Path("/proc/self/statm").exists() and not TRACE, reason="Linux only")
@pytest.mark.skipif(
    connection.vendor != "sqlite" and "LOUDOU_IMPORT_MEMORY_ROWS" not in os.environ,
    reason="runs once per CI, on SQLite (minutes at 100k rows); the bound is the streaming "
    "code's, not the database's — bench/import_bench.py measures PostgreSQL",
)
def test_a_100k_row_import_stays_within_a_memory_bound(rep, tmp_path, settings):
    # given
    settings.DATA_DIR = tmp_path
    warm = tmp_path / "warm.csv"
    warm.write_text("公司名称,手机\n预热测试有限公司,13700000000\n", encoding="utf-8")
    _import(rep, warm)
    path = tmp_path / "leads.csv"
    _write(path, ROWS)
    early = []

    def watch(job) -> None:
        if job.progress >= EARLY and not early:
            early.append(memory.now())

    # when
    with Peak(traced=TRACE) as memory:
        job = _import(rep, path, on_progress=watch)
    # then
    assert (job.status, job.imported, job.rejected) == ("done", ROWS, 0)
    assert Lead.objects.filter(external_ref__startswith="import:").count() == ROWS + 1
    assert ImportRow.objects.filter(job=job).count() == ROWS
    mb = 1024 * 1024
    figures = f"peak {memory.peak / mb:.1f} MB, {early[0] / mb:.1f} MB after {EARLY} rows"
    assert memory.peak < BOUND_MB * mb, figures
    assert memory.peak - early[0] < GROWTH_MB * mb, figures
    print(f"\n{ROWS} rows, {'traced' if TRACE else 'resident'}: {figures}")  # noqa: T201
