"""Pydantic schemas of the activities API."""

from datetime import datetime

from ninja import Field, Schema

from loudou.activities.choices import Channel, Result
from loudou.core.schemas import Id
from loudou.leads.schemas import AuditEntryOut


class FollowUpIn(Schema):
    occurred_at: datetime | None = Field(None, description="default: now")
    channel: Channel = Channel.PHONE
    summary: str = Field(max_length=2000)
    feedback_category_id: Id | None = None
    feedback_text: str = Field("", max_length=2000)
    objection_handling: str = Field("", max_length=2000)
    next_action: str = Field("", max_length=200)
    next_action_owner_id: Id | None = Field(None, description="default: the lead's owner")
    next_action_due: datetime | None = None
    result: Result | None = Field(None, description="default: pending with a next action")


class FollowUpOut(Schema):
    id: int
    lead_id: Id
    occurred_at: datetime
    channel: str
    summary: str
    feedback_category: str | None = None
    feedback_text: str
    objection_handling: str
    next_action: str
    next_action_owner_id: Id | None
    next_action_due: datetime | None
    next_action_done_at: datetime | None
    result: str
    author_id: Id
    created_at: datetime

    @staticmethod
    def resolve_feedback_category(obj) -> str | None:
        return obj.feedback_category.name if obj.feedback_category_id else None


class CompleteIn(Schema):
    result: Result = Result.DONE


class SlaOut(Schema):
    state: str
    deadline: datetime
    first_response_at: datetime | None
    first_response_hours: int
    touch_interval_days: int
    next_touch_due: datetime | None
    touch_overdue: bool


class DetailOut(Schema):
    label: str
    value: str


class TimelineEntryOut(AuditEntryOut):
    """An audit entry, a stage move or a follow-up of the merged timeline."""

    kind: str
    text: str
    details: list[DetailOut]


class NextActionOut(Schema):
    id: int
    lead_id: Id
    lead_number: str
    company_name: str
    next_action: str
    next_action_due: datetime | None
    next_action_owner_id: Id | None

    @staticmethod
    def resolve_lead_number(obj) -> str:
        return obj.lead.number

    @staticmethod
    def resolve_company_name(obj) -> str:
        return obj.lead.company_name


class AgendaOut(Schema):
    overdue: list[NextActionOut]
    today: list[NextActionOut]
    week: list[NextActionOut]
    undated: list[NextActionOut]


class BreachOut(Schema):
    lead_id: Id
    lead_number: str
    company_name: str
    intent_grade: str
    owner_id: Id | None
    deadline: datetime


class TeamOverdueOut(Schema):
    next_actions: list[NextActionOut]
    sla_breaches: list[BreachOut]


class CadenceRuleIO(Schema):
    grade: str
    first_response_hours: int = Field(ge=1, le=10_000)
    touch_interval_days: int = Field(ge=1, le=3650)


class CadenceRulePatch(Schema):
    grade: str
    first_response_hours: int | None = Field(None, ge=1, le=10_000)
    touch_interval_days: int | None = Field(None, ge=1, le=3650)


class ScriptTemplateOut(Schema):
    id: int
    title: str
    industry_id: Id | None
    stage_id: Id | None
    opening: str
    discovery_questions: str
    value_points: str


class CalendarFeedOut(Schema):
    url: str
