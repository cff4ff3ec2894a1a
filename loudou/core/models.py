"""Base models shared by every domain app, and the append-only audit log."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Adds created_at / updated_at to a model."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


def widen_update_fields(kwargs: dict, sources: set[str], derived: list[str]) -> None:
    """In save(**kwargs): an `update_fields` that names one of `sources` also writes the
    fields `derived` from them (which save() has just recomputed)."""
    fields = kwargs.get("update_fields")
    if fields is not None and sources & set(fields):
        kwargs["update_fields"] = {*fields, *derived}


def localized_name(obj) -> str:
    """`name_en` for English users when it is filled in, else the Chinese `name`."""
    from django.utils.translation import get_language

    if (get_language() or "").startswith("en") and getattr(obj, "name_en", ""):
        return obj.name_en
    return obj.name


class ReferenceItem(models.Model):
    """An entry of a short configurable list (region, industry, lost reason, …) with
    Chinese and English names; shown in the viewer's language."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return localized_name(self)


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event."""


def _erased(change: dict, fields: set[str], value: str) -> dict:
    if not isinstance(change, dict) or change.get("field") not in fields:
        return change
    return {
        **change,
        **{side: value for side in ("before", "after") if change.get(side) not in (None, "")},
    }


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit events cannot be deleted")

    def for_object(self, obj: models.Model) -> "EventQuerySet":
        ct = ContentType.objects.get_for_model(obj)
        return self.filter(content_type=ct, object_id=obj.pk)

    def erase_values(self, *, objects, fields: set[str], value: str) -> int:
        """The one change the log allows (PIPL erasure, compliance.subjects): in the
        events about `objects`, the before/after of `fields` that held something become
        `value`. Who did what and when stays. Returns how many events changed."""
        changed = 0
        for obj in objects:
            for event in self.for_object(obj).exclude(changes=[]):
                changes = [_erased(change, fields, value) for change in event.changes]
                if changes != event.changes:
                    models.QuerySet.update(self.filter(pk=event.pk), changes=changes)
                    changed += 1
        return changed


class Event(models.Model):
    """One entry of the audit log: who did what to which record, before → after.

    Append-only: the model refuses updates and deletes; nothing in the UI or API edits it.
    """

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verb = models.CharField(_("动作"), max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    changes = models.JSONField(_("变更"), default=list, blank=True)
    reason = models.TextField(_("原因"), blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.verb} {self.content_type_id}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")
