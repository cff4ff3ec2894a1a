"""Pydantic schemas of the assignment API."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from loudou.assignment.choices import HandoverSpread, IntakeMode, RuleKind
from loudou.core.schemas import Id


class PoolOut(Schema):
    id: int
    name: str
    region: str | None
    product_line: str | None
    source: str | None
    lead_count: int
    max_claims_per_day: int
    claims_left_today: int
    max_holding: int
    protection_days: int
    cooldown_days: int
    previous_owner_cooldown_days: int


class PoolLeadOut(Schema):
    id: int
    number: str
    company_name: str
    contact_name: str
    phone: str
    email: str
    intent_grade: str
    industry: str | None
    region: str | None
    pool_id: Id
    entered_at: datetime
    reason: str
    claimable_from: datetime | None


class ClaimOut(Schema):
    id: int
    number: str
    owner_id: Id
    assigned_at: datetime


class ReleaseIn(Schema):
    pool_id: Id


class ReleaseOut(Schema):
    id: int
    pool_id: Id
    owner_id: Id | None


class AssignmentOut(Schema):
    id: int
    lead_id: Id
    user_id: Id
    via: str
    rule: str | None
    explanation: str
    at: datetime

    @staticmethod
    def resolve_rule(obj) -> str | None:
        return obj.rule.name if obj.rule_id else None


class HandoverIn(Schema):
    from_user_id: Id
    successor_ids: list[Id]
    rule: HandoverSpread = HandoverSpread.ONE


class HandoverItemOut(Schema):
    kind: str
    id: int
    label: str
    to: int


class HandoverPlanOut(Schema):
    from_user_id: Id
    rule: str
    items: list[HandoverItemOut]


class HandoverOut(Schema):
    id: int
    from_user_id: Id
    spread: str
    items: list[HandoverItemOut]
    at: datetime


class RuleIn(Schema):
    name: str = Field(max_length=80)
    kind: RuleKind
    order: int | None = Field(None, ge=0, le=32767, description="default: after the last rule")
    is_active: bool = True
    settings: dict[str, Any] = Field(default_factory=dict)


class RuleOut(Schema):
    id: int
    name: str
    kind: str
    order: int
    is_active: bool
    settings: dict[str, Any]


class ReorderIn(Schema):
    ids: list[Id] = Field(max_length=1000, description="every rule id, in the new order")


class PoolSettingsIn(Schema):
    name: str = Field(max_length=60)
    order: int = Field(0, ge=0, le=32767)
    is_active: bool = True
    region_id: Id | None = None
    product_line_id: Id | None = None
    source_id: Id | None = None
    max_claims_per_day: int = Field(5, ge=0, le=32767)
    max_holding: int | None = Field(None, ge=0)
    protection_days: int = Field(30, ge=0, le=32767)
    protection_days_by_grade: dict[str, Any] = Field(default_factory=dict)
    recycle_lost: bool = True
    cooldown_days: int = Field(7, ge=0, le=32767)
    previous_owner_cooldown_days: int = Field(30, ge=0, le=32767)


class PoolSettingsOut(Schema):
    id: int
    name: str
    order: int
    is_active: bool
    region_id: Id | None
    product_line_id: Id | None
    source_id: Id | None
    max_claims_per_day: int
    max_holding: int | None
    protection_days: int
    protection_days_by_grade: dict[str, Any]
    recycle_lost: bool
    cooldown_days: int
    previous_owner_cooldown_days: int


class RecycleOwnerOut(Schema):
    user_id: Id
    name: str
    leads: int


class RecyclePreviewOut(Schema):
    """What saving the pool would recycle at the next run; nothing is written."""

    pool: str
    leads: int = Field(description="leads the next recycle run would move into the pool")
    reps: int = Field(description="owners they would be taken from")
    by_owner: list[RecycleOwnerOut]
    by_reason: dict[str, int]
    token: str = Field(description="names exactly these leads; changes when they change")


class IntakePolicyIO(Schema):
    marketing_mode: IntakeMode
