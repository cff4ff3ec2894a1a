"""Grading (线索分级与评估): intent grade, customer rating, need-match assessment."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loudou.core import audit
from loudou.leads.choices import (
    BudgetFit,
    CustomerType,
    DecisionCycle,
    Grade,
    MatchLevel,
    NeedLevel,
    PurchasingPower,
    RuleKind,
)
from loudou.leads.models import GradeRule, Lead, NeedItem, NeedMatchPolicy, SourceChannel
from loudou.org.models import User

_LIST_CONDITIONS = {
    "need_level_in": NeedLevel.values,
    "budget_fit_in": BudgetFit.values,
    "decision_cycle_in": DecisionCycle.values,
    "customer_type_in": CustomerType.values,
}
_NUMBER_CONDITIONS = {"min_employees", "min_annual_revenue"}


def _codes_within(value: Any, allowed) -> bool:
    """Whether `value` is a list of strings, each one of `allowed`."""
    return (
        isinstance(value, list)
        and len(value) > 0
        and all(isinstance(v, str) and v in allowed for v in value)
    )


def validate_conditions(conditions: Any) -> None:
    """Refuse unknown keys and values so that a rule never silently matches nothing."""
    if not isinstance(conditions, dict):
        raise ValidationError({"conditions": _("条件必须是键值对象。")})
    for key, value in conditions.items():
        if key in _LIST_CONDITIONS:
            allowed = _LIST_CONDITIONS[key]
            if not _codes_within(value, allowed):
                raise ValidationError(
                    {
                        "conditions": _("{key} 只能取 {allowed} 中的值。").format(
                            key=key, allowed=", ".join(allowed)
                        )
                    }
                )
        elif key == "source_in":
            known = set(SourceChannel.objects.values_list("code", flat=True))
            if not _codes_within(value, known):
                raise ValidationError({"conditions": _("source_in 含有未知的线索来源。")})
        elif key in _NUMBER_CONDITIONS:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValidationError({"conditions": _("{key} 必须是非负数。").format(key=key)})
        elif key == "has_valid_contact":
            if not isinstance(value, bool):
                raise ValidationError({"conditions": _("has_valid_contact 必须是 true 或 false。")})
        else:
            raise ValidationError({"conditions": _("未知条件：{key}").format(key=key)})


def _holds(key: str, expected: Any, lead: Lead, source_code: str | None) -> bool:
    if key == "source_in":
        return source_code in expected
    if key in _LIST_CONDITIONS:
        return getattr(lead, key.removesuffix("_in")) in expected
    if key == "min_employees":
        return lead.employees is not None and lead.employees >= expected
    if key == "min_annual_revenue":
        return lead.annual_revenue is not None and lead.annual_revenue >= Decimal(str(expected))
    if key == "has_valid_contact":  # a historical lead is valid without one (ADR 0012)
        return (lead.is_valid and lead.has_contact) == expected
    return False


def rule_grade(lead: Lead, rules: list[GradeRule], source_code: str | None) -> tuple[str, str]:
    """The grade of the first rule whose conditions all hold, with the rule's name."""
    for rule in rules:
        if all(_holds(k, v, lead, source_code) for k, v in rule.conditions.items()):
            return rule.grade, rule.name
    return Grade.C, str(gettext_lazy("无规则命中，默认为C"))


def active_rules(kind: str) -> list[GradeRule]:
    return list(GradeRule.objects.filter(kind=kind, is_active=True).order_by("priority", "id"))


def apply_grades(lead: Lead, rules: dict[str, list[GradeRule]] | None = None) -> None:
    """Recompute the rule grades of `lead` in memory; overrides keep precedence.

    `rules` ({kind: active_rules(kind)}) lets a batch read the rules once."""
    if rules is None:
        rules = {kind: active_rules(kind) for kind in (RuleKind.INTENT, RuleKind.RATING)}
    source_code = lead.source.code if lead.source_id else None
    lead.intent_grade_auto, _rule = rule_grade(lead, rules[RuleKind.INTENT], source_code)
    lead.rating_auto, _rule = rule_grade(lead, rules[RuleKind.RATING], source_code)
    lead.intent_grade = lead.intent_grade_override or lead.intent_grade_auto
    lead.rating = lead.rating_override or lead.rating_auto


def explain_grades(lead: Lead) -> dict[str, str]:
    """Which rule produced each automatic grade (shown on the lead page)."""
    source_code = lead.source.code if lead.source_id else None
    return {
        "intent": rule_grade(lead, active_rules(RuleKind.INTENT), source_code)[1],
        "rating": rule_grade(lead, active_rules(RuleKind.RATING), source_code)[1],
    }


_OVERRIDE_FIELDS = {
    RuleKind.INTENT: ("intent_grade_override", "intent_override_reason", "intent_grade"),
    RuleKind.RATING: ("rating_override", "rating_override_reason", "rating"),
}


@transaction.atomic
def override_grade(*, lead: Lead, actor: User, kind: str, grade: str, reason: str) -> Lead:
    """Set (or with grade "" clear) a manual grade; a reason is required and recorded."""
    if kind not in _OVERRIDE_FIELDS:
        raise ValidationError({"kind": _("未知的分级类别。")})
    if grade not in ["", *Grade.values]:
        raise ValidationError({"grade": _("等级只能是 A、B 或 C。")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("人工调整等级必须填写原因。")})
    override_field, reason_field, effective_field = _OVERRIDE_FIELDS[kind]
    before = audit.snapshot(lead, [override_field, effective_field])
    setattr(lead, override_field, grade)
    setattr(lead, reason_field, reason if grade else "")
    apply_grades(lead)
    grade_fields = ["intent_grade_auto", "intent_grade", "rating_auto", "rating"]
    lead.save(update_fields=[override_field, reason_field, *grade_fields, "updated_at"])
    changes = audit.diff(before, audit.snapshot(lead, [override_field, effective_field]))
    audit.record(obj=lead, actor=actor, verb="lead.grade_override", changes=changes, reason=reason)
    return lead


# need match -----------------------------------------------------------------------------

_CONCLUSIONS = {
    (MatchLevel.HIGH, PurchasingPower.HIGH): gettext_lazy("重点跟进：需求高度匹配且购买力强"),
    (MatchLevel.HIGH, PurchasingPower.MEDIUM): gettext_lazy("积极跟进：需求高度匹配，关注预算"),
    (MatchLevel.HIGH, PurchasingPower.LOW): gettext_lazy(
        "培育：需求匹配但购买力弱，可推荐分期或轻量方案"
    ),
    (MatchLevel.MEDIUM, PurchasingPower.HIGH): gettext_lazy("积极跟进：购买力强，深挖需求"),
    (MatchLevel.MEDIUM, PurchasingPower.MEDIUM): gettext_lazy("常规跟进"),
    (MatchLevel.MEDIUM, PurchasingPower.LOW): gettext_lazy("低优先级：定期推送内容"),
    (MatchLevel.LOW, PurchasingPower.HIGH): gettext_lazy(
        "谨慎投入：购买力强但需求匹配低，确认是否有其他需求"
    ),
    (MatchLevel.LOW, PurchasingPower.MEDIUM): gettext_lazy("低优先级：定期推送内容"),
    (MatchLevel.LOW, PurchasingPower.LOW): gettext_lazy("暂缓：需求与购买力均不足"),
}


def classify_total(total: int, policy: NeedMatchPolicy) -> str:
    if total >= policy.high_min:
        return MatchLevel.HIGH
    if total >= policy.medium_min:
        return MatchLevel.MEDIUM
    return MatchLevel.LOW


def need_match_conclusion(lead: Lead) -> str:
    if not lead.need_match_level:
        return ""
    return str(_CONCLUSIONS[(lead.need_match_level, lead.purchasing_power)])


def _parse_needs(needs: list[dict[str, Any]]) -> list[tuple[str, int]]:
    parsed = []
    for i, item in enumerate(needs, start=1):
        text = str(item.get("need", "")).strip()
        try:
            exact = Decimal(str(item.get("score", "")))
            score = int(exact) if exact == exact.to_integral_value() else 0  # 4.7 is refused
        except (InvalidOperation, ValueError, OverflowError):  # "Infinity" overflows
            score = 0
        if not text:
            raise ValidationError({"needs": _("第{n}项需求未填写内容。").format(n=i)})
        if len(text) > 200:
            raise ValidationError({"needs": _("第{n}项需求超过200字。").format(n=i)})
        if not 1 <= score <= 5:
            raise ValidationError({"needs": _("第{n}项需求的得分必须是1到5。").format(n=i)})
        parsed.append((text, score))
    return parsed


@transaction.atomic
def assess_needs(
    *, lead: Lead, actor: User, needs: list[dict[str, Any]], purchasing_power: str | None = None
) -> Lead:
    """Replace the need-match sheet of `lead`, total and classify it."""
    from loudou.compliance.validation import refuse_sensitive

    parsed = _parse_needs(needs)
    refuse_sensitive({"needs": " ".join(t for t, _s in parsed)}, {"needs": _("核心需求")})
    if purchasing_power is not None and purchasing_power not in PurchasingPower.values:
        raise ValidationError({"purchasing_power": _("购买力只能是强、中、弱。")})
    fields = ["need_match_total", "need_match_level", "purchasing_power"]
    before = audit.snapshot(lead, fields)
    before["needs"] = [f"{n.need}: {n.score}" for n in lead.needs.all()]
    lead.needs.all().delete()
    NeedItem.objects.bulk_create(
        NeedItem(lead=lead, need=text, score=score, order=i)
        for i, (text, score) in enumerate(parsed)
    )
    lead.need_match_total = sum(score for _t, score in parsed)
    lead.need_match_level = classify_total(lead.need_match_total, NeedMatchPolicy.current())
    if not parsed:
        lead.need_match_level = ""
    if purchasing_power:
        lead.purchasing_power = purchasing_power
    lead.save(update_fields=[*fields, "updated_at"])
    after = audit.snapshot(lead, fields)
    after["needs"] = [f"{t}: {s}" for t, s in parsed]
    audit.record(
        obj=lead, actor=actor, verb="lead.needs_assessed", changes=audit.diff(before, after)
    )
    return lead


# configuration --------------------------------------------------------------------------


def _require_admin(actor: User) -> None:
    from django.core.exceptions import PermissionDenied

    if not actor.is_org_admin:
        raise PermissionDenied(_("只有系统管理员可以修改分级规则。"))


@transaction.atomic
def save_grade_rule(*, actor: User, rule: GradeRule | None, values: dict[str, Any]) -> GradeRule:
    """Create or edit a grading rule (admin only); the conditions are validated."""
    _require_admin(actor)
    rule = rule or GradeRule()
    verb = "grade_rule.created" if rule.pk is None else "grade_rule.updated"
    audit.save_with_audit(obj=rule, actor=actor, verb=verb, values=values)
    return rule


@transaction.atomic
def save_need_policy(*, actor: User, high_min: int, medium_min: int) -> NeedMatchPolicy:
    _require_admin(actor)
    policy = NeedMatchPolicy.current()
    audit.save_with_audit(
        obj=policy,
        actor=actor,
        verb="need_policy.updated",
        values={"high_min": high_min, "medium_min": medium_min},
    )
    return policy
