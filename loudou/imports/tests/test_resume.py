"""Interrupted imports: the lease (worker + updated_at) tells a dead run from a live one;
继续 (UI, API, `loudou import --resume`) continues after the last committed batch."""

import io
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from loudou.imports import services
from loudou.imports.models import ImportJob, ImportRow
from loudou.imports.services.run import worker_id
from loudou.leads.models import Lead
from loudou.org.services import issue_api_token

ROWS = 7
CSV = "公司名称,手机\n" + "".join(f"公司{i},1380000000{i}\n" for i in range(ROWS))


def _job(user):
    job = services.create_job(actor=user, upload=io.BytesIO(CSV.encode()), original_name="a.csv")
    return services.set_mapping(actor=user, job=job, mapping=job.mapping, owner=user)


def _stopped(user, batches=1):
    """A job whose run stopped after `batches` batches of 2 rows."""
    return services.run_job(job=_job(user), batch_size=2, max_batches=batches)


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


def _exactly_the_file(job) -> None:
    job.refresh_from_db()
    assert (job.status, job.progress, job.imported, job.worker) == ("done", ROWS, ROWS, "")
    names = sorted(Lead.objects.values_list("company_name", flat=True))
    assert names == sorted(f"公司{i}" for i in range(ROWS))
    lines = list(ImportRow.objects.filter(job=job).values_list("line", flat=True))
    assert sorted(lines) == list(range(2, ROWS + 2))


def _claim_as(job, worker, at=None):
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", worker=worker, updated_at=at or timezone.now()
    )
    job.refresh_from_db()
    return job


def test_a_run_that_stopped_is_interrupted_and_resumes_to_exactly_the_file(rep):
    # given
    job = _stopped(rep)
    assert (job.status, job.progress, job.is_interrupted) == ("running", 2, True)
    # when
    job = services.run_job(job=job, batch_size=2)
    # then
    _exactly_the_file(job)


def test_a_live_run_is_not_interrupted_and_is_not_run_twice(rep):
    # given: this process holds the lease and renewed it just now
    job = _claim_as(_stopped(rep), worker_id())
    # when / then
    assert not job.is_interrupted
    with pytest.raises(ValidationError):
        services.run_job(job=job)
    with pytest.raises(ValidationError):
        services.resume_job(actor=rep, job=job)
    assert Lead.objects.count() == 2


def test_a_run_whose_lease_expired_is_interrupted(rep, settings):
    # given: a worker on another machine stopped renewing its lease
    settings.LOUDOU_IMPORT_LEASE_SECONDS = 60
    job = _claim_as(_stopped(rep), "elsewhere:1234")
    # when / then
    assert not job.is_interrupted
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        assert job.is_interrupted


def test_a_dead_worker_on_this_machine_is_detected_at_once(rep):
    # given: the lease of a process that has exited
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],  # noqa: S603
        capture_output=True,
        text=True,
        check=True,
    )
    job = _claim_as(_stopped(rep), f"{socket.gethostname()}:{finished.stdout.strip()}")
    # when / then
    assert job.is_interrupted


def test_resuming_queues_the_job_and_the_task_finishes_it(rep, django_capture_on_commit_callbacks):
    # given
    from loudou.imports.tasks import run_import

    job = _stopped(rep)
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = services.resume_job(actor=rep, job=job)
    run_import.call(job.pk)
    # then
    assert len(callbacks) == 1
    _exactly_the_file(job)


def test_only_the_importer_or_an_admin_may_resume(rep, teammate, admin_user):
    # given
    job = _stopped(rep)
    # when / then
    with pytest.raises(PermissionDenied):
        services.resume_job(actor=teammate, job=job)
    assert services.resume_job(actor=admin_user, job=job).status == "queued"


def test_a_worker_whose_lease_was_taken_over_stops_without_writing(rep):
    # given: after its first batch the job is taken over by another worker
    def taken_over(job):
        ImportJob.objects.filter(pk=job.pk).update(worker="elsewhere:1")

    # when
    job = services.run_job(job=_job(rep), batch_size=2, on_progress=taken_over)
    # then
    assert (job.progress, job.worker, Lead.objects.count()) == (2, "elsewhere:1", 2)


def test_the_api_resumes_for_the_importer_and_hides_the_job_from_others(
    client, rep, teammate, django_capture_on_commit_callbacks
):
    # given
    job = _stopped(rep)
    url = f"/api/imports/{job.pk}/resume"
    assert client.get(f"/api/imports/{job.pk}", **_auth(rep)).json()["interrupted"] is True
    # when
    hidden = client.post(url, **_auth(teammate))
    with django_capture_on_commit_callbacks(execute=False):
        resumed = client.post(url, **_auth(rep))
    again = client.post(url, **_auth(rep))
    # then
    assert (hidden.status_code, resumed.status_code, again.status_code) == (404, 202, 422)
    assert resumed.json()["status"] == "queued"


def test_the_page_offers_to_resume_an_interrupted_job(client, rep):
    # given
    job = _stopped(rep)
    client.force_login(rep)
    # when
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    response = client.post(reverse("imports:resume", args=[job.pk]))
    # then
    assert 'id="resume"' in page
    assert "已中断" in page
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "queued"


def test_the_cli_resumes_a_job(rep):
    # given
    job = _stopped(rep)
    out = io.StringIO()
    # when
    call_command("import", resume=job.pk, stdout=out)
    # then
    assert f"resuming job #{job.pk} after row 2/{ROWS}" in out.getvalue()
    _exactly_the_file(job)
