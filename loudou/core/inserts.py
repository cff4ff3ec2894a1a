"""Many new rows in a few multi-row INSERT statements, prepared as the ORM prepares them.

No signals, like `bulk_create`, whose per-value overhead it avoids: that overhead was
most of an import's time (a batch of 200 leads writes about 1,600 rows), and building a
model instance for each row much of the rest: rows may come as dicts instead.
"""

from collections.abc import Callable
from datetime import datetime
from operator import attrgetter
from typing import Any

from django.db import connections, router
from django.utils import timezone

#: Field types whose attribute value is already what the database driver takes.
_PLAIN_TYPES = {
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}
_ROWS_PER_INSERT = 500


def _preparer(field, connection) -> Callable[[Any], Any]:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
    if field.get_internal_type() in _PLAIN_TYPES:
        return attrgetter(field.attname)
    return lambda obj: field.get_db_prep_save(getattr(obj, field.attname), connection)


def _value_preparer(field, connection, now: datetime) -> Callable[[dict], Any]:
    """_preparer for a row given as {attname: value}: a missing value is the field's
    default (an auto_now field's: `now`)."""
    name = field.attname
    if field.get_internal_type() in _PLAIN_TYPES:
        prepare = lambda value: value  # noqa: E731
    else:
        prepare = lambda value: field.get_db_prep_save(value, connection)  # noqa: E731
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        default = field.get_db_prep_save(now, connection)
        return lambda row: default if row.get(name) is None else prepare(row[name])
    if field.has_default() and callable(field.default):
        get_default = field.get_default
    else:
        fixed = field.get_default()
        get_default = lambda: fixed  # noqa: E731
    return lambda row: prepare(row[name] if name in row else get_default())


def insert_rows(
    model, objs: list, *, returning: bool = False, ignore_conflicts: bool = False
) -> None:
    """INSERT `objs` (new instances of a model with an auto id, or rows as dicts of
    {attname: value} where a missing value takes the field's default) in multi-row
    statements, each column prepared as the ORM prepares it; with `returning` the ids are
    set on the instances; with `ignore_conflicts` a row a unique constraint refuses is
    skipped. No signals are sent (as with bulk_create)."""
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.pk]
    if as_dicts := isinstance(objs[0], dict):
        now = timezone.now()
        prepare = [_value_preparer(f, connection, now) for f in fields]
    else:
        prepare = [_preparer(f, connection) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if returning and not as_dicts:
        tail += f" RETURNING {quote(meta.pk.column)}"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), _ROWS_PER_INSERT):
            chunk = objs[start : start + _ROWS_PER_INSERT]
            params = [p(obj) for obj in chunk for p in prepare]
            sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608
            cursor.execute(sql + ", ".join([one] * len(chunk)) + tail, params)
            if returning and not as_dicts:
                for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                    obj.pk = pk
    if not as_dicts:
        for obj in objs:
            obj._state.adding, obj._state.db = False, connection.alias
