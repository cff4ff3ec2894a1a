"""Pydantic schemas of the lead API. Contact details pass through compliance masking."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from loudou.compliance.schemas import MaskedContactSchema
from loudou.core.schemas import Id
from loudou.leads.choices import BudgetFit, CustomerType, DecisionCycle, NeedLevel, PurchasingPower


class LeadIn(Schema):
    company_name: str = Field(max_length=200)
    industry_id: Id | None = None
    employees: int | None = Field(None, ge=0, le=10_000_000)
    annual_revenue: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    region_id: Id | None = None
    contact_name: str = Field("", max_length=60)
    contact_title: str = Field("", max_length=60)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    wechat: str = Field("", max_length=60)
    source: str | None = Field(None, description="source channel code, e.g. trade_show")
    need_description: str = Field("", max_length=5000)
    pain_point: str = Field("", max_length=5000)
    expected_purchase_date: date | None = None
    budget_min: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    budget_max: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    decision_cycle: DecisionCycle = DecisionCycle.UNKNOWN
    need_level: NeedLevel = NeedLevel.UNKNOWN
    budget_fit: BudgetFit = BudgetFit.UNKNOWN
    customer_type: CustomerType = CustomerType.ORDINARY
    purchasing_power: PurchasingPower = PurchasingPower.MEDIUM
    notes: str = Field("", max_length=5000)
    owner_id: Id | None = None
    customer_id: Id | None = None
    on_duplicate: Literal["check", "policy", "keep", "link", "merge"] = Field(
        "policy",
        description="on a duplicate (撞单): policy (DedupePolicy), check, keep, link, merge",
    )
    duplicate_of: int | None = Field(None, description="the lead to link to or merge into")


class LeadPatch(Schema):
    """Every field optional: only the fields sent are changed."""

    company_name: str = Field(None, max_length=200)
    industry_id: Id | None = None
    employees: int | None = Field(None, ge=0, le=10_000_000)
    annual_revenue: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    region_id: Id | None = None
    contact_name: str = Field(None, max_length=60)
    contact_title: str = Field(None, max_length=60)
    phone: str = Field(None, max_length=40)
    email: str = Field(None, max_length=254)
    wechat: str = Field(None, max_length=60)
    source: str | None = None
    need_description: str = Field(None, max_length=5000)
    pain_point: str = Field(None, max_length=5000)
    expected_purchase_date: date | None = None
    budget_min: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    budget_max: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    decision_cycle: DecisionCycle = None
    need_level: NeedLevel = None
    budget_fit: BudgetFit = None
    customer_type: CustomerType = None
    purchasing_power: PurchasingPower = None
    notes: str = Field(None, max_length=5000)
    owner_id: Id | None = None


class NeedOut(Schema):
    need: str
    score: int


class LeadOut(MaskedContactSchema):
    id: int
    number: str
    company_name: str
    customer_id: Id | None
    contact_id: Id | None
    industry_id: Id | None
    employees: int | None
    annual_revenue: Decimal | None
    region_id: Id | None
    contact_name: str
    contact_title: str
    phone: str
    email: str
    wechat: str
    source: str | None
    need_description: str
    pain_point: str
    expected_purchase_date: date | None
    budget_min: Decimal | None
    budget_max: Decimal | None
    decision_cycle: str
    need_level: str
    budget_fit: str
    customer_type: str
    purchasing_power: str
    notes: str
    intent_grade: str
    intent_grade_auto: str
    intent_grade_override: str
    rating: str
    rating_auto: str
    rating_override: str
    need_match_total: int
    need_match_level: str
    is_valid: bool
    invalid_reason: str
    is_historical: bool
    owner_id: Id | None
    captured_by_id: Id | None
    captured_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_source(obj) -> str | None:
        return obj.source.code if obj.source_id else None


class ScoreFactorOut(Schema):
    feature: str
    value: str | int | float | None
    effect: float = Field(description="share of the log-odds; positive raises the score")


class PredictedScoreOut(Schema):
    """The predictive lead score (scoring app), as last stored by the daily training."""

    probability: float = Field(description="predicted chance of being won, 0..1")
    model_version: int
    factors: list[ScoreFactorOut]
    scored_at: datetime


class LeadDetailOut(LeadOut):
    needs: list[NeedOut]
    conclusion: str = ""
    predicted_score: PredictedScoreOut | None = Field(
        None, description="null: not scored yet, too little won/lost history, or closed"
    )

    @staticmethod
    def resolve_needs(obj) -> list:
        return list(obj.needs.all())

    @staticmethod
    def resolve_conclusion(obj) -> str:
        from loudou.leads.services.grading import need_match_conclusion

        return need_match_conclusion(obj)

    @staticmethod
    def resolve_predicted_score(obj) -> dict | None:
        """The reverse one-to-one `lead_score` (scoring app), read without importing it."""
        score = getattr(obj, "lead_score", None)
        if score is None:
            return None
        return {
            "probability": score.probability,
            "model_version": score.model_id,
            "factors": score.factors,
            "scored_at": score.scored_at,
        }


class GradeOverrideIn(Schema):
    kind: str = Field(description="intent or rating")
    grade: str = Field(description='A, B, C, or "" to return to the rule grade')
    reason: str = Field(max_length=500)


class NeedIn(Schema):
    need: str = Field(max_length=200)
    score: int


class NeedsIn(Schema):
    needs: list[NeedIn] = Field(max_length=50)
    purchasing_power: PurchasingPower | None = None


class ChangeOut(Schema):
    label: str
    before: str
    after: str


class AuditEntryOut(Schema):
    """A recorded change of a lead (its audit log), labelled for the reader."""

    at: datetime
    actor: str | None
    verb: str
    label: str
    reason: str
    changes: list[ChangeOut]


class DuplicateMatchOut(Schema):
    """An existing lead like the one sent; contact details masked for the caller."""

    id: int
    number: str
    company_name: str
    owner: str | None
    state: str = Field(description="pool, protected (another rep's) or mine")
    reasons: list[str]
    score: float
    is_branch: bool
    phone: str
    email: str


class DuplicatesOut(Schema):
    detail: str
    matches: list[DuplicateMatchOut]


class LeadListParams(Schema):
    """The list page's filters, by id or code, plus sorting and keyset paging."""

    q: str | None = Field(None, max_length=100)
    stage: int | None = None
    intent_grade: str | None = None
    rating: str | None = None
    status: str | None = None
    validity: str | None = Field(None, description="valid or invalid")
    source: int | None = None
    owner: int | None = None
    team: int | None = None
    industry: int | None = None
    region: int | None = None
    reached: int | None = Field(None, description="stage id: reached it or a later stage")
    captured_from: date | None = None
    captured_to: date | None = None
    overdue: bool | None = None
    sort: str | None = Field(None, description="-captured_at (default), captured_at, …")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class LeadPageOut(Schema):
    items: list[LeadOut]
    next_cursor: str | None


class SavedViewIn(Schema):
    name: str = Field(max_length=60)
    query: str = Field("", max_length=1000)


class SavedViewOut(Schema):
    id: int
    name: str
    query: str
