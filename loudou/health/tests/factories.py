"""Building hand-made funnels for the health tests through the real services."""

from datetime import datetime, timedelta
from itertools import count

from django.utils import timezone

from loudou.activities.tests.factories import log
from loudou.health.models import Thresholds
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead
from loudou.pipeline.models import LostReason, Stage
from loudou.pipeline.services import move_stage

_numbers = count(1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.get_default_timezone())


#: A Tuesday; fixtures are registered at T0 (the clock is frozen there).
T0 = local(2026, 9, 1, 10, 0)


def new_lead(owner, **values) -> Lead:
    """A lead owned (and assigned) by `owner`, registered now, in the first stage."""
    n = next(_numbers)
    values.setdefault("company_name", f"测试客户{n}有限公司")
    values.setdefault("phone", f"1391234{n:04d}")
    return make_lead(actor=owner, owner=owner, **values)


def move(lead: Lead, stage: Stage, at: datetime) -> Lead:
    lead.refresh_from_db()
    lost = LostReason.objects.first() if stage.kind == "lost" else None
    move_stage(lead=lead, to_stage=stage, actor=lead.owner, via="form", at=at, lost_reason=lost)
    lead.refresh_from_db()
    return lead


def walk(lead: Lead, stages: list[Stage], start: datetime, step: timedelta = HOUR) -> datetime:
    """Move `lead` through `stages` one `step` apart from `start`; returns the last time."""
    at = start
    for stage in stages:
        move(lead, stage, at)
        at += step
    return at - step


def follow_up(clock, lead: Lead, when: datetime):
    clock.move_to(when, tick=False)
    return log(lead=lead, actor=lead.owner, occurred_at=when)


def set_thresholds(**values) -> None:
    Thresholds.objects.filter(team=None).update(**values)


def make_case(*, rep, owner, rule="no_follow_up", status="open", lead_ids=(), **values):
    """A case written straight to the table (the sweep is tested on its own)."""
    from loudou.health.models import ExceptionCase

    return ExceptionCase.objects.create(
        rule=rule,
        key=f"{rule}:{rep.pk}:",
        rep=rep,
        team=rep.team,
        owner=owner,
        lead_ids=list(lead_ids),
        lead_count=len(lead_ids),
        metrics={"leads": len(lead_ids), "hours": 24},
        status=status,
        opened_at=T0,
        last_seen_at=T0,
        **values,
    )


def make_report(*, team, monday=None):
    """A stored report with a small snapshot."""
    from datetime import date, timedelta

    from loudou.health.models import HealthReport

    monday = monday or date(2026, 8, 31)
    year, week, _ = monday.isocalendar()
    return HealthReport.objects.create(
        scope_key=HealthReport.scope_key_for(team.pk if team else None),
        team=team,
        iso_year=year,
        iso_week=week,
        period_start=monday,
        period_end=monday + timedelta(days=6),
        generated_at=T0,
        data={"bottlenecks": [{"stage": "已接触", "action": "缩短跟进间隔"}]},
    )
