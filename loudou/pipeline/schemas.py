"""Pydantic schemas of the pipeline API."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from loudou.core.schemas import Id
from loudou.pipeline.choices import Currency, StageKind


class StageOut(Schema):
    id: int
    pipeline_id: Id
    code: str
    name: str
    name_en: str
    order: int
    kind: str
    probability: int
    entry_criteria: str
    work_standards: str
    sales_methods: str
    ideal_days: int | None
    ideal_move_rate: Decimal | None
    ideal_count_per_rep: int | None
    is_opportunity: bool


class PipelineOut(Schema):
    id: int
    name: str
    name_en: str
    product_line_id: Id | None
    is_default: bool
    is_active: bool
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj) -> list:
        return list(obj.stages.all())


class PipelinePatch(Schema):
    name: str = Field(None, max_length=60)
    name_en: str = Field(None, max_length=60)
    product_line_id: Id | None = None
    is_default: bool = None
    is_active: bool = None


class PipelineIn(PipelinePatch):
    name: str = Field(max_length=60)


class StagePatch(Schema):
    code: str = Field(None, max_length=40)
    name: str = Field(None, max_length=60)
    name_en: str = Field(None, max_length=60)
    order: int = Field(None, ge=1, le=1000)
    kind: StageKind = None
    probability: int = Field(None, ge=0, le=100)
    entry_criteria: str = Field(None, max_length=5000)
    work_standards: str = Field(None, max_length=5000)
    sales_methods: str = Field(None, max_length=5000)
    ideal_days: int | None = Field(None, ge=0, le=3650)
    ideal_move_rate: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    ideal_count_per_rep: int | None = Field(None, ge=0, le=10000)
    is_opportunity: bool = None


class StageIn(StagePatch):
    code: str = Field(max_length=40)
    name: str = Field(max_length=60)


class StageOrderIn(Schema):
    stage_ids: list[Id]


class MoveIn(Schema):
    to_stage_id: Id
    reason: str = Field("", max_length=1000)
    lost_reason_id: Id | None = None
    win_factor_ids: list[Id] = []


class StageChangeOut(Schema):
    id: int
    lead_id: Id
    pipeline_id: Id
    from_stage_id: Id | None
    from_stage: str | None
    to_stage_id: Id
    to_stage: str
    at: datetime
    actor_id: Id | None
    actor: str | None
    owner_id: Id | None
    reason: str
    via: str
    lost_reason_id: Id | None
    lost_reason: str | None
    win_factor_ids: list[Id]

    @staticmethod
    def resolve_from_stage(obj) -> str | None:
        return obj.from_stage.name if obj.from_stage_id else None

    @staticmethod
    def resolve_to_stage(obj) -> str:
        return obj.to_stage.name

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return str(obj.actor) if obj.actor_id else None

    @staticmethod
    def resolve_lost_reason(obj) -> str | None:
        return obj.lost_reason.name if obj.lost_reason_id else None

    @staticmethod
    def resolve_win_factor_ids(obj) -> list[int]:
        return list(obj.win_factors)


class NamedOut(Schema):
    id: int
    name: str
    name_en: str
    order: int


class CardOut(Schema):
    id: int
    number: str
    company_name: str
    intent_grade: str
    owner_id: Id | None
    owner: str | None
    amount: Decimal | None
    currency: str
    stage_entered_at: datetime | None

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return str(obj.owner) if obj.owner_id else None


class ColumnOut(Schema):
    stage_id: Id
    stage: str
    kind: str
    count: int = Field(description="exact, or COUNT_CAP (1000) when `capped`")
    capped: bool = Field(description="more leads than `count`; `amounts` then left out")
    amounts: dict[str, Decimal]
    cards: list[CardOut]

    @staticmethod
    def resolve_stage_id(obj) -> int:
        return obj.stage.pk

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.stage.kind

    @staticmethod
    def resolve_stage(obj) -> str:
        return obj.stage.name


class BoardOut(Schema):
    pipeline_id: Id
    columns: list[ColumnOut]


class OpportunityPatch(Schema):
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: Currency = None
    product_ids: list[Id] = None
    expected_close_date: date | None = None
    competitors: str = Field(None, max_length=5000)
    probability: int | None = Field(None, ge=0, le=100)
    technical_contact_id: Id | None = None
    purchasing_contact_id: Id | None = None
    management_contact_id: Id | None = None


class OpportunityOut(Schema):
    id: int
    pipeline_id: Id | None
    stage_id: Id | None
    amount: Decimal | None
    currency: str
    product_ids: list[Id]
    expected_close_date: date | None
    competitors: str
    probability: int | None
    technical_contact_id: Id | None
    purchasing_contact_id: Id | None
    management_contact_id: Id | None

    @staticmethod
    def resolve_product_ids(obj) -> list[int]:
        return sorted(p.pk for p in obj.products.all())


class ConflictOut(Schema):
    detail: str
    code: str
