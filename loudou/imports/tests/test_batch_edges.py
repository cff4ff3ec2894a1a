"""Edge cases of the batched import (chunks of `batch_size` rows, one transaction each):
duplicates inside one chunk and across chunks, a refused row between accepted ones, and
a chunk that fails while it is written."""

import io
from datetime import UTC, datetime

import pytest
import time_machine

from loudou.core.models import Event
from loudou.customers.models import Contact, Customer
from loudou.imports import services
from loudou.imports.models import ImportJob, ImportRow
from loudou.leads.models import DedupePolicy, Lead
from loudou.leads.services import bulk

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CSV = (
    "公司名称,联系人,手机,阶段\n"
    "甲公司,张三,13812345678,\n"  # chunk 1: imported
    "乙公司,李四,13900000002,\n"  # chunk 1: imported
    "丙公司,王五,13812345678,\n"  # chunk 1: the phone of 甲公司, in the same chunk
    "丁公司,赵六,13812345678,\n"  # chunk 2: the phone of 甲公司, from the chunk before
    "戊公司,孙八,13900000005,未知阶段\n"  # chunk 2: refused (no such stage)
    "己公司,钱七,13900000006,\n"  # chunk 2: imported
)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def blocking(db):
    DedupePolicy.objects.update_or_create(pk=1, defaults={"import_action": "block"})


def _job(user) -> ImportJob:
    job = services.create_job(actor=user, upload=io.BytesIO(CSV.encode()), original_name="a.csv")
    return services.set_mapping(actor=user, job=job, mapping=job.mapping, owner=user)


def _outcomes(job) -> list[tuple[str, str]]:
    rows = ImportRow.objects.filter(job=job).order_by("line")
    return [(r.values.get("公司名称") or r.lead.company_name, r.outcome) for r in rows]


def test_duplicates_in_one_chunk_and_across_chunks_are_refused_and_write_nothing(
    manager, blocking, frozen
):
    # when: chunks of three rows
    job = services.run_job(job=_job(manager), batch_size=3)
    # then
    assert (job.status, job.imported, job.rejected, job.duplicates) == ("done", 3, 3, 0)
    assert _outcomes(job) == [
        ("甲公司", "imported"),
        ("乙公司", "imported"),
        ("丙公司", "rejected"),
        ("丁公司", "rejected"),
        ("戊公司", "rejected"),
        ("己公司", "imported"),
    ]
    names = ["甲公司", "乙公司", "己公司"]
    assert sorted(Lead.objects.values_list("company_name", flat=True)) == sorted(names)
    # the refused rows left no customer, contact or event behind
    assert sorted(Customer.objects.values_list("name", flat=True)) == sorted(names)
    assert sorted(Contact.objects.values_list("name", flat=True)) == ["张三", "李四", "钱七"]
    created = Event.objects.filter(verb__in=["lead.created", "customer.created"]).count()
    assert created == 2 * 3


def test_a_chunk_that_fails_while_written_leaves_nothing_of_itself(
    manager, blocking, frozen, monkeypatch
):
    # given: the second chunk's audit events cannot be written (its last insert)
    real, calls = bulk.LeadBatch._events, []

    def events(self):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(self)

    monkeypatch.setattr(bulk.LeadBatch, "_events", events)
    job = _job(manager)
    # when
    with pytest.raises(RuntimeError):
        services.run_job(job=job, batch_size=3)
    # then: the first chunk is kept whole; of the second, not a lead, customer or row
    job.refresh_from_db()
    assert (job.progress, job.imported, job.rejected) == (3, 2, 1)
    assert sorted(Lead.objects.values_list("company_name", flat=True)) == ["乙公司", "甲公司"]
    assert Customer.objects.count() == 2
    assert Contact.objects.count() == 2
    assert ImportRow.objects.filter(job=job).count() == 3
    assert Event.objects.filter(verb="lead.created").count() == 2


@pytest.mark.parametrize(("threshold", "refreshed"), [(3, True), (4, False)])
def test_a_large_import_refreshes_the_planners_statistics_when_it_ends(
    manager, blocking, frozen, monkeypatch, threshold, refreshed
):
    """The reports read after an import are planned with its rows counted (3 imported)."""
    from loudou.imports.services import run

    calls = []
    monkeypatch.setattr(run, "STATISTICS_AFTER_ROWS", threshold)
    monkeypatch.setattr(run, "refresh_statistics", lambda: calls.append("refresh"))
    # when
    job = services.run_job(job=_job(manager), batch_size=3)
    # then
    assert job.imported == 3
    assert calls == (["refresh"] if refreshed else [])
