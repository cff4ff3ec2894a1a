"""Reads of the pipeline app: pipelines and stages, a lead's ledger, and the Kanban board.

Leads are always reached through leads.selectors.visible_leads / access_lead.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from loudou.leads.models import Lead
from loudou.org.models import User
from loudou.pipeline import board
from loudou.pipeline.choices import StageKind
from loudou.pipeline.models import LostReason, Pipeline, Stage, StageChange, WinFactor

CARDS_PER_COLUMN = board.CARDS_PER_COLUMN


def active_pipelines() -> QuerySet[Pipeline]:
    return Pipeline.objects.filter(is_active=True)


def pipelines_with_stages() -> QuerySet[Pipeline]:
    return Pipeline.objects.prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("order"))
    )


def board_pipeline(pk: int | None) -> Pipeline:
    """The active pipeline `pk`, or the default one; Http404 when there is none."""
    pipelines = active_pipelines()
    pipeline = pipelines.filter(pk=pk).first() if pk else pipelines.filter(is_default=True).first()
    if pipeline is None:
        raise Http404
    return pipeline


def active_lost_reasons() -> QuerySet[LostReason]:
    return LostReason.objects.filter(is_active=True)


def active_win_factors() -> QuerySet[WinFactor]:
    return WinFactor.objects.filter(is_active=True)


def lead_ledger(lead: Lead) -> QuerySet[StageChange]:
    """The stage changes of a lead the caller already reached through access_lead."""
    return (
        StageChange.objects.filter(lead=lead)
        .select_related("from_stage", "to_stage", "actor", "owner", "lost_reason")
        .order_by("at", "id")
    )


def win_factor_names(ids: list[int]) -> list[str]:
    names = {f.pk: str(f) for f in WinFactor.objects.filter(pk__in=ids)}
    return [names[pk] for pk in ids if pk in names]


@dataclass
class Column:
    """One Kanban column: a stage, how many leads it holds (exact up to COUNT_CAP, else
    `capped`), their amounts (only when the count is exact), and the newest cards."""

    stage: Stage
    count: int = 0
    capped: bool = False
    amounts: dict[str, Decimal] = field(default_factory=dict)
    cards: list[board.Card] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


def filter_board_leads(leads: QuerySet[Lead], filters: dict[str, Any]) -> QuerySet[Lead]:
    """Narrow by team, owner (rep), intent grade and source; empty values are ignored."""
    if filters.get("team"):
        leads = leads.filter(owner__team=filters["team"])
    if filters.get("owner"):
        leads = leads.filter(owner=filters["owner"])
    if filters.get("grade"):
        leads = leads.filter(intent_grade=filters["grade"])
    if filters.get("source"):
        leads = leads.filter(source=filters["source"])
    return leads


def board_columns(
    user: User, pipeline: Pipeline, filters: dict[str, Any], *, exact: bool = False
) -> list[Column]:
    """The Kanban columns of `pipeline` with the leads `user` may see (ADR 0019): each
    column's newest CARDS_PER_COLUMN cards read through an index, in a bounded number of
    queries; counts and amounts exact up to COUNT_CAP leads per column, or always with
    `exact` (which reads every lead of the board: on demand only)."""
    owners = board.owner_partition(user, filters)
    # split by owner, `leads` is not restricted yet: each read of board.py adds the owners
    leads = board.board_leads(user, filters, owners).filter(pipeline=pipeline, merged_into=None)
    stages = list(pipeline.stages.order_by("order"))
    columns = {s.pk: Column(stage=s) for s in stages}
    if exact:
        board.exact_totals(leads, columns, owners)
    else:
        board.capped_totals(leads, columns, owners)
    for lead in board.newest_cards(leads, [s.pk for s in stages], owners):
        columns[lead.stage_id].cards.append(lead)
    return list(columns.values())


def opportunity_started(lead: Lead) -> bool:
    """Whether the lead is at its pipeline's opportunity stage or later (won included; a
    lost lead only when it already carries an amount)."""
    stage = lead.stage if lead.stage_id else None
    if lead.amount is not None:
        return True
    if stage is None or stage.kind == StageKind.LOST:
        return False
    if stage.kind == StageKind.WON or stage.is_opportunity:
        return True
    first = (
        Stage.objects.filter(pipeline_id=stage.pipeline_id, is_opportunity=True)
        .order_by("order")
        .values_list("order", flat=True)
        .first()
    )
    return first is not None and stage.order >= first
