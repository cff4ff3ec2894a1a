"""Pydantic schemas of the customer-service API (ADR 0011: `X | None` only where the
model field is nullable; omitted PATCH fields are unchanged; every number bounded).
Names start with "Service" so that no other app's schema shares one."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from ninja import Field, Schema

from loudou.core.schemas import Id
from loudou.service.choices import (
    ActionKind,
    DueStatus,
    Frequency,
    OwnerRule,
    Priority,
    SlaView,
    TicketStatus,
    Tier,
)
from loudou.service.services.sla import breaches, sla_view

Amount = Annotated[Decimal, Field(max_digits=12, decimal_places=2, gt=0, le=1_000_000_000)]
Hours = Annotated[Decimal, Field(max_digits=4, decimal_places=1, ge=Decimal("0.5"), le=999)]
Rating = Annotated[int, Field(ge=1, le=5)]
LongText = Annotated[str, Field(max_length=5000)]


# tickets -----------------------------------------------------------------------------


class ServiceTicketOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    contact_id: int | None
    subject: str
    description: str
    priority: Priority
    status: TicketStatus
    tier: Tier
    assignee_id: int | None
    created_by_id: int
    opened_at: datetime
    response_due: datetime
    resolution_due: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    response_breached: bool
    resolution_breached: bool
    sla: SlaView = Field(description="on_track, at_risk (deadline within 30 min) or breached")
    escalation: int = Field(description="0 none, 1 manager, 2 director")
    satisfaction: int | None
    satisfaction_comment: str
    reopened: int

    @staticmethod
    def resolve_customer_name(obj) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_sla(obj) -> str:
        return sla_view(obj, timezone.now())

    @staticmethod
    def resolve_response_breached(obj) -> bool:
        return breaches(obj, timezone.now())[0]

    @staticmethod
    def resolve_resolution_breached(obj) -> bool:
        return breaches(obj, timezone.now())[1]


class ServiceTicketIn(Schema):
    customer_id: Id
    contact_id: Id | None = None
    subject: str = Field(max_length=200)
    description: LongText = ""
    priority: Priority = Priority.NORMAL
    assignee_id: Id | None = Field(None, description="default: the customer's owner")


class ServiceTicketFilterParams(Schema):
    scope: str = Field("", pattern="^(|mine|open)$")
    status: TicketStatus | None = None
    priority: Priority | None = None
    tier: Tier | None = None
    sla: SlaView | None = None
    customer: Id | None = None
    q: str = Field("", max_length=100)


class ServiceReplyIn(Schema):
    body: LongText


class ServiceResolveIn(Schema):
    body: LongText = ""


class ServiceReopenIn(Schema):
    reason: LongText


class ServiceAssignIn(Schema):
    assignee_id: Id


class ServiceRateIn(Schema):
    satisfaction: Rating
    comment: str = Field("", max_length=2000)


# customers, tiers, evaluations -------------------------------------------------------


class ServiceCustomerOut(Schema):
    id: int
    name: str
    owner_id: int | None
    tier: Tier
    computed_tier: Tier | None
    override_tier: str = Field(description="empty: the computed tier applies")
    override_reason: str
    annual_purchase: Decimal | None
    year: int | None

    @staticmethod
    def _row(obj):
        return getattr(obj, "service_tier", None)

    @staticmethod
    def resolve_tier(obj) -> str:
        row = ServiceCustomerOut._row(obj)
        return row.tier if row else Tier.NORMAL

    @staticmethod
    def resolve_computed_tier(obj) -> str | None:
        row = ServiceCustomerOut._row(obj)
        return row.computed_tier if row else None

    @staticmethod
    def resolve_override_tier(obj) -> str:
        row = ServiceCustomerOut._row(obj)
        return row.override_tier if row else ""

    @staticmethod
    def resolve_override_reason(obj) -> str:
        row = ServiceCustomerOut._row(obj)
        return row.override_reason if row else ""

    @staticmethod
    def resolve_annual_purchase(obj) -> Decimal | None:
        row = ServiceCustomerOut._row(obj)
        return row.annual_purchase if row else None

    @staticmethod
    def resolve_year(obj) -> int | None:
        row = ServiceCustomerOut._row(obj)
        return row.year if row else None


class ServiceCustomerFilterParams(Schema):
    tier: Tier | None = None
    q: str = Field("", max_length=100)


class ServiceOverrideIn(Schema):
    tier: str = Field(pattern="^(|vip|key|normal)$", description='"" clears the override')
    reason: str = Field("", max_length=200)


class ServiceEvaluationOut(Schema):
    id: int
    customer_id: int
    year: int
    quarter: int
    rating: int
    comment: str
    evaluated_by_id: int
    evaluated_at: datetime


class ServiceEvaluationIn(Schema):
    year: int = Field(ge=2000, le=2099)
    quarter: int = Field(ge=1, le=4)
    rating: Rating
    comment: str = Field("", max_length=2000)


# due actions and the log -------------------------------------------------------------


class ServiceDueActionOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    action_id: int
    title: str
    frequency: Frequency
    period_start: date
    due_on: date
    owner_id: int | None
    status: DueStatus
    overdue: bool
    done_on: date | None
    done_by_id: int | None
    notes: str
    feedback: str

    @staticmethod
    def resolve_customer_name(obj) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.action.title

    @staticmethod
    def resolve_frequency(obj) -> str:
        return obj.action.frequency

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class ServiceLogFilterParams(Schema):
    status: DueStatus | None = None
    overdue: bool = False
    customer: Id | None = None
    q: str = Field("", max_length=100)


class ServiceDoneIn(Schema):
    done_on: date = Field(ge=date(2000, 1, 1), le=date(2099, 12, 31))
    notes: LongText = ""
    feedback: LongText = ""


class ServiceSkipIn(Schema):
    notes: str = Field(min_length=1, max_length=500)


# settings and plans ------------------------------------------------------------------


class ServiceThresholdsOut(Schema):
    vip: Decimal
    key: Decimal
    normal: Decimal


class ServiceThresholdsIn(Schema):
    vip: Amount
    key: Amount


class ServiceSlaRow(Schema):
    tier: Tier
    response_hours: Hours
    resolution_hours: Hours


class ServiceSlaOut(Schema):
    tier: Tier
    response_hours: Decimal
    resolution_hours: Decimal


class ServiceSlaIn(Schema):
    rows: list[ServiceSlaRow] = Field(min_length=1, max_length=3, description="one per tier")


class ServicePlanActionOut(Schema):
    id: int
    kind: ActionKind
    title: str
    frequency: Frequency
    owner_rule: OwnerRule
    is_active: bool


class ServicePlanOut(Schema):
    id: int
    tier: Tier
    name: str
    goals: str
    target_repurchase_pct: int | None
    target_satisfaction: Decimal | None
    target_referrals: int | None
    actions: list[ServicePlanActionOut]

    @staticmethod
    def resolve_actions(obj) -> list:
        return list(obj.actions.all())


class ServicePlanPatch(Schema):
    name: str = Field(None, min_length=1, max_length=100)
    goals: LongText = None
    target_repurchase_pct: int | None = Field(None, ge=0, le=100)
    target_satisfaction: Decimal | None = Field(None, max_digits=2, decimal_places=1, ge=1, le=5)
    target_referrals: int | None = Field(None, ge=0, le=1000)


class ServicePlanActionIn(Schema):
    kind: ActionKind
    title: str = Field(min_length=1, max_length=100)
    frequency: Frequency
    owner_rule: OwnerRule = OwnerRule.CUSTOMER_OWNER
    is_active: bool = True


class ServicePlanActionPatch(Schema):
    kind: ActionKind = None
    title: str = Field(None, min_length=1, max_length=100)
    frequency: Frequency = None
    owner_rule: OwnerRule = None
    is_active: bool = None
