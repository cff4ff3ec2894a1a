import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from loudou.leads.models import Lead, LeadSequence
from loudou.leads.services import register_lead
from loudou.leads.services.numbering import next_lead_numbers

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_next_lead_numbers_reserves_consecutive_numbers(db):
    # when
    first = next_lead_numbers(2031, 3)
    second = next_lead_numbers(2031)

    # then
    assert first == ["LX2031000001", "LX2031000002", "LX2031000003"]
    assert second == ["LX2031000004"]
    assert LeadSequence.objects.get(year=2031).last == 4


def test_each_year_has_its_own_sequence(db):
    # given
    next_lead_numbers(2031, 5)

    # when
    numbers = next_lead_numbers(2032, 2)

    # then
    assert numbers == ["LX2032000001", "LX2032000002"]
    assert next_lead_numbers(2031) == ["LX2031000006"]


def test_number_year_is_the_local_year_of_capture(rep):
    # given 2026-01-01 00:30 in Shanghai is still 2025 in UTC
    new_year = datetime(2026, 1, 1, 0, 30, tzinfo=SHANGHAI)
    old_year = datetime(2025, 12, 31, 23, 30, tzinfo=SHANGHAI)

    # when
    late = register_lead(actor=rep, values={"company_name": "甲公司"}, captured_at=old_year)
    early = register_lead(actor=rep, values={"company_name": "乙公司"}, captured_at=new_year)

    # then
    assert (late.number, early.number) == ("LX2025000001", "LX2026000001")


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_consecutive_numbers(rep):
    # given
    threads, per_thread = 8, 5
    captured_at = datetime(2026, 5, 20, 10, 0, tzinfo=SHANGHAI)
    start = threading.Barrier(threads)

    def register_some(thread: int) -> list[str]:
        try:
            start.wait(timeout=30)
            return [
                register_lead(
                    actor=rep,
                    values={"company_name": f"并发测试{thread}-{i}", "phone": "13812345678"},
                    captured_at=captured_at,
                ).number
                for i in range(per_thread)
            ]
        finally:
            connection.close()

    # when
    with ThreadPoolExecutor(max_workers=threads) as pool:
        batches = list(pool.map(register_some, range(threads)))

    # then
    numbers = [number for batch in batches for number in batch]
    assert len(set(numbers)) == 40
    assert sorted(numbers) == [f"LX2026{n:06d}" for n in range(1, 41)]
    assert Lead.objects.count() == 40
    assert LeadSequence.objects.get(year=2026).last == 40
    for batch in batches:
        assert batch == sorted(batch)
