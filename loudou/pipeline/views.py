"""Pipeline pages: the Kanban board, stage moves and opportunity fields.
parse → access → service → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loudou.leads.selectors import access_lead
from loudou.pipeline.choices import MoveVia, StageKind
from loudou.pipeline.exceptions import StageMoveConflict
from loudou.pipeline.forms import BoardFilterForm, MoveStageForm, OpportunityForm
from loudou.pipeline.selectors import active_lost_reasons, board_columns, board_pipeline
from loudou.pipeline.services import move_stage, update_opportunity


def _pipeline_id(params) -> int | None:
    value = params.get("pipeline", "")
    return int(value) if value.isdigit() else None


def _board_context(request, **extra) -> dict:
    filters = BoardFilterForm(request.GET or None, user=request.user)
    pipeline = board_pipeline(_pipeline_id(request.GET))
    query = request.GET.copy()
    query.pop("cursor", None)
    query.pop("exact", None)
    return {
        "pipeline": pipeline,
        "filters": filters,
        "columns": board_columns(
            request.user, pipeline, filters.filters(), exact=request.GET.get("exact") == "1"
        ),
        "query": query.urlencode(),
        **extra,
    }


@login_required
def board(request):
    context = _board_context(request)
    partial = request.headers.get("HX-Request") == "true"
    return render(
        request, "pipeline/board.html#columns" if partial else "pipeline/board.html", context
    )


def _add_errors(form, error: ValidationError) -> None:
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _attempt(request, lead, form) -> int:
    """Make the move the form asks for: 200 when made, 422 or 409 (form errors) when not."""
    if not form.is_valid():
        return 422
    try:
        move_stage(lead=lead, actor=request.user, **form.move_arguments())
    except ValidationError as error:
        _add_errors(form, error)
        return 422
    except StageMoveConflict as error:
        form.add_error(None, str(error))
        return 409
    return 200


def _errors_text(form) -> str:
    return " ".join(str(m) for errors in form.errors.values() for m in errors)


def _kanban_response(request, lead, form, status: int):
    """The re-rendered columns, plus the message (and the lost-reason form) out of band."""
    stage = getattr(form, "cleaned_data", {}).get("to_stage")
    if status == 200:
        message = _("“{company}”已移动到“{stage}”。").format(company=lead.company_name, stage=stage)
    else:
        message = _errors_text(form)
    lost_form = None
    if status == 422 and stage is not None and stage.kind == StageKind.LOST:
        lost_form = {"lead": lead, "stage": stage, "reasons": active_lost_reasons()}
    context = _board_context(
        request, oob=True, message=message, refused=status != 200, lost_form=lost_form
    )
    return render(request, "pipeline/board.html#moved", context, status=status)


@require_POST
@login_required
def move(request, pk: int):
    lead = access_lead(request.user, pk)
    form = MoveStageForm(request.POST, lead=lead)
    status = _attempt(request, lead, form)
    if request.POST.get("via") == MoveVia.KANBAN:
        return _kanban_response(request, lead, form, status)
    if status == 200:
        messages.success(request, _("阶段已变更为“{stage}”。").format(stage=lead.stage))
        return redirect(lead)
    return render(request, "pipeline/move.html", {"lead": lead, "form": form}, status=status)


@login_required
def opportunity(request, pk: int):
    lead = access_lead(request.user, pk)
    form = OpportunityForm(request.POST or None, lead=lead)
    if request.method == "POST" and form.is_valid():
        try:
            update_opportunity(lead=lead, actor=request.user, values=form.values())
            messages.success(request, _("商机信息已更新。"))
            return redirect(lead)
        except ValidationError as error:
            _add_errors(form, error)
    status = 422 if form.errors else 200
    return render(request, "pipeline/opportunity.html", {"lead": lead, "form": form}, status=status)
