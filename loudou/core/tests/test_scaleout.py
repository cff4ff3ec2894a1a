"""Scale-out (ADR 0018): the Redis task queue and the analytics read replica.

The tests that need a service run when it is there and are skipped otherwise: CI starts
redis-server and a streaming replica of its PostgreSQL and sets LOUDOU_TEST_REDIS_URL and
LOUDOU_REPLICA_DATABASE_URL (.ci/run); elsewhere, set them by hand."""

import os
import time
import uuid

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from django.tasks import task_backends
from django.tasks.base import TaskResultStatus

from loudou.core.replica import REPLICA, ReplicaRouter, _same_database, replica_reads
from loudou.core.tests import queue_jobs
from loudou.org.models import User
from loudou.org.tests.factories import UserFactory

REDIS_URL = os.environ.get("LOUDOU_TEST_REDIS_URL", "")
REPLICA_URL = os.environ.get("LOUDOU_REPLICA_DATABASE_URL", "")

needs_redis = pytest.mark.skipif(
    not REDIS_URL, reason="no Redis: set LOUDOU_TEST_REDIS_URL (CI starts redis-server)"
)
needs_replica = pytest.mark.skipif(
    not REPLICA_URL or connections["default"].vendor != "postgresql",
    reason="no read replica: set LOUDOU_REPLICA_DATABASE_URL to a streaming replica of the"
    " PostgreSQL in LOUDOU_DATABASE_URL (CI starts one)",
)


# --- the router, without any replica -------------------------------------------------------


def test_writes_and_migrations_never_use_the_replica():
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_write(User) == "default"
    assert router.allow_migrate(REPLICA, "leads") is False
    assert router.allow_migrate("default", "leads") is True


def test_reads_stay_on_default_unless_marked_or_when_the_replica_mirrors_default(db):
    router = ReplicaRouter()
    assert router.db_for_read(User) is None
    with replica_reads():  # no `replica` alias here, or (in tests) a mirror of default
        assert router.db_for_read(User) is None


def test_a_replica_that_names_the_default_database_is_the_same_database():
    default = {"ENGINE": "postgresql", "NAME": "loudou", "HOST": "127.0.0.1", "PORT": 5432}
    assert _same_database(default, dict(default))
    assert not _same_database(default, {**default, "PORT": 5433})


def test_the_decorator_marks_only_the_call():
    seen = []

    @replica_reads
    def read():
        from loudou.core.replica import _reading

        seen.append(_reading.get())

    read()
    from loudou.core.replica import _reading

    assert seen == [True]
    assert _reading.get() is False


# --- the Redis task queue ------------------------------------------------------------------


@pytest.fixture
def redis_tasks(settings):
    prefix = f"loudou_test_{uuid.uuid4().hex[:12]}"
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_redis.RedisTaskBackend",
            "QUEUES": [],
            "OPTIONS": {"REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": prefix},
        }
    }
    settings.LOUDOU_PERIODIC_TASKS = []
    queue_jobs.ran.clear()
    yield task_backends["default"]
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


@needs_redis
def test_a_task_enqueued_to_redis_is_run_by_the_worker(redis_tasks, db):
    # given: a task waiting in Redis
    result = queue_jobs.add.enqueue(2, 3)
    assert redis_tasks.get_result(result.id).status == TaskResultStatus.READY
    assert queue_jobs.ran == []
    # when
    call_command("worker", "--once", verbosity=0)
    # then: the worker took it from Redis, ran it once and stored the outcome there
    stored = redis_tasks.get_result(result.id)
    assert stored.status == TaskResultStatus.SUCCESSFUL
    assert stored.return_value == 5
    assert queue_jobs.ran == [(2, 3)]


@needs_redis
def test_the_worker_leaves_an_empty_redis_queue_at_once(redis_tasks, db):
    call_command("worker", "--once", verbosity=0)
    assert queue_jobs.ran == []


# --- the read replica ----------------------------------------------------------------------


@pytest.fixture
def real_replica():
    """Point the `replica` alias (a test mirror of default) at the replica server, at the
    test database, which streaming replication copies there with everything else."""
    import dj_database_url

    replica = connections[REPLICA]
    mirrored = replica.settings_dict
    server = dj_database_url.parse(REPLICA_URL)
    replica.close()
    replica.settings_dict = {
        **mirrored,
        "HOST": server["HOST"],
        "PORT": server["PORT"],
        "NAME": connections["default"].settings_dict["NAME"],
        "TEST": {},  # the real standby, not the test mirror of default
    }
    yield replica
    replica.close()
    replica.settings_dict = mirrored


def _wait_until(check, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


@needs_replica
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_a_marked_read_goes_to_the_streaming_replica_and_sees_the_primarys_writes(
    real_replica,
):
    # given: a user written (and committed) on the primary
    user = UserFactory(username="replicated")
    # when: read through the router inside replica_reads
    with replica_reads():
        found = _wait_until(lambda: User.objects.filter(username="replicated").exists())
        queryset = User.objects.filter(pk=user.pk)
        assert queryset.db == REPLICA
        read = queryset.get()
    # then: replication brought it over, and that server is a replica (read-only)
    assert found
    assert read.pk == user.pk
    assert read._state.db == REPLICA
    with real_replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)


@needs_replica
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_writes_and_reads_in_a_transaction_stay_on_the_primary(real_replica):
    with replica_reads():
        user = UserFactory(username="written-on-primary")  # a write: default
        assert User.objects.filter(pk=user.pk).db == REPLICA
        with transaction.atomic():
            # inside a transaction reads see its own writes: default
            assert User.objects.filter(pk=user.pk).db == "default"
            User.objects.filter(pk=user.pk).update(display_name="改名")
    assert User.objects.get(pk=user.pk).display_name == "改名"


# --- which reads are marked: the analytics pages, the analytics API, the home dashboard ---


@pytest.fixture
def marks(monkeypatch):
    """Wrap the analytics services the pages call: record whether each call ran marked
    for the replica (`replica_reads`), then run it."""
    from loudou.analytics import api, views
    from loudou.analytics.services import dashboards
    from loudou.core.replica import _reading

    seen: list[tuple[str, bool]] = []

    def spy(name, real):
        def wrapper(*args, **kwargs):
            seen.append((name, _reading.get()))
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(dashboards, "dashboard", spy("dashboard", dashboards.dashboard))
    monkeypatch.setattr(views, "funnel", spy("page funnel", views.funnel))
    monkeypatch.setattr(api, "funnel", spy("api funnel", api.funnel))
    return seen


def test_the_home_dashboard_analytics_pages_and_api_read_marked(marks, client, director):
    client.force_login(director)
    assert client.get("/").status_code == 200
    assert client.get("/analytics/").status_code == 200
    assert client.get("/api/analytics/funnel").status_code == 200
    assert marks == [("dashboard", True), ("page funnel", True), ("api funnel", True)]
