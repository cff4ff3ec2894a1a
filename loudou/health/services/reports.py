"""The weekly sales-process health report (销售流程健康度报告).

One report per scope (a team, or the company) and ISO week, generated once and never
changed afterwards: the figures are a JSON snapshot taken from the analytics contract
(`funnel`, `conversion`, `process_indicators`) and the exception cases.
- Process indicators and exception activity cover the ISO week (Monday-Sunday, local).
- Funnel vs ideal and conversion cover the `TRAILING_DAYS` ending on the week's Sunday
  (one week's cohort is too small to judge stage rates).
"""

import json
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from loudou.analytics.services.conversion import conversions
from loudou.analytics.services.funnel import funnel
from loudou.analytics.services.process import process_indicators
from loudou.analytics.services.scope import Scope, check_day, local_midnight
from loudou.health.choices import CaseStatus, Rule
from loudou.health.models import ExceptionCase, HealthReport
from loudou.health.services.texts import describe, rule_label, suggested_action
from loudou.notifications.services import notify
from loudou.org.choices import Role
from loudou.org.models import Team, User

TRAILING_DAYS = 90
CASES_LISTED = 20

BOTTLENECK_ACTIONS = {
    "move_rate": gettext_noop(
        "「{stage}」移动率{actual}%低于理想{ideal}%：检查该阶段的工作标准和推荐方法，陪同拜访、演练话术。"
    ),
    "days": gettext_noop(
        "「{stage}」停留中位数{actual}天超过理想{ideal}天：缩短跟进间隔，为每个客户设定下一步行动和截止时间。"
    ),
    "count": gettext_noop(
        "「{stage}」人均客户数{actual}个偏离理想{ideal}个：调整线索分配，过多的放回公海，过少的补充线索。"
    ),
}


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week holding `day`; ValidationError (on "week") for a
    day an analysis cannot look at."""
    check_day("week", day)
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def last_completed_week(now: datetime) -> date:
    """The Monday of the last ISO week that has ended by `now` (local time)."""
    return week_of(timezone.localdate(now))[0] - timedelta(days=7)


def system_viewer() -> User:
    """An unsaved all-seeing user: the worker's viewpoint for scheduled reports."""
    return User(username="system", role=Role.ADMIN, is_active=True)


def can_generate(user: User, team: Team | None) -> bool:
    if not user.is_active:
        return False
    if user.sees_all:
        return True
    return team is not None and user.role == Role.MANAGER and team.manager_id == user.pk


def _plain(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))


def _cases(team: Team | None):
    cases = ExceptionCase.objects.select_related("rep", "stage", "owner")
    return cases.filter(team=team) if team is not None else cases


def exceptions_section(team: Team | None, start: datetime, end: datetime) -> dict:
    """Unresolved cases now (by rule, the first few listed) and the week's activity."""
    cases = _cases(team)
    unresolved = cases.exclude(status=CaseStatus.RESOLVED)
    counts = dict(unresolved.order_by().values_list("rule").annotate(n=Count("pk")))
    listed = [
        {
            "id": c.pk,
            "rule": c.rule,
            "rule_label": str(c.get_rule_display()),
            "status": c.status,
            "rep": str(c.rep) if c.rep_id else "",
            "owner": str(c.owner) if c.owner_id else "",
            "description": describe(
                c.rule, c.metrics, rep=str(c.rep or ""), stage=str(c.stage or "")
            ),
            "action": suggested_action(c.rule),
            "lead_count": c.lead_count,
        }
        for c in unresolved.order_by("rule", "-lead_count", "pk")[:CASES_LISTED]
    ]
    week = Q(opened_at__gte=start, opened_at__lt=end)
    return {
        "unresolved": sum(counts.values()),
        "by_rule": [
            {"rule": r.value, "label": str(r.label), "count": counts.get(r.value, 0)} for r in Rule
        ],
        "opened_in_week": cases.filter(week).count(),
        "resolved_in_week": cases.filter(resolved_at__gte=start, resolved_at__lt=end).count(),
        "cases": listed,
    }


def _gaps(stage: dict) -> list[tuple[float, str, float, float]]:
    """(relative gap, kind, actual, ideal) for each way the stage misses its ideal."""
    misses, found = stage.get("misses") or {}, []
    pairs = [
        ("move_rate", stage.get("move_rate"), stage.get("ideal_move_rate")),
        ("days", stage.get("median_days"), stage.get("ideal_days")),
        ("count", stage.get("count_per_rep"), stage.get("ideal_count_per_rep")),
    ]
    for kind, actual, ideal in pairs:
        if misses.get(kind) and actual is not None and ideal:
            found.append((abs(float(actual) - float(ideal)) / float(ideal), kind, actual, ideal))
    return found


def bottlenecks(funnel_data: dict, exceptions: dict) -> list[dict]:
    """The three largest misses against the ideal state (relative gap), then, if fewer
    than three, the rules with the most unresolved cases."""
    ranked = []
    for stage in funnel_data.get("stages", []):
        for gap, kind, actual, ideal in _gaps(stage):
            ranked.append(
                {
                    "gap": round(gap, 3),
                    "kind": kind,
                    "stage": stage["name"],
                    "stage_id": stage["stage_id"],
                    "actual": actual,
                    "ideal": ideal,
                }
            )
    ranked.sort(key=lambda item: -item["gap"])
    top = ranked[:3]
    for row in sorted(exceptions["by_rule"], key=lambda r: -r["count"]):
        if len(top) >= 3 or row["count"] == 0:
            break
        top.append(
            {
                "gap": None,
                "kind": "exception",
                "rule": row["rule"],
                "stage": row["label"],
                "actual": row["count"],
                "ideal": 0,
            }
        )
    for item in top:
        item["action"] = bottleneck_action(item)
    return top


def bottleneck_action(item: dict) -> str:
    """The suggested action of a bottleneck, in the active language (the snapshot keeps
    the kind and figures, so a report reads in each reader's language)."""
    kind = item.get("kind")
    if kind in BOTTLENECK_ACTIONS and {"stage", "actual", "ideal"} <= item.keys():
        return _(BOTTLENECK_ACTIONS[kind]).format(
            stage=item["stage"], actual=item["actual"], ideal=item["ideal"]
        )
    if item.get("rule"):
        return suggested_action(item["rule"])
    return item.get("action", "")  # as stored (a report older than the kept rule)


def bottleneck_label(item: dict) -> str:
    """The stage name, or for an exception rule its label in the active language."""
    if item.get("rule"):
        return rule_label(item["rule"], item.get("stage", ""))
    return item.get("stage", "")


def build_data(*, team: Team | None, monday: date, now: datetime, viewer: User) -> dict:
    """The figures of one report (called once per scope and week)."""
    sunday = monday + timedelta(days=6)
    week = Scope.build(viewer, team=team, start=monday, end=sunday)
    trailing = week.with_period(sunday - timedelta(days=TRAILING_DAYS - 1), sunday)
    end_at = min(local_midnight(sunday + timedelta(days=1)), now)
    funnel_data = funnel(trailing, now=end_at)
    exceptions = exceptions_section(
        team, local_midnight(monday), local_midnight(sunday + timedelta(days=1))
    )
    data = {
        "scope": {
            "team_id": team.pk if team else None,
            "label": str(team) if team else _("全公司"),
        },
        "period": {"start": monday, "end": sunday, "trailing_start": trailing.start},
        "funnel": funnel_data,
        "conversion": conversions(trailing, ("source", "grade")),
        "process": process_indicators(week, now=end_at),
        "exceptions": exceptions,
        "bottlenecks": bottlenecks(funnel_data, exceptions),
    }
    return _plain(data)


def generate_report(
    *, team: Team | None, monday: date, now: datetime | None = None, actor: User | None = None
) -> tuple[HealthReport, bool]:
    """The report of `team` (None: company) for the ISO week starting `monday`: the
    stored one when it exists (never regenerated), else a new one. (report, created)."""
    now = now or timezone.now()
    if actor is not None and not can_generate(actor, team):
        raise PermissionDenied(_("您不能生成该报告。"))
    monday = week_of(monday)[0]
    key = HealthReport.scope_key_for(team.pk if team else None)
    iso_year, iso_week, _weekday = monday.isocalendar()
    existing = HealthReport.objects.filter(scope_key=key, iso_year=iso_year, iso_week=iso_week)
    if (found := existing.first()) is not None:
        return found, False
    with translation.override("zh-hans"):
        data = build_data(team=team, monday=monday, now=now, viewer=system_viewer())
    try:
        with transaction.atomic():
            report = HealthReport.objects.create(
                scope_key=key,
                team=team,
                iso_year=iso_year,
                iso_week=iso_week,
                period_start=monday,
                period_end=monday + timedelta(days=6),
                generated_at=now,
                generated_by=actor,
                data=data,
            )
    except IntegrityError:  # generated meanwhile by another worker
        return existing.get(), False
    push_report(report)
    return report, True


def recipients(report: HealthReport) -> list[User]:
    """The team's manager; for the company report, the directors."""
    if report.team_id:
        manager = report.team.manager
        return [manager] if manager is not None and manager.is_active else []
    return list(User.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("pk"))


def push_report(report: HealthReport) -> int:
    """Notify the recipients (in-app, e-mail and their team's robot) with a link."""
    sent = 0
    for user in recipients(report):
        with translation.override(user.language):
            title = _("销售流程健康度报告：{scope} {year}年第{week}周").format(
                scope=report.scope_label, year=report.iso_year, week=report.iso_week
            )
            body = _(
                "本周报告已生成，包括漏斗与理想状态对比、转化分析、跟进及时性、意外状态和三大瓶颈。"
            )
        sent += (
            notify(
                user=user,
                kind="health_report",
                title=title,
                body=body,
                url=reverse("health:report", args=[report.pk]),
                dedupe_key=f"health:report:{report.pk}:{user.pk}",
            )
            is not None
        )
    return sent


def generate_weekly_reports(now: datetime | None = None) -> int:
    """The scheduled run: last week's report of every team and of the company, each
    once. Returns how many were generated now."""
    now = now or timezone.now()
    monday = last_completed_week(now)
    created = 0
    for team in [None, *Team.objects.order_by("pk")]:
        created += generate_report(team=team, monday=monday, now=now)[1]
    return created
