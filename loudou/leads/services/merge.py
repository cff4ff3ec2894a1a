"""Merging duplicate leads (合并): the survivor takes what the duplicate knew.

The duplicate row stays (its stage ledger rows are append-only), marked `merged_into`,
invalid, and so out of the funnel (pipeline moves refuse invalid leads).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from loudou.core import audit
from loudou.leads.models import Lead
from loudou.leads.services.registration import LEAD_FIELDS, update_lead
from loudou.org.models import User


def _is_empty(lead: Lead, name: str) -> bool:
    field = Lead._meta.get_field(name)
    value = getattr(lead, name)
    if value in (None, ""):
        return True
    return bool(field.choices) and value == field.default


def _missing_values(survivor: Lead, values: dict[str, Any]) -> dict[str, Any]:
    """The given values for fields the survivor has empty."""
    return {
        name: value
        for name, value in values.items()
        if name in LEAD_FIELDS and value not in (None, "") and _is_empty(survivor, name)
    }


@transaction.atomic
def merge_values_into(*, lead: Lead, values: dict[str, Any], actor: User) -> Lead:
    """Fill `lead`'s empty fields from the values of a lead that was not created (the
    "merge" choice at entry). Fields the lead already has are kept."""
    from loudou.leads.selectors import access_lead

    lead = access_lead(actor, lead.pk)
    filled = _missing_values(lead, values)
    if filled:
        lead = update_lead(actor=actor, lead=lead, values=filled)
    audit.record(
        obj=lead,
        actor=actor,
        verb="lead.merged",
        changes=[{"field": "merged_fields", "before": None, "after": ", ".join(sorted(filled))}],
        reason=_("登记时合并重复线索"),
    )
    return lead


def _repoint(survivor: Lead, duplicate: Lead) -> dict[str, int]:
    from loudou.activities.models import FollowUp
    from loudou.activities.services.contacts import follow_status, recount

    moved = {"follow_ups": FollowUp.objects.filter(lead=duplicate).update(lead=survivor)}
    recount([survivor.pk, duplicate.pk])
    follow_status(survivor)  # the follow-ups taken over may make it contacted
    if survivor.needs.exists():
        moved["needs"] = 0
    else:
        moved["needs"] = duplicate.needs.update(lead=survivor)
    return moved


@transaction.atomic
def merge_leads(*, survivor: Lead, duplicate: Lead, actor: User) -> Lead:
    """Merge `duplicate` into `survivor`: empty survivor fields are filled, follow-ups move
    (and needs, when the survivor has none), both timelines record the merge. The actor
    must see both leads; a lead merges once."""
    from loudou.leads.selectors import access_lead

    survivor = access_lead(actor, survivor.pk)
    duplicate = access_lead(actor, duplicate.pk)
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("不能把线索合并到它自己。"), code="merge_self")
    if survivor.merged_into_id is not None:
        raise ValidationError(_("保留的线索已被合并，请选择其他线索。"), code="merged")
    reason = _("已合并到 {number}").format(number=survivor.number)
    from loudou.analytics.services.aggregates import track  # hook: ADR 0017

    with track([survivor.pk, duplicate.pk]):
        won = Lead.objects.filter(pk=duplicate.pk, merged_into=None).update(
            merged_into=survivor, is_valid=False, invalid_reason=reason
        )
        if won != 1:
            raise ValidationError(_("该线索已被合并。"), code="merged")
        values = {name: getattr(duplicate, name) for name in LEAD_FIELDS}
        filled = _missing_values(survivor, values)
        if filled:
            survivor = update_lead(actor=actor, lead=survivor, values=filled)
        moved = _repoint(survivor, duplicate)
    audit.record(
        obj=survivor,
        actor=actor,
        verb="lead.merged",
        changes=[
            {"field": "merged_from", "before": None, "after": duplicate.number},
            {"field": "merged_fields", "before": None, "after": ", ".join(sorted(filled))},
            {"field": "follow_ups", "before": None, "after": moved["follow_ups"]},
            {"field": "needs", "before": None, "after": moved["needs"]},
        ],
    )
    audit.record(
        obj=duplicate,
        actor=actor,
        verb="lead.merged_into",
        changes=[
            {"field": "merged_into", "before": None, "after": survivor.number},
            {"field": "is_valid", "before": duplicate.is_valid, "after": False},
        ],
        reason=reason,
    )
    duplicate.refresh_from_db()
    return survivor
