"""Pydantic schemas of the assignment API."""

from datetime import datetime

from ninja import Schema

from loudou.assignment.choices import HandoverSpread


class ErrorsOut(Schema):
    errors: dict[str, list[str]]


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
    pool_id: int
    entered_at: datetime
    reason: str
    claimable_from: datetime | None


class ClaimOut(Schema):
    id: int
    number: str
    owner_id: int
    assigned_at: datetime


class ReleaseIn(Schema):
    pool_id: int


class ReleaseOut(Schema):
    id: int
    pool_id: int
    owner_id: int | None


class AssignmentOut(Schema):
    id: int
    lead_id: int
    user_id: int
    via: str
    rule: str | None
    explanation: str
    at: datetime

    @staticmethod
    def resolve_rule(obj) -> str | None:
        return obj.rule.name if obj.rule_id else None


class HandoverIn(Schema):
    from_user_id: int
    successor_ids: list[int]
    rule: HandoverSpread = HandoverSpread.ONE


class HandoverItemOut(Schema):
    kind: str
    id: int
    label: str
    to: int


class HandoverPlanOut(Schema):
    from_user_id: int
    rule: str
    items: list[HandoverItemOut]


class HandoverOut(Schema):
    id: int
    from_user_id: int
    spread: str
    items: list[HandoverItemOut]
    at: datetime
