"""The organisation's service settings: tier thresholds and the SLA table (director/admin,
audited on the changed rows)."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from loudou.core.audit import record
from loudou.org.models import User
from loudou.service.choices import TIER_ORDER, Tier
from loudou.service.models import MAX_AMOUNT, SlaPolicy, TierThreshold
from loudou.service.services.rules import may_edit_settings


def thresholds() -> dict[str, Decimal]:
    """tier → lower bound of annual purchase (元); the lowest tier always starts at 0."""
    found = dict(TierThreshold.objects.values_list("tier", "min_amount"))
    found[Tier.NORMAL] = Decimal("0")
    return {tier: found.get(tier, Decimal("0")) for tier in TIER_ORDER}


def check_thresholds(vip: Decimal, key: Decimal) -> None:
    """VIP above 重点 above 0: the bands are ordered and, starting from 0, leave no gap."""
    errors = {}
    if key <= 0:
        errors["key"] = [_("重点客户下限须大于 0。")]
    if vip <= key:
        errors["vip"] = [_("VIP客户下限须高于重点客户下限。")]
    if vip > MAX_AMOUNT or key > MAX_AMOUNT:
        errors.setdefault("vip", []).append(_("金额超出范围。"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_thresholds(*, actor: User, vip: Decimal, key: Decimal) -> dict[str, Decimal]:
    """Set the VIP and 重点 lower bounds (event `service.tiers_changed` on each row)."""
    if not may_edit_settings(actor):
        raise PermissionDenied(_("只有销售总监或系统管理员可以修改分级标准。"))
    check_thresholds(vip, key)
    for tier, amount in ((Tier.VIP, vip), (Tier.KEY, key), (Tier.NORMAL, Decimal("0"))):
        row, _created = TierThreshold.objects.get_or_create(
            tier=tier, defaults={"min_amount": amount}
        )
        before = row.min_amount
        if _created or before != amount:
            TierThreshold.objects.filter(pk=row.pk).update(min_amount=amount)
            change = {"field": "min_amount", "before": str(before), "after": str(amount)}
            record(obj=row, actor=actor, verb="service.tiers_changed", changes=[change])
    return thresholds()


def policies() -> dict[str, SlaPolicy]:
    """tier → its SLA row (a missing row: the normal tier's, or 4 h / 72 h)."""
    rows = {row.tier: row for row in SlaPolicy.objects.all()}
    fallback = rows.get(Tier.NORMAL) or SlaPolicy(
        tier=Tier.NORMAL, response_hours=Decimal(4), resolution_hours=Decimal(72)
    )
    return {tier: rows.get(tier, fallback) for tier in TIER_ORDER}


@transaction.atomic
def update_sla(*, actor: User, rows: dict[str, dict[str, Any]]) -> dict[str, SlaPolicy]:
    """Set response and resolution hours per tier (event `service.sla_changed`)."""
    if not may_edit_settings(actor):
        raise PermissionDenied(_("只有销售总监或系统管理员可以修改服务时限。"))
    unknown = sorted(set(rows) - set(Tier.values))
    if unknown:
        raise ValidationError({name: [_("不存在的客户级别。")] for name in unknown})
    for tier, values in rows.items():
        row = SlaPolicy.objects.filter(tier=tier).first() or SlaPolicy(tier=tier)
        before = {"response_hours": row.response_hours, "resolution_hours": row.resolution_hours}
        row.response_hours = values["response_hours"]
        row.resolution_hours = values["resolution_hours"]
        try:
            row.full_clean()
        except ValidationError as error:
            raise ValidationError({tier: error.messages}) from error
        changes = [
            {"field": name, "before": str(before[name]), "after": str(getattr(row, name))}
            for name in before
            if before[name] != getattr(row, name)
        ]
        if changes:
            row.save()
            record(obj=row, actor=actor, verb="service.sla_changed", changes=changes)
    return policies()
