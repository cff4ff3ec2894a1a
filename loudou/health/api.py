"""/api/health/: exception cases, thresholds and weekly reports; the pages' services and
selectors, so the same permissions."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from loudou.health.models import ExceptionCase
from loudou.health.schemas import (
    CaseOut,
    NoteIn,
    ReportDetailOut,
    ReportIn,
    ReportOut,
    SweepIn,
    SweepOut,
    ThresholdsIn,
    ThresholdsOut,
)
from loudou.health.selectors import (
    access_case,
    access_report,
    access_team,
    visible_cases,
    visible_reports,
)
from loudou.health.services import documents
from loudou.health.services.exceptions import acknowledge, resolve, run_sweep
from loudou.health.services.listing import filter_cases
from loudou.health.services.reports import generate_report, last_completed_week, week_of
from loudou.health.services.texts import describe, suggested_action
from loudou.health.services.thresholds import (
    can_edit_thresholds,
    can_read_thresholds,
    effective_thresholds,
    update_thresholds,
)

router = Router(tags=["health"])


def _file(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class CaseFilters(Schema):
    status: str | None = None
    rule: str | None = None
    team: int | None = None
    rep: int | None = None


def _case(case: ExceptionCase) -> dict:
    rep, stage = str(case.rep or ""), str(case.stage or "")
    return {
        **{f: getattr(case, f) for f in CaseOut.model_fields if hasattr(case, f)},
        "rule_label": str(case.get_rule_display()),
        "description": describe(case.rule, case.metrics, rep=rep, stage=stage),
        "suggested_action": suggested_action(case.rule),
    }


@router.get("/cases", response=list[CaseOut])
def list_cases(request, filters: Query[CaseFilters]):
    cases = filter_cases(visible_cases(request.user), filters.dict())
    return [_case(c) for c in cases.order_by("-last_seen_at", "-pk")[:500]]


@router.get("/cases/{case_id}", response=CaseOut)
def get_case(request, case_id: int):
    return _case(access_case(request.user, case_id))


@router.post("/cases/{case_id}/acknowledge", response=CaseOut)
def acknowledge_case(request, case_id: int, payload: NoteIn):
    case = access_case(request.user, case_id)
    return _case(acknowledge(case=case, actor=request.user, note=payload.note))


@router.post("/cases/{case_id}/resolve", response=CaseOut)
def resolve_case(request, case_id: int, payload: NoteIn):
    case = access_case(request.user, case_id)
    return _case(resolve(case=case, actor=request.user, note=payload.note))


@router.post("/sweep", response=SweepOut)
def sweep(request, payload: SweepIn):
    team = access_team(request.user, payload.team) if payload.team else None
    return run_sweep(actor=request.user, team=team).__dict__


def _thresholds(request, team) -> dict:
    row = effective_thresholds(team)
    return {
        "team_id": team.pk if team else None,
        "own": row.team_id is not None or team is None,
        "editable": can_edit_thresholds(request.user, team),
        "values": row.values(),
    }


@router.get("/thresholds", response=ThresholdsOut)
def get_thresholds(request, team: int | None = None):
    found = access_team(request.user, team) if team else None
    if not can_read_thresholds(request.user, found):
        raise PermissionDenied
    return _thresholds(request, found)


@router.put("/thresholds", response=ThresholdsOut)
def put_thresholds(request, payload: ThresholdsIn):
    team = access_team(request.user, payload.team) if payload.team else None
    update_thresholds(actor=request.user, team=team, values=payload.values)
    return _thresholds(request, team)


@router.get("/reports", response=list[ReportOut])
def list_reports(request, team: int | None = None):
    reports = visible_reports(request.user)
    if team is not None:
        reports = reports.filter(team_id=team)
    return list(reports[:200])


@router.post("/reports", response={200: ReportDetailOut, 201: ReportDetailOut})
def create_report(request, payload: ReportIn):
    team = access_team(request.user, payload.team) if payload.team else None
    day = payload.week or last_completed_week(timezone.now())
    report, created = generate_report(team=team, monday=week_of(day)[0], actor=request.user)
    return Status(201 if created else 200, report)


@router.get("/reports/{report_id}", response=ReportDetailOut)
def get_report(request, report_id: int):
    return access_report(request.user, report_id)


@router.get("/reports/{report_id}/pdf")
def report_pdf(request, report_id: int) -> HttpResponse:
    report = access_report(request.user, report_id)
    return _file(documents.pdf_bytes(report), "application/pdf", documents.filename(report, "pdf"))


@router.get("/reports/{report_id}/xlsx")
def report_xlsx(request, report_id: int) -> HttpResponse:
    report = access_report(request.user, report_id)
    return _file(
        documents.xlsx_bytes(report), documents.XLSX_TYPE, documents.filename(report, "xlsx")
    )
