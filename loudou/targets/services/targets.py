"""Every write of targets: create, edit, adjust (with history), split, delete."""

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.core import audit
from loudou.core.text import field_labels, refuse_control_characters
from loudou.org.choices import Role
from loudou.org.models import Region, Team, User
from loudou.targets.choices import SCOPE_FIELDS, SUMMED, WHOLE, Period, ScopeKind
from loudou.targets.models import MAX_VALUE, Target, TargetAdjustment
from loudou.targets.periods import parts, period_end
from loudou.targets.selectors import ensure_manages_target, manages_scope, visible_targets

#: What a target's creation takes; `value` changes later only by `adjust_target`.
TARGET_FIELDS = [
    "period",
    "start",
    "metric",
    "value",
    "scope_kind",
    "region",
    "product_line",
    "customer_type",
    "team",
    "person",
    "parent",
    "notes",
]
#: What an edit may change.
EDITABLE_FIELDS = ["parent", "notes"]
#: Roles a team target is split among ("split among the team's reps").
REP_ROLES = (Role.SENIOR_REP, Role.JUNIOR_REP)
SPLITS = ("time", "regions", "teams", "reps")
CENT = Decimal("0.01")


def _refuse_unknown(values: dict[str, Any], allowed: list[str]) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError({name: _("不能修改该字段。") for name in unknown})


def _normalise_scope(values: dict[str, Any]) -> dict[str, Any]:
    """Clear the scope columns that do not belong to the chosen kind."""
    own = SCOPE_FIELDS.get(values.get("scope_kind"))
    for field in SCOPE_FIELDS.values():
        if field != own:
            values[field] = "" if field == "customer_type" else None
    return values


def _check_parent(actor: User, parent: Target | None) -> None:
    if parent is not None and not visible_targets(actor).filter(pk=parent.pk).exists():
        raise ValidationError({"parent": _("不存在的上级目标。")})


def _save(target: Target, *, actor: User, verb: str, values: dict[str, Any]) -> list:
    try:
        with transaction.atomic():
            return audit.save_with_audit(obj=target, actor=actor, verb=verb, values=values)
    except IntegrityError:  # a concurrent create of the same scope, metric and period
        raise ValidationError({"__all__": [_("该周期、指标和维度的目标已存在。")]}) from None


def _ensure_may_set(actor: User, values: dict[str, Any]) -> None:
    kind = values.get("scope_kind")
    if not manages_scope(actor, kind=kind, team=values.get("team"), person=values.get("person")):
        raise PermissionDenied(_("您不能设定该维度的目标。"))


@transaction.atomic
def create_target(*, actor: User, values: dict[str, Any]) -> Target:
    """Create a target the actor may set (403 otherwise), under a parent they see.
    ValidationError (nothing written) on bad values or an existing target of the same
    period, metric and scope."""
    _refuse_unknown(values, TARGET_FIELDS)
    values = _normalise_scope(dict(values))
    if values.get("value") is not None:
        values["value"] = _cents(values["value"])
    _ensure_may_set(actor, values)
    _check_parent(actor, values.get("parent"))
    target = Target(created_by=actor)
    _save(target, actor=actor, verb="target.created", values=values)
    return target


@transaction.atomic
def update_target(*, target: Target, actor: User, values: dict[str, Any]) -> list:
    """Change a target's parent or notes (its value changes by `adjust_target`)."""
    ensure_manages_target(actor, target)
    _refuse_unknown(values, EDITABLE_FIELDS)
    if "parent" in values:
        _check_parent(actor, values["parent"])
    return _save(target, actor=actor, verb="target.updated", values=values)


def _cents(value: Any) -> Decimal:
    try:
        return Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": [_("请输入数字。")]}) from None


def clean_value(target: Target, value: Any) -> Decimal:
    """`value` as the target's metric accepts it (ValidationError on `value` otherwise)."""
    number = _cents(value)
    if not Decimal(0) <= number <= MAX_VALUE:
        raise ValidationError({"value": [_("目标值须在 0 至 999999999999.99 之间。")]})
    probe = Target(metric=target.metric, value=number)
    errors = probe._value_errors()
    if errors:
        raise ValidationError(errors)
    return number


@transaction.atomic
def adjust_target(*, target: Target, actor: User, value: Any, reason: str) -> TargetAdjustment:
    """Change a target's value, with a reason: one TargetAdjustment and one audit event.
    Of two adjustments from the same value exactly one wins (conditional UPDATE); the
    other is refused like a stale form."""
    ensure_manages_target(actor, target)
    reason = (reason or "").strip()
    refuse_control_characters({"reason": reason}, field_labels(TargetAdjustment))
    if not reason:
        raise ValidationError({"reason": [_("请填写调整原因。")]})
    after, before = clean_value(target, value), Decimal(target.value).quantize(CENT)
    if after == before:
        raise ValidationError({"value": [_("新目标值与当前目标值相同。")]})
    now = timezone.now()
    won = Target.objects.filter(pk=target.pk, value=before).update(value=after, updated_at=now)
    if won != 1:
        raise ValidationError({"value": [_("目标值已被他人调整，请刷新后重试。")]})
    target.value, target.updated_at = after, now
    adjustment = TargetAdjustment.objects.create(
        target=target, actor=actor, at=now, before=before, after=after, reason=reason
    )
    changes = [{"field": "value", "before": str(before), "after": str(after)}]
    audit.record(obj=target, actor=actor, verb="target.adjusted", changes=changes, reason=reason)
    return adjustment


@transaction.atomic
def delete_target(*, target: Target, actor: User) -> None:
    """Delete a target without children (its adjustments go with it; plans keep no link)."""
    ensure_manages_target(actor, target)
    if target.children.exists():
        raise ValidationError({"__all__": [_("请先删除或移走它的分解目标。")]})
    changes = [{"field": "target", "before": str(target), "after": None}]
    audit.record(obj=target, actor=actor, verb="target.deleted", changes=changes)
    target.delete()


# roll-up ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RollupGroup:
    """Children of one period kind and scope kind, against their parent."""

    period: str
    scope_kind: str
    count: int
    total: Decimal | None  # None for a rate (not summed)
    difference: Decimal | None  # parent − total

    @property
    def balanced(self) -> bool | None:
        return None if self.difference is None else self.difference == 0

    @property
    def label(self) -> str:
        """e.g. 季度 · 全公司 (the four quarters), 年度 · 团队 (the teams)."""
        return f"{Period(self.period).label} · {ScopeKind(self.scope_kind).label}"


def rollups(targets: list[Target]) -> dict[int, list[RollupGroup]]:
    """{target id: its children's groups}: children of the same period kind and scope
    kind (e.g. its 4 quarters; its teams) sum to the parent when the metric is summed
    (revenue, orders, new customers), else the difference shows. One query."""
    by_id = {t.pk: t for t in targets}
    rows = (
        Target.objects.filter(parent__in=list(by_id))
        .order_by()
        .values("parent_id", "period", "scope_kind")
        .annotate(n=Count("pk"), total=Sum("value"))
    )
    result: dict[int, list[RollupGroup]] = {pk: [] for pk in by_id}
    for row in rows:
        parent = by_id[row["parent_id"]]
        summed = parent.metric in SUMMED
        total = Decimal(row["total"]).quantize(CENT) if summed else None
        result[parent.pk].append(
            RollupGroup(
                period=row["period"],
                scope_kind=row["scope_kind"],
                count=row["n"],
                total=total,
                difference=None if total is None else parent.value - total,
            )
        )
    order = list(Period.values), list(ScopeKind.values)
    for groups in result.values():
        groups.sort(key=lambda g: (order[0].index(g.period), order[1].index(g.scope_kind)))
    return result


def rollup(target: Target) -> list[RollupGroup]:
    return rollups([target])[target.pk]


# quick decomposition ------------------------------------------------------------------------


def split_options(target: Target) -> list[str]:
    """The quick splits that apply to `target`."""
    options = []
    if parts(target.period, target.start):
        options.append("time")
    if target.scope_kind == ScopeKind.COMPANY:
        options.append("regions")
    if target.scope_kind in {ScopeKind.COMPANY, ScopeKind.REGION}:
        options.append("teams")
    if target.scope_kind == ScopeKind.TEAM:
        options.append("reps")
    return options


def shares(total: Decimal, n: int, metric: str) -> list[Decimal]:
    """`total` split in `n` (whole units for counts, cents for revenue; the remainder to
    the first ones); a rate is not split: each gets it whole."""
    if metric not in SUMMED:
        return [Decimal(total).quantize(CENT)] * n
    unit = Decimal(1) if metric in WHOLE else CENT
    units = int((total / unit).to_integral_value(rounding=ROUND_DOWN))
    base, extra = divmod(units, n)
    return [((base + (1 if i < extra else 0)) * unit).quantize(CENT) for i in range(n)]


def _subjects(target: Target, by: str) -> list[dict[str, Any]]:
    if by == "time":
        return [
            {"period": period, "start": start, "scope_kind": target.scope_kind}
            | {f: getattr(target, f) for f in SCOPE_FIELDS.values()}
            for period, start in parts(target.period, target.start)
        ]
    same = {"period": target.period, "start": target.start}
    if by == "regions":
        regions = Region.objects.filter(is_active=True)
        return [same | {"scope_kind": ScopeKind.REGION, "region": r} for r in regions]
    if by == "teams":
        teams = Team.objects.select_related("manager").order_by("name")
        if target.scope_kind == ScopeKind.REGION:
            teams = teams.filter(region=target.region)
        return [same | {"scope_kind": ScopeKind.TEAM, "team": t} for t in teams]
    reps = (
        User.objects.filter(team=target.team, is_active=True, role__in=REP_ROLES)
        .select_related("team")
        .order_by("username")
    )
    return [same | {"scope_kind": ScopeKind.PERSON, "person": p} for p in reps]


def split_plan(*, target: Target, by: str) -> list[Target]:
    """The children a quick split would create (unsaved), with the value split evenly."""
    if by not in split_options(target):
        raise ValidationError({"by": [_("该目标不能这样分解。")]})
    subjects = _subjects(target, by)
    values = shares(target.value, len(subjects), target.metric) if subjects else []
    children = []
    for subject, value in zip(subjects, values, strict=True):
        child = Target(metric=target.metric, value=value, parent=target, **subject)
        child.end = period_end(child.period, child.start)
        child.scope_key = child.compute_scope_key()
        children.append(child)
    return children


@transaction.atomic
def split_target(
    *, target: Target, actor: User, by: str, values: list[Any] | None = None
) -> list[Target]:
    """Create the children of a quick split (`values` in the order of `split_plan`,
    else the even split). Refused whole (403) when the actor may not set one of them,
    and (ValidationError) when one exists already or a value does not fit."""
    planned = split_plan(target=target, by=by)
    if not planned:
        raise ValidationError({"by": [_("没有可分解的对象。")]})
    if values is not None and len(values) != len(planned):
        raise ValidationError({"values": [_("请为每个分解目标填写一个目标值。")]})
    for child in planned:
        if not manages_scope(actor, kind=child.scope_kind, team=child.team, person=child.person):
            raise PermissionDenied(_("您不能设定该维度的目标。"))
    created = []
    for i, child in enumerate(planned):
        fields = {f: getattr(child, f) for f in TARGET_FIELDS if f != "notes"}
        if values is not None:
            fields["value"] = clean_value(target, values[i])
        created.append(create_target(actor=actor, values=fields))
    return created
