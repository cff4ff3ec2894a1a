"""The planner's statistics are gathered after migrations and by the daily task."""

import pytest
from django.db import connection

from loudou.core.database import after_migrate
from loudou.core.tasks import refresh_planner_statistics
from loudou.leads.tests.factories import make_lead
from loudou.org.tests.factories import UserFactory


def _analyzed_lead_table() -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'leads_lead'")
            return cursor.fetchone()[0] > 0
        cursor.execute(
            "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'leads_lead'"
        )
        return bool(cursor.fetchone()[0])


def _some_leads(n: int) -> None:
    actor = UserFactory()
    for i in range(n):
        make_lead(actor=actor, owner=actor, company_name=f"统计测试公司{i}", phone=f"1381234567{i}")


def _forget_statistics() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'leads_lead'")


@pytest.mark.django_db(transaction=True)
def test_the_daily_task_gathers_the_lead_tables_statistics():
    _some_leads(3)
    _forget_statistics()
    if connection.vendor == "sqlite":
        assert not _analyzed_lead_table()
    refresh_planner_statistics.call()
    assert _analyzed_lead_table()


@pytest.mark.django_db(transaction=True)
def test_a_migrate_that_applied_nothing_leaves_them_alone():
    _some_leads(2)
    _forget_statistics()
    after_migrate(None, using="default", plan=[])
    if connection.vendor == "sqlite":
        assert not _analyzed_lead_table()
    after_migrate(None, using="default", plan=[("leads", "0001_initial")])
    assert _analyzed_lead_table()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner figures")
@pytest.mark.django_db
def test_postgresql_never_records_an_empty_table_as_analyzed():
    """An analyzed empty table's indexes count no rows until autovacuum comes again: rows
    written meanwhile in one transaction get nested loops over "free" index scans."""
    from loudou.core.database import refresh_statistics

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE probe_empty (id int PRIMARY KEY)")
        cursor.execute("CREATE TABLE probe_filled (id int PRIMARY KEY)")
        cursor.execute("INSERT INTO probe_filled VALUES (1), (2), (3)")
        refresh_statistics(tables=["probe_empty", "probe_filled"])
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('probe_empty', 'probe_filled', 'probe_filled_pkey')"
        )
        tuples = dict(cursor.fetchall())
    assert tuples == {
        "probe_empty": -1,  # never analyzed: estimated from its size on disk
        "probe_filled": 3,
        "probe_filled_pkey": 3,
    }
