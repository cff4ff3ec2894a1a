from datetime import date, datetime

from ninja import Field, Schema

from loudou.core.schemas import Id


class CaseOut(Schema):
    id: int
    rule: str
    rule_label: str
    status: str
    team_id: Id | None
    rep_id: Id | None
    stage_id: Id | None
    owner_id: Id | None
    lead_ids: list[Id]
    lead_count: int
    metrics: dict
    description: str
    suggested_action: str
    opened_at: datetime
    last_seen_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by_id: Id | None
    acknowledge_note: str
    resolved_at: datetime | None
    resolved_by_id: Id | None
    resolve_note: str
    auto_resolved: bool


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class SweepIn(Schema):
    team: int | None = None


class SweepOut(Schema):
    found: int
    opened: int
    updated: int
    resolved: int
    by_rule: dict[str, int]


class ThresholdsOut(Schema):
    team_id: Id | None
    own: bool
    editable: bool
    values: dict[str, int]


class ThresholdsIn(Schema):
    team: int | None = None
    values: dict[str, int]


class ReportOut(Schema):
    id: int
    scope_key: str
    team_id: Id | None
    iso_year: int
    iso_week: int
    period_start: date
    period_end: date
    generated_at: datetime
    generated_by_id: Id | None


class ReportDetailOut(ReportOut):
    data: dict


class ReportIn(Schema):
    team: int | None = None
    week: date | None = None
