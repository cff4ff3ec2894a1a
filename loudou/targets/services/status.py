"""Marking a milestone or an improvement action done or open again: one conditional
UPDATE (of two clicks at once only one changes it), audited once as `<kind>.done` /
`<kind>.reopened`. Both models have `status` (open/done) and `done_at`."""

from datetime import datetime

from django.db import models

from loudou.core import audit
from loudou.org.models import User

OPEN, DONE = "open", "done"


def set_done(obj: models.Model, actor: User, *, done: bool, now: datetime, kind: str) -> bool:
    """Move `obj` to done (done_at = now) or back to open; False when it already was."""
    model = type(obj)
    before, after = (OPEN, DONE) if done else (DONE, OPEN)
    values = {"status": after, "done_at": now if done else None}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        values["updated_at"] = now
    won = model.objects.filter(pk=obj.pk, status=before).update(**values)
    obj.refresh_from_db()
    if won:
        changes = [{"field": "status", "before": before, "after": after}]
        verb = f"{kind}.done" if done else f"{kind}.reopened"
        audit.record(obj=obj, actor=actor, verb=verb, changes=changes)
    return bool(won)
