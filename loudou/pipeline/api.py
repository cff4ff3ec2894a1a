"""Pipeline endpoints: the same selectors and services as the pages."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from loudou.core.schemas import ErrorsOut, Id
from loudou.leads.models import SourceChannel
from loudou.leads.selectors import access_lead
from loudou.org.models import ProductLine
from loudou.pipeline import services
from loudou.pipeline.choices import MoveVia
from loudou.pipeline.exceptions import StageMoveConflict
from loudou.pipeline.forms import BoardFilterForm
from loudou.pipeline.models import Pipeline, Stage
from loudou.pipeline.schemas import (
    BoardOut,
    ConflictOut,
    MoveIn,
    NamedOut,
    OpportunityOut,
    OpportunityPatch,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    StageChangeOut,
    StageIn,
    StageOrderIn,
    StageOut,
    StagePatch,
)
from loudou.pipeline.selectors import (
    active_lost_reasons,
    active_win_factors,
    board_columns,
    board_pipeline,
    lead_ledger,
    pipelines_with_stages,
)

router = Router(tags=["pipeline"])


def _pipeline(pipeline_id: int) -> Pipeline:
    pipeline = pipelines_with_stages().filter(pk=pipeline_id).first()
    if pipeline is None:
        raise Http404
    return pipeline


def _pipeline_values(data: dict) -> dict:
    if "product_line_id" in data:
        pk = data.pop("product_line_id")
        data["product_line"] = None if pk is None else ProductLine.objects.filter(pk=pk).first()
        if pk is not None and data["product_line"] is None:
            raise ValidationError({"product_line_id": _("不存在的产品线。")})
    return data


# configuration ----------------------------------------------------------------------------


@router.get("/pipelines", response=list[PipelineOut])
def list_pipelines(request):
    """Every pipeline with its stages and their ideal state."""
    return pipelines_with_stages()


@router.post("/pipelines", response={201: PipelineOut, 422: ErrorsOut})
def create_pipeline(request, payload: PipelineIn):
    values = _pipeline_values(payload.dict(exclude_unset=True))
    pipeline = services.save_pipeline(actor=request.user, pipeline=None, values=values)
    return Status(201, _pipeline(pipeline.pk))


@router.patch("/pipelines/{id:pipeline_id}", response={200: PipelineOut, 422: ErrorsOut})
def update_pipeline(request, pipeline_id: int, payload: PipelinePatch):
    values = _pipeline_values(payload.dict(exclude_unset=True))
    services.save_pipeline(actor=request.user, pipeline=_pipeline(pipeline_id), values=values)
    return _pipeline(pipeline_id)


@router.post("/pipelines/{id:pipeline_id}/stages", response={201: StageOut, 422: ErrorsOut})
def create_stage(request, pipeline_id: int, payload: StageIn):
    values = payload.dict(exclude_unset=True)
    pipeline = _pipeline(pipeline_id)
    stage = services.save_stage(actor=request.user, stage=None, pipeline=pipeline, values=values)
    return Status(201, stage)


@router.put(
    "/pipelines/{id:pipeline_id}/stage-order", response={200: list[StageOut], 422: ErrorsOut}
)
def reorder_stages(request, pipeline_id: int, payload: StageOrderIn):
    pipeline = _pipeline(pipeline_id)
    return services.reorder_stages(
        actor=request.user, pipeline=pipeline, stage_ids=payload.stage_ids
    )


@router.patch("/stages/{id:stage_id}", response={200: StageOut, 422: ErrorsOut})
def update_stage(request, stage_id: int, payload: StagePatch):
    stage = Stage.objects.filter(pk=stage_id).first()
    if stage is None:
        raise Http404
    values = payload.dict(exclude_unset=True)
    return services.save_stage(actor=request.user, stage=stage, values=values)


@router.get("/lost-reasons", response=list[NamedOut])
def list_lost_reasons(request):
    return active_lost_reasons()


@router.get("/win-factors", response=list[NamedOut])
def list_win_factors(request):
    return active_win_factors()


# stage moves and the ledger ---------------------------------------------------------------


@router.post(
    "/leads/{id:lead_id}/stage",
    response={201: StageChangeOut, 409: ConflictOut, 422: ErrorsOut},
)
def move_stage(request, lead_id: int, payload: MoveIn):
    """Move a visible lead to another stage; answers the new ledger row."""
    lead = access_lead(request.user, lead_id)
    stage = Stage.objects.filter(pk=payload.to_stage_id).first()
    if stage is None:
        raise ValidationError({"to_stage_id": _("不存在的阶段。")})
    try:
        change = services.move_stage(
            lead=lead,
            to_stage=stage,
            actor=request.user,
            via=MoveVia.API,
            reason=payload.reason,
            lost_reason=payload.lost_reason_id,
            win_factors=payload.win_factor_ids,
        )
    except StageMoveConflict as error:
        return Status(409, {"detail": str(error), "code": error.code})
    return Status(201, change)


@router.get("/leads/{id:lead_id}/stage-changes", response=list[StageChangeOut])
def stage_changes(request, lead_id: int):
    """The append-only ledger of a visible lead, oldest first (read only: no PUT/PATCH/DELETE)."""
    return lead_ledger(access_lead(request.user, lead_id))


@router.patch("/leads/{id:lead_id}/opportunity", response={200: OpportunityOut, 422: ErrorsOut})
def update_opportunity(request, lead_id: int, payload: OpportunityPatch):
    lead = access_lead(request.user, lead_id)
    values = payload.dict(exclude_unset=True)
    if "product_ids" in values:
        values["products"] = values.pop("product_ids") or []
    for name in ["technical_contact", "purchasing_contact", "management_contact"]:
        if f"{name}_id" in values:
            values[name] = values.pop(f"{name}_id")
    return services.update_opportunity(lead=lead, actor=request.user, values=values)


# the board --------------------------------------------------------------------------------


class BoardParams(Schema):
    pipeline_id: Id | None = None
    team_id: Id | None = None
    owner_id: Id | None = None
    grade: str | None = None
    source: str | None = None
    exact: bool = False


@router.get("/board", response={200: BoardOut, 422: ErrorsOut})
def board(request, params: Query[BoardParams]):
    """The Kanban columns (counts, amount sums per currency, the newest cards) of the
    leads the caller may see; `source` is a source channel code. A column counts at most
    1,000 leads (`capped`: more, and no amounts) unless `exact` asks for exact figures."""
    data = {"team": params.team_id, "owner": params.owner_id, "grade": params.grade or ""}
    if params.source:
        source = SourceChannel.objects.filter(code=params.source).first()
        if source is None:
            raise ValidationError(
                {"source": _("未知的线索来源：{code}").format(code=params.source)}
            )
        data["source"] = source.pk
    filters = BoardFilterForm(data, user=request.user)
    if not filters.is_valid():
        raise ValidationError(filters.errors)
    pipeline = board_pipeline(params.pipeline_id)
    columns = board_columns(request.user, pipeline, filters.filters(), exact=params.exact)
    return {"pipeline_id": pipeline.pk, "columns": columns}
