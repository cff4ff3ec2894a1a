"""API schemas of targets and plans (ADR 0011: null only where the column is nullable,
bounded numbers)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from loudou.core.schemas import Id
from loudou.targets.choices import ActionStatus, Metric, MilestoneStatus, Period, ScopeKind
from loudou.targets.models import MAX_VALUE

Split = Literal["time", "regions", "teams", "reps"]


def _value(default=...):
    return Field(default, ge=0, le=MAX_VALUE, max_digits=14, decimal_places=2)


class RollupGroupOut(Schema):
    period: str
    scope_kind: str
    label: str
    count: int
    total: Decimal | None
    difference: Decimal | None
    balanced: bool | None


class TargetOut(Schema):
    id: int
    period: str
    period_label: str
    start: date
    end: date
    metric: str
    metric_label: str
    value: Decimal
    scope_kind: str
    scope_name: str
    region_id: Id | None
    product_line_id: Id | None
    customer_type: str
    team_id: Id | None
    person_id: Id | None
    parent_id: Id | None
    notes: str
    created_by_id: Id | None
    created_at: datetime
    updated_at: datetime
    actual: Decimal | None
    completion_pct: float | None
    rollup_status: Literal["none", "balanced", "unbalanced", "not_summed"]
    rollup: list[RollupGroupOut]
    can_manage: bool


class TargetPageOut(Schema):
    items: list[TargetOut]
    count: int


class TargetIn(Schema):
    period: Period
    start: date = Field(
        ge=date(2000, 1, 1),
        le=date(2099, 12, 1),
        description="the first day of the year, quarter (Jan/Apr/Jul/Oct) or month",
    )
    metric: Metric
    value: Decimal = _value()
    scope_kind: ScopeKind
    region_id: Id | None = None
    product_line_id: Id | None = None
    customer_type: str = Field("", max_length=10)
    team_id: Id | None = None
    person_id: Id | None = None
    parent_id: Id | None = None
    notes: str = Field("", max_length=5000)


class TargetPatch(Schema):
    """Parent and notes; the value changes by POST …/adjust (with a reason)."""

    parent_id: Id | None = None
    notes: str = Field(None, max_length=5000)


class AdjustIn(Schema):
    value: Decimal = _value()
    reason: str = Field(max_length=2000)


class AdjustmentOut(Schema):
    id: int
    target_id: Id
    actor_id: Id | None
    actor: str | None
    at: datetime
    before: Decimal
    after: Decimal
    reason: str

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class ActualOut(Schema):
    target_id: Id
    metric: str
    value: Decimal
    actual: Decimal | None
    completion_pct: float | None


class SplitIn(Schema):
    by: Split
    values: list[Annotated[Decimal, _value()]] | None = Field(
        None,
        max_length=1000,
        description="one per planned child (GET …/split); default: the even split",
    )


class SplitChildOut(Schema):
    period: str
    start: date
    end: date
    scope_kind: str
    scope_name: str
    value: Decimal


class PlanIn(Schema):
    title: str = Field(max_length=200)
    goal: str = Field(max_length=5000)
    target_id: Id | None = None
    team_id: Id | None = Field(None, description="empty: the company's plan")
    product: str = Field("", max_length=5000)
    price: str = Field("", max_length=5000)
    place: str = Field("", max_length=5000)
    promotion: str = Field("", max_length=5000)
    resources: str = Field("", max_length=5000)
    expected_effect: str = Field("", max_length=5000)
    evaluation_metrics: str = Field("", max_length=5000)
    evaluation: str = Field("", max_length=5000)


class PlanPatch(Schema):
    title: str = Field(None, max_length=200)
    goal: str = Field(None, max_length=5000)
    target_id: Id | None = None
    team_id: Id | None = None
    product: str = Field(None, max_length=5000)
    price: str = Field(None, max_length=5000)
    place: str = Field(None, max_length=5000)
    promotion: str = Field(None, max_length=5000)
    resources: str = Field(None, max_length=5000)
    expected_effect: str = Field(None, max_length=5000)
    evaluation_metrics: str = Field(None, max_length=5000)
    evaluation: str = Field(None, max_length=5000)


class MilestoneOut(Schema):
    id: int
    plan_id: Id
    title: str
    owner_id: Id
    owner: str
    due_date: date
    status: MilestoneStatus
    done_at: datetime | None

    @staticmethod
    def resolve_owner(obj) -> str:
        return str(obj.owner)


class PlanOut(Schema):
    id: int
    title: str
    goal: str
    target_id: Id | None
    team_id: Id | None
    product: str
    price: str
    place: str
    promotion: str
    resources: str
    expected_effect: str
    evaluation_metrics: str
    evaluation: str
    created_by_id: Id | None
    created_at: datetime
    updated_at: datetime
    milestones: list[MilestoneOut]
    can_manage: bool


class MilestoneIn(Schema):
    title: str = Field(max_length=200)
    owner_id: Id
    due_date: date = Field(ge=date(2000, 1, 1), le=date(2099, 12, 31))


class MilestonePatch(Schema):
    title: str = Field(None, max_length=200)
    owner_id: Id = None
    due_date: date = Field(None, ge=date(2000, 1, 1), le=date(2099, 12, 31))


class ActionIn(Schema):
    """An improvement action; with a `target_id` the period is the target's."""

    variance_reason: str = Field(max_length=5000)
    action: str = Field(max_length=5000)
    owner_id: Id
    deadline: date = Field(ge=date(2000, 1, 1), le=date(2099, 12, 31))
    period: Period = Field(None, description="required without target_id")
    period_start: date = Field(
        None, ge=date(2000, 1, 1), le=date(2099, 12, 1), description="required without target_id"
    )
    team_id: Id | None = Field(None, description="empty: the company's (director/admin)")
    scope: str = Field("", max_length=200)
    target_id: Id | None = None


class ActionPatch(Schema):
    variance_reason: str = Field(None, max_length=5000)
    action: str = Field(None, max_length=5000)
    owner_id: Id = None
    deadline: date = Field(None, ge=date(2000, 1, 1), le=date(2099, 12, 31))
    period: Period = None
    period_start: date = Field(None, ge=date(2000, 1, 1), le=date(2099, 12, 1))
    team_id: Id | None = None
    scope: str = Field(None, max_length=200)
    target_id: Id | None = None


class ActionOut(Schema):
    id: int
    target_id: Id | None
    team_id: Id | None
    scope: str
    period: str
    period_start: date
    period_label: str
    variance_reason: str
    action: str
    owner_id: Id
    owner: str
    deadline: date
    status: ActionStatus
    done_at: datetime | None
    created_by_id: Id | None
    created_at: datetime
    updated_at: datetime
    can_manage: bool
    may_complete: bool

    @staticmethod
    def resolve_owner(obj) -> str:
        return str(obj.owner)


class ActionPageOut(Schema):
    items: list[ActionOut]
    count: int
