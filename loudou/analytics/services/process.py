"""Process indicators (过程指标): is the work done the way the process says?

Definitions (docs/domain/analytics.md), all over the scope:
- first_response: of the leads assigned in the period whose first-response deadline
  (activities.sla: the grade's working hours after assignment) has passed or that were
  followed up, the share first followed up by the deadline.
- need_research: of the cohort leads in the pipeline that reached the stage after the
  first one, the share with a need description, a pain point and at least one scored
  need (需求调研完整度).
- follow_ups_per_rep_week: follow-ups dated in the period on the scope's leads, per rep
  and per week (period days / 7).
- not_followed_24h: of the leads assigned in the period at least 24 h before `now`, the
  share with no follow-up within 24 h after assignment.
- stuck: leads of the scope in an open stage now with at least 3 follow-ups since they
  entered it (no stage progress).
"""

from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone

from loudou.activities.models import FollowUp
from loudou.activities.sla import SlaContext, add_working_hours
from loudou.analytics.services.scope import Scope
from loudou.analytics.services.stats import pct
from loudou.leads.models import NeedItem
from loudou.pipeline.choices import StageKind

DAY = timedelta(hours=24)
STUCK_FOLLOW_UPS = 3


def _assigned(scope: Scope):
    return scope.leads().filter(
        assigned_at__gte=scope.start_at, assigned_at__lt=scope.end_at, owner__isnull=False
    )


def first_response(scope: Scope, now: datetime) -> dict:
    """Working-time deadlines need the calendar, so this one reads (assigned_at, grade,
    first follow-up) per assigned lead of the period and decides in Python."""
    context = SlaContext.load()
    # a correlated first follow-up per lead (lead/occurred_at index, LIMIT 1) instead of a
    # LEFT JOIN + GROUP BY over every column of the lead
    first = (
        FollowUp.objects.filter(lead=OuterRef("pk"))
        .order_by("occurred_at")
        .values("occurred_at")[:1]
    )
    rows = (
        _assigned(scope)
        .order_by()
        .annotate(first=Subquery(first))
        .values_list("assigned_at", "intent_grade", "first")
    )
    met = due = 0
    for assigned_at, grade, first in rows:
        hours = context.rule(grade)[0]
        if first is not None and first <= assigned_at + timedelta(hours=hours):
            met, due = met + 1, due + 1  # working time never runs faster than the clock
            continue
        deadline = add_working_hours(assigned_at, hours, context.calendar)
        if first is None and now <= deadline:
            continue
        due += 1
        met += first is not None and first <= deadline
    return {"leads": due, "met": met, "pct": pct(met, due)}


def need_research(scope: Scope) -> dict:
    second = next((s for s in scope.stages[1:] if s.kind != StageKind.LOST), None)
    leads = scope.pipeline_cohort()
    if second is not None:
        leads = leads.filter(progress__max_order__gte=second.order)
    complete = (
        leads.exclude(need_description="")
        .exclude(pain_point="")
        .filter(Exists(NeedItem.objects.filter(lead=OuterRef("pk"))))
    )
    total, done = leads.count(), complete.count()
    return {"leads": total, "complete": done, "pct": pct(done, total)}


def follow_ups_per_rep_week(scope: Scope) -> dict:
    count = FollowUp.objects.filter(
        lead__in=scope.leads().values("pk"),
        occurred_at__gte=scope.start_at,
        occurred_at__lt=scope.end_at,
    ).count()
    weeks = ((scope.end - scope.start).days + 1) / 7
    reps = scope.rep_count()
    return {
        "follow_ups": count,
        "reps": reps,
        "weeks": round(weeks, 2),
        "value": round(count / reps / weeks, 2),
    }


def not_followed_24h(scope: Scope, now: datetime) -> dict:
    within = FollowUp.objects.filter(
        lead=OuterRef("pk"),
        occurred_at__gte=OuterRef("assigned_at"),
        occurred_at__lte=OuterRef("assigned_at") + DAY,
    )
    leads = _assigned(scope).filter(assigned_at__lte=now - DAY)
    counts = leads.aggregate(total=Count("pk"), missed=Count("pk", filter=~Exists(within)))
    total, missed = counts["total"], counts["missed"]
    return {"leads": total, "missed": missed, "pct": pct(missed, total)}


def stuck(scope: Scope) -> dict:
    # per lead, a count over its (lead, occurred_at) index range: no join + GROUP BY
    since = (
        FollowUp.objects.filter(lead=OuterRef("pk"), occurred_at__gte=OuterRef("stage_entered_at"))
        .order_by()
        .values("lead")
        .annotate(n=Count("pk"))
        .values("n")
    )
    open_ids = [s.pk for s in scope.stages if s.kind == StageKind.OPEN]
    leads = (
        scope.pipeline_leads()
        .filter(stage_id__in=open_ids)
        .order_by()
        .annotate(n=Subquery(since))
        .filter(n__gte=STUCK_FOLLOW_UPS)
    )
    ids = list(leads.values_list("pk", flat=True))  # one pass for the count and the ids
    return {"leads": len(ids), "ids": ids[:200]}


def process_indicators(scope: Scope, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    return {
        "first_response": first_response(scope, now),
        "need_research": need_research(scope),
        "follow_ups_per_rep_week": follow_ups_per_rep_week(scope),
        "not_followed_24h": not_followed_24h(scope, now),
        "stuck": stuck(scope),
    }
