"""Keep the company aggregates (ADR 0017) through the writes that reach a lead's
aggregate dimensions without a service: `Lead.save()` of its region, capture time,
pipeline, amount or merge, and any change of its product lines
(`lead.products.set/add/remove/clear`).
Services that write with `QuerySet.update()` (moves, merges) call `aggregates.track`."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from loudou.analytics.services import aggregates
from loudou.leads.models import Lead

#: the lead fields an aggregate is keyed by
WATCHED = {
    "region",
    "region_id",
    "captured_at",
    "merged_into",
    "merged_into_id",
    "pipeline",
    "pipeline_id",
    "amount",
}
_STATE = "_aggregates_before"


@receiver(pre_save, sender=Lead, dispatch_uid="aggregates_lead_pre_save")
def _lead_before(sender, instance: Lead, update_fields=None, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    if update_fields is not None and not WATCHED & set(update_fields):
        return
    instance.__dict__[_STATE] = aggregates.begin([instance.pk])


@receiver(post_save, sender=Lead, dispatch_uid="aggregates_lead_post_save")
def _lead_after(sender, instance: Lead, **kwargs) -> None:
    state = instance.__dict__.pop(_STATE, None)
    if state is not None:
        aggregates.finish(*state)


def _lead_ids(instance, reverse: bool, pk_set) -> list[int]:
    if not reverse:
        return [instance.pk]
    if pk_set is None:  # a product line cleared of all its leads
        return list(
            Lead.products.through.objects.filter(productline_id=instance.pk).values_list(
                "lead_id", flat=True
            )
        )
    return list(pk_set)


@receiver(m2m_changed, sender=Lead.products.through, dispatch_uid="aggregates_products")
def _products_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action.startswith("pre_"):
        instance.__dict__[f"{_STATE}_{action[4:]}"] = aggregates.begin(
            _lead_ids(instance, reverse, pk_set)
        )
    elif action.startswith("post_"):
        state = instance.__dict__.pop(f"{_STATE}_{action[5:]}", None)
        if state is not None:
            aggregates.finish(*state)


@receiver(pre_delete, sender=Lead, dispatch_uid="aggregates_lead_pre_delete")
def _lead_deleting(sender, instance: Lead, **kwargs) -> None:
    instance.__dict__[f"{_STATE}_delete"] = aggregates.begin([instance.pk])


@receiver(post_delete, sender=Lead, dispatch_uid="aggregates_lead_post_delete")
def _lead_deleted(sender, instance: Lead, **kwargs) -> None:
    state = instance.__dict__.pop(f"{_STATE}_delete", None)
    if state is not None:
        aggregates.finish(*state)
