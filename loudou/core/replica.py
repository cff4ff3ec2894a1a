"""Analytics reads on a read replica (ADR 0018).

With `LOUDOU_REPLICA_DATABASE_URL` set, settings add the database alias `replica` (a
streaming replica of the default database) and `ReplicaRouter`. Code that only reads and
may see data a moment old marks the part that reads with `replica_reads()` (a context
manager and a decorator); the analytics pages, the analytics API and the home dashboard
do. Everything else is unchanged:

- writes always go to `default`, and so does any read inside a transaction of `default`
  (an `atomic` block must see its own writes, and a replica lags behind);
- without the setting, or when `replica` points at the same database as `default` (in
  tests it is a test mirror of `default`), every read stays on `default`;
- migrations run on `default` only (a replica is read-only; it receives them by
  replication).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading: ContextVar[bool] = ContextVar("loudou_replica_reads", default=False)


@contextmanager
def _marked() -> Iterator[None]:
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_reads(func=None):
    """`with replica_reads():` or `@replica_reads`: reads inside may use the replica."""
    if func is None:
        return _marked()

    @wraps(func)
    def wrapper(*args, **kwargs):
        with _marked():
            return func(*args, **kwargs)

    return wrapper


def _same_database(a: dict, b: dict) -> bool:
    keys = ("ENGINE", "NAME", "HOST", "PORT")
    return all((a.get(k) or "") == (b.get(k) or "") for k in keys)


def replica_alias() -> str | None:
    """The alias reads marked `replica_reads` use now, or None (read `default`)."""
    if not _reading.get() or REPLICA not in connections.settings:
        return None
    default = connections[DEFAULT_DB_ALIAS]
    if default.in_atomic_block:
        return None
    replica = connections[REPLICA].settings_dict
    if _same_database(replica, default.settings_dict) or _mirror_under_test(replica, default):
        return None
    return REPLICA


def _mirror_under_test(replica: dict, default) -> bool:
    """Whether the tests run on their test database and the replica is its TEST MIRROR
    (settings): then the replica *is* the default database. Django points the mirror's
    connection at the test database only in the thread that set the tests up; a live
    server's threads open it from the settings, so the router must say it."""
    if replica.get("TEST", {}).get("MIRROR") != DEFAULT_DB_ALIAS:
        return False
    return default.settings_dict["NAME"] == default.creation._get_test_db_name()


class ReplicaRouter:
    """Marked reads to the replica; writes, relations and migrations as without it."""

    def db_for_read(self, model, **hints):
        return replica_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
