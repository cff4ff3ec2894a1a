"""Recording changes in the audit log: the one way events are written."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from loudou.core.models import Event
from loudou.core.text import field_labels, refuse_control_characters


def plain(value: Any) -> Any:
    """`value` as the log stores it: models and dates as text, decimals as strings."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields`, as comparable plain values."""
    return {name: plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """[{field, before, after}] for every field whose value changed."""
    return [
        {"field": name, "before": before.get(name), "after": after[name]}
        for name in after
        if before.get(name) != after[name]
    ]


def record(
    *, obj: models.Model, actor, verb: str, changes: list | None = None, reason: str = ""
) -> Event:
    """Append one event about `obj`."""
    return Event.objects.create(
        actor=actor,
        verb=verb,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        changes=changes or [],
        reason=reason,
    )


def history(obj: models.Model):
    """The events about `obj`, newest first, with their actors."""
    return Event.objects.for_object(obj).select_related("actor")


def save_with_audit(*, obj: models.Model, actor, verb: str, values: dict[str, Any]) -> list:
    """Set `values` on `obj`, validate, save and record what changed. Returns the changes.

    The caller holds the transaction; a ValidationError leaves nothing written (a control
    character in a text value is one).
    """
    refuse_control_characters(values, field_labels(type(obj)))
    creating = obj.pk is None
    before = {} if creating else snapshot(obj, values)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    after = snapshot(obj, values)
    changes = diff(before, after)
    if creating or changes:
        obj.save()
        record(obj=obj, actor=actor, verb=verb, changes=changes)
    return changes
