"""Editing the assignment rules, the pools (公海) and the intake mode of marketing's leads,
outside the Django admin: directors and administrators, every change audited."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from loudou.assignment.models import AssignmentRule, IntakePolicy, Pool
from loudou.assignment.permissions import may_configure
from loudou.core.audit import record, save_with_audit
from loudou.org.models import User

RULE_FIELDS = ["name", "kind", "order", "is_active", "settings"]
POOL_FIELDS = [
    "name",
    "order",
    "is_active",
    "region",
    "product_line",
    "source",
    "max_claims_per_day",
    "max_holding",
    "protection_days",
    "protection_days_by_grade",
    "recycle_lost",
    "cooldown_days",
    "previous_owner_cooldown_days",
]
#: Gap between the orders reorder_rules gives, so that a hand-set order fits in between.
ORDER_STEP = 10


def ensure_may_configure(actor: User) -> None:
    if not may_configure(actor):
        raise PermissionDenied(_("只有销售总监或系统管理员可以修改分配设置。"))


def known(values: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """`values`, refused (ValidationError) when they name a field outside `fields`."""
    unknown = set(values) - set(fields)
    if unknown:
        raise ValidationError({name: _("不可编辑的字段。") for name in sorted(unknown)})
    return values


@transaction.atomic
def save_rule(
    *, actor: User, rule: AssignmentRule | None, values: dict[str, Any]
) -> AssignmentRule:
    """Create or edit an assignment rule; a new rule without an order goes last."""
    ensure_may_configure(actor)
    values = dict(known(values, RULE_FIELDS))
    if rule is None and values.get("order") is None:
        last = AssignmentRule.objects.aggregate(last=Max("order"))["last"] or 0
        values["order"] = last + ORDER_STEP
    elif values.get("order") is None:
        values.pop("order", None)
    rule = rule or AssignmentRule()
    verb = "assignment_rule.created" if rule.pk is None else "assignment_rule.updated"
    save_with_audit(obj=rule, actor=actor, verb=verb, values=values)
    return rule


@transaction.atomic
def deactivate_rule(*, actor: User, rule: AssignmentRule) -> AssignmentRule:
    """Switch a rule off (it stays listed and can be switched on again)."""
    ensure_may_configure(actor)
    save_with_audit(
        obj=rule, actor=actor, verb="assignment_rule.deactivated", values={"is_active": False}
    )
    return rule


@transaction.atomic
def reorder_rules(*, actor: User, ids: list[int]) -> list[AssignmentRule]:
    """Put every rule in the order of `ids` (each rule exactly once)."""
    ensure_may_configure(actor)
    rules = {rule.pk: rule for rule in AssignmentRule.objects.all()}
    if len(ids) != len(set(ids)) or set(ids) != set(rules):
        raise ValidationError({"ids": [_("请按新顺序列出全部规则，每条一次。")]})
    for index, pk in enumerate(ids, start=1):
        rule = rules[pk]
        before, after = rule.order, index * ORDER_STEP
        if before != after:
            AssignmentRule.objects.filter(pk=pk).update(order=after)
            rule.order = after
            change = {"field": "order", "before": before, "after": after}
            record(obj=rule, actor=actor, verb="assignment_rule.reordered", changes=[change])
    return [rules[pk] for pk in ids]


def move_rule(*, actor: User, rule: AssignmentRule, step: int) -> list[AssignmentRule]:
    """Move one rule up (step -1) or down (+1) in the order."""
    ids = list(AssignmentRule.objects.values_list("pk", flat=True))
    at = ids.index(rule.pk)
    to = min(max(at + step, 0), len(ids) - 1)
    ids.insert(to, ids.pop(at))
    return reorder_rules(actor=actor, ids=ids)


@transaction.atomic
def save_pool(*, actor: User, pool: Pool | None, values: dict[str, Any]) -> Pool:
    """Create or edit a pool (公海) and its caps, protection and cool-down periods."""
    ensure_may_configure(actor)
    values = known(values, POOL_FIELDS)
    pool = pool or Pool()
    if pool.pk is not None and values.get("is_active") is False:
        _ensure_empty(pool)
    verb = "pool.created" if pool.pk is None else "pool.updated"
    save_with_audit(obj=pool, actor=actor, verb=verb, values=values)
    return pool


def _ensure_empty(pool: Pool) -> None:
    waiting = pool.entries.count()
    if waiting:
        raise ValidationError(
            {
                "is_active": _("公海“{pool}”中还有 {n} 条线索，请先领取或分配后再停用。").format(
                    pool=pool, n=waiting
                )
            },
            code="pool_not_empty",
        )


@transaction.atomic
def deactivate_pool(*, actor: User, pool: Pool) -> Pool:
    """Switch a pool off; refused while leads still wait in it (they would be stranded)."""
    ensure_may_configure(actor)
    _ensure_empty(pool)
    save_with_audit(obj=pool, actor=actor, verb="pool.deactivated", values={"is_active": False})
    return pool


@transaction.atomic
def save_intake_policy(*, actor: User, values: dict[str, Any]) -> IntakePolicy:
    """Set what happens to the leads marketing registers (rules / pool / marketing)."""
    ensure_may_configure(actor)
    policy = IntakePolicy.current()
    save_with_audit(
        obj=policy,
        actor=actor,
        verb="intake_policy.updated",
        values=known(values, ["marketing_mode"]),
    )
    return policy
