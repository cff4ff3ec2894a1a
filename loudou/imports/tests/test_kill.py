"""A real SIGKILL: `loudou import FILE` runs in another process, is killed between (or
inside) batches, and `loudou import --resume JOB_ID` ends with exactly the file's rows."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from loudou.imports.models import ImportJob, ImportRow
from loudou.leads.models import Lead

ROWS = 1000


def _env(tmp_path: Path) -> dict[str, str]:
    """The child's settings: this test's database (a file on SQLite, the test database on
    PostgreSQL), no debug."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "loudou.settings", "LOUDOU_DEBUG": "0"}
    env["LOUDOU_DATA_DIR"] = str(tmp_path)
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env.pop("LOUDOU_DATABASE_URL", None)
        env["LOUDOU_SQLITE_PATH"] = str(db["NAME"])
    else:
        env["LOUDOU_DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or 'localhost'}"
            f":{db['PORT'] or 5432}/{db['NAME']}"
        )
    return env


def _wait_for_progress(process: subprocess.Popen, timeout: float = 120) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ImportJob.objects.order_by("-pk").first()
        if job is not None and job.progress > 0:
            return job
        if process.poll() is not None:
            pytest.fail(f"the import ended before it was killed: {process.stdout.read()}")
        time.sleep(0.02)
    pytest.fail("no progress")
    return None


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_halfway_and_resumed_has_exactly_the_rows_of_the_file(rep, tmp_path):
    # given: a file of ROWS leads, imported by another process in batches of 20
    path = tmp_path / "leads.csv"
    lines = [f"公司{i:05d}有限公司,139{i:08d}\n" for i in range(ROWS)]
    path.write_text("公司名称,手机\n" + "".join(lines), encoding="utf-8")
    command = [sys.executable, "-m", "loudou.cli", "import", str(path)]
    command += ["--as", "rep", "--owner", "rep", "--batch-size", "20"]
    process = subprocess.Popen(  # noqa: S603
        command, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    # when: it is killed as soon as a batch is committed, then resumed
    try:
        job = _wait_for_progress(process)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    job.refresh_from_db()
    killed_at = job.progress
    assert (job.status, job.is_interrupted) == ("running", True)
    assert 0 < killed_at < ROWS
    call_command("import", resume=job.pk, stdout=io.StringIO())
    # then
    job.refresh_from_db()
    assert (job.status, job.progress, job.imported, job.duplicates) == ("done", ROWS, ROWS, 0)
    names = list(Lead.objects.order_by("company_name").values_list("company_name", flat=True))
    assert names == [f"公司{i:05d}有限公司" for i in range(ROWS)]
    rows = ImportRow.objects.filter(job=job)
    assert sorted(rows.values_list("line", flat=True)) == list(range(2, ROWS + 2))
    assert set(rows.values_list("outcome", flat=True)) == {"imported"}
