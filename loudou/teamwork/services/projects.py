"""Process-optimisation projects (销售流程优化): baseline and monthly KPIs from the ledger.

Every figure comes from the analytics app through a `Scope` built for the acting user
(who may manage the project, so sees every lead of its teams): nothing is recomputed here.
- Baseline (at the start): over the `BASELINE_DAYS` days before the start date (ending
  yesterday at the latest), for the project's team (company-wide without one) and
  pipeline: per stage the median and p75 days and the move rate against the ideal; the
  conversion (cohort → won) with the top loss reasons; first-response timeliness and
  need-research completeness; and the bottleneck, the open stage whose move rate is
  furthest below its ideal (lowest rate ÷ ideal).
- Monthly KPIs: for one calendar month, 首次响应及时率 (analytics `first_response`) and
  需求调研完整度 (analytics `need_research`) against the project's targets (90 % and
  85 % by default), measured on the pilot team while the project is being prepared or
  piloted, and on the project's team once it rolls out.

Who: director/admin create and manage any project; a manager, projects whose team (and
pilot team, if any) they manage.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.analytics.services.conversion import conversion
from loudou.analytics.services.funnel import move_rates, stage_durations
from loudou.analytics.services.process import first_response, need_research
from loudou.analytics.services.scope import Scope, check_day
from loudou.core.audit import record, save_with_audit
from loudou.org.choices import Role
from loudou.org.models import Team, User
from loudou.pipeline.choices import StageKind
from loudou.teamwork.choices import PILOT_PHASES
from loudou.teamwork.models import ProcessProject, ProjectReview
from loudou.teamwork.selectors import managed_teams
from loudou.teamwork.services.results import decimal_pct

PROJECT_FIELDS = frozenset(
    {"title", "goal", "scope", "pipeline", "team", "pilot_team", "started_on", "rollout"}
    | {"timeliness_target", "need_research_target"}
)
BASELINE_DAYS = 90


def may_create_projects(user: User) -> bool:
    return user.is_authenticated and user.is_active and (user.sees_all or user.role == Role.MANAGER)


def _manages(user: User, team: Team | None) -> bool:
    return team is not None and team.manager_id == user.pk


def may_manage_project(user: User, project: ProcessProject) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.sees_all:
        return True
    if user.role != Role.MANAGER or not _manages(user, project.team):
        return False
    return project.pilot_team is None or _manages(user, project.pilot_team)


def _check_teams(actor: User, values: dict[str, Any], project: ProcessProject) -> None:
    if actor.sees_all:
        return
    teams = managed_teams(actor)
    team = values.get("team", project.team)
    if team is None:
        raise ValidationError({"team": _("请选择您管理的团队。")})
    for name in ("team", "pilot_team"):
        chosen = values.get(name, getattr(project, name))
        if chosen is not None and not teams.filter(pk=chosen.pk).exists():
            raise ValidationError({name: _("只能选择您管理的团队。")})


def _check_values(values: dict[str, Any]) -> None:
    unknown = sorted(set(values) - PROJECT_FIELDS)
    if unknown:
        raise ValidationError({name: [_("不能修改该字段。")] for name in unknown})
    if "started_on" in values and values["started_on"] is not None:
        check_day("started_on", values["started_on"])


@transaction.atomic
def create_project(
    *, actor: User, values: dict[str, Any], now: datetime | None = None
) -> ProcessProject:
    """Create a project (event `teamwork.project_created`) and take its baseline."""
    if not may_create_projects(actor):
        raise PermissionDenied(_("您不能创建流程优化项目。"))
    _check_values(values)
    project = ProcessProject(created_by=actor)
    _check_teams(actor, values, project)
    save_with_audit(obj=project, actor=actor, verb="teamwork.project_created", values=values)
    return take_baseline(project=project, actor=actor, now=now)


@transaction.atomic
def update_project(
    *, project: ProcessProject, actor: User, values: dict[str, Any]
) -> ProcessProject:
    """Change the project (event `teamwork.project_changed`); the baseline stays as taken."""
    if not may_manage_project(actor, project):
        raise PermissionDenied(_("您不能修改该项目。"))
    _check_values(values)
    _check_teams(actor, values, project)
    save_with_audit(obj=project, actor=actor, verb="teamwork.project_changed", values=values)
    return project


# figures ---------------------------------------------------------------------------------


def _scope(actor: User, project: ProcessProject, team: Team | None, start: date, end: date):
    return Scope.build(actor, team=team, start=start, end=end, pipeline=project.pipeline)


def _bottleneck(stages: list[dict]) -> dict | None:
    """The open stage whose measured move rate is lowest against its ideal."""
    candidates = [
        s
        for s in stages
        if s["kind"] == StageKind.OPEN and s["move_rate"] is not None and s["ideal_move_rate"]
    ]
    if not candidates:
        return None
    worst = min(candidates, key=lambda s: (s["move_rate"] / s["ideal_move_rate"], s["order"]))
    return {
        "stage_id": worst["stage_id"],
        "name": worst["name"],
        "move_rate": worst["move_rate"],
        "ideal_move_rate": worst["ideal_move_rate"],
        "ratio_pct": round(worst["move_rate"] * 100 / worst["ideal_move_rate"], 1),
    }


def _stage_rows(scope: Scope, now: datetime) -> list[dict]:
    rates, durations = move_rates(scope), stage_durations(scope, now)
    rows = []
    for stage in scope.stages:
        if stage.kind == StageKind.LOST:
            continue
        rate = rates[stage.pk]
        ideal = None if stage.ideal_move_rate is None else float(stage.ideal_move_rate)
        rows.append(
            {
                "stage_id": stage.pk,
                "name": str(stage),
                "kind": stage.kind,
                "order": stage.order,
                "median_days": durations[stage.pk]["median_days"],
                "p75_days": durations[stage.pk]["p75_days"],
                "ideal_days": stage.ideal_days,
                "entered": rate["entered"],
                "move_rate": rate["rate"] if stage.kind == StageKind.OPEN else None,
                "ideal_move_rate": ideal,
            }
        )
    return rows


def process_figures(scope: Scope, now: datetime) -> dict:
    """The measured process of `scope` (the baseline's content)."""
    stages = _stage_rows(scope, now)
    total = conversion(scope, "grade")[-1]
    return {
        "start": scope.start.isoformat(),
        "end": scope.end.isoformat(),
        "team": str(scope.team) if scope.team else "",
        "pipeline": str(scope.pipeline) if scope.pipeline else "",
        "stages": stages,
        "conversion": {
            "leads": total["leads"],
            "deals": total["deals"],
            "rate": total["rate"],
            "median_cycle_days": total["median_cycle_days"],
        },
        "loss_factors": [list(pair) for pair in total["loss_factors"]],
        "timeliness": first_response(scope, now),
        "need_research": need_research(scope),
        "bottleneck": _bottleneck(stages),
    }


def baseline_period(started_on: date, today: date) -> tuple[date, date]:
    """The BASELINE_DAYS days before the start, ending yesterday at the latest."""
    end = min(started_on, today) - timedelta(days=1)
    return end - timedelta(days=BASELINE_DAYS - 1), end


@transaction.atomic
def take_baseline(
    *, project: ProcessProject, actor: User, now: datetime | None = None
) -> ProcessProject:
    """Measure the current process and keep it as the baseline (event
    `teamwork.project_baseline`); taken again, it replaces the previous one."""
    if not may_manage_project(actor, project):
        raise PermissionDenied(_("您不能修改该项目。"))
    now = now or timezone.now()
    start, end = baseline_period(project.started_on, timezone.localdate(now))
    scope = _scope(actor, project, project.team, start, end)
    project.baseline = process_figures(scope, now)
    project.baseline_on = timezone.localdate(now)
    project.save(update_fields=["baseline", "baseline_on", "updated_at"])
    record(
        obj=project,
        actor=actor,
        verb="teamwork.project_baseline",
        changes=[
            {"field": "baseline_on", "before": None, "after": project.baseline_on.isoformat()}
        ],
    )
    return project


def measured_team(project: ProcessProject) -> Team | None:
    """The pilot team while the project is prepared or piloted, else the project's team."""
    if project.rollout in PILOT_PHASES and project.pilot_team is not None:
        return project.pilot_team
    return project.team


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _kpi(figure: dict, target: int) -> dict:
    return {
        **figure,
        "target": target,
        "on_target": figure["pct"] is not None and figure["pct"] >= target,
    }


@transaction.atomic
def measure_project(
    *, project: ProcessProject, month: date, actor: User, now: datetime | None = None
) -> ProjectReview:
    """Measure the month's KPIs and store them in the month's review (created, or updated
    with its notes kept). The current month is measured up to now; a later one is refused."""
    if not may_manage_project(actor, project):
        raise PermissionDenied(_("您不能修改该项目。"))
    now = now or timezone.now()
    check_day("month", month)
    first, last = month_bounds(month)
    if first > timezone.localdate(now):
        raise ValidationError({"month": _("不能测量尚未开始的月份。")})
    team = measured_team(project)
    scope = _scope(actor, project, team, first, last)
    kpis = {
        "timeliness": _kpi(first_response(scope, now), project.timeliness_target),
        "need_research": _kpi(need_research(scope), project.need_research_target),
        "team": str(team) if team else "",
        "start": first.isoformat(),
        "end": last.isoformat(),
    }
    review, _created = ProjectReview.objects.update_or_create(
        project=project,
        month=first,
        defaults={
            "team": team,
            "timeliness": decimal_pct(kpis["timeliness"]["pct"]),
            "need_research": decimal_pct(kpis["need_research"]["pct"]),
            "kpis": kpis,
            "measured_at": now,
            "measured_by": actor,
        },
    )
    return review


@transaction.atomic
def save_review_notes(*, review: ProjectReview, actor: User, notes: str) -> ProjectReview:
    """The monthly review's record (event `teamwork.review_notes` on the review)."""
    if not may_manage_project(actor, review.project):
        raise PermissionDenied(_("您不能修改该项目。"))
    save_with_audit(obj=review, actor=actor, verb="teamwork.review_notes", values={"notes": notes})
    return review
