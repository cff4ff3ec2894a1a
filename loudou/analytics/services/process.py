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

from django.db.models import Case, Count, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone

from loudou.activities.models import FollowUp
from loudou.activities.sla import SlaContext, add_working_hours
from loudou.analytics.services.scope import Scope
from loudou.analytics.services.stats import EpochSeconds, pct, raw_rows
from loudou.leads.choices import Grade
from loudou.leads.models import Lead, NeedItem
from loudou.pipeline.choices import StageKind

DAY = timedelta(hours=24)
STUCK_FOLLOW_UPS = 3


def _assigned(scope: Scope):
    return scope.leads().filter(
        assigned_at__gte=scope.start_at, assigned_at__lt=scope.end_at, owner__isnull=False
    )


def first_response(scope: Scope, now: datetime) -> dict:
    """Working-time deadlines need the calendar. Working time never runs faster than the
    clock, so a first follow-up (the lead's kept `first_contact_at`) within the grade's
    hours of clock time met its deadline: the database counts those; only the others
    (late, or none yet) reach Python for their working-time deadline."""
    context = SlaContext.load()
    assigned = _assigned(scope).order_by()
    allowed = Case(
        *(When(intent_grade=g, then=Value(context.rule(g)[0] * 3600.0)) for g in Grade.values),
        default=Value(context.rule(None)[0] * 3600.0),
    )
    gap = EpochSeconds("first_contact_at") - EpochSeconds("assigned_at")
    # a second's margin: float rounding never decides "met" on its own (the rest go to
    # Python, which decides exactly)
    fast = Q(first_contact_at__isnull=False) & Q(gap__lte=allowed - Value(1.0))
    assigned = assigned.alias(gap=gap)
    met = due = assigned.filter(fast).count()
    rest = assigned.exclude(fast)
    rows = rest.values_list("assigned_at", "intent_grade", "first_contact_at")
    for assigned_at, grade, first in raw_rows(rows, datetimes=(0, 2)):
        hours = context.rule(grade)[0]
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
    in_period = FollowUp.objects.filter(
        occurred_at__gte=scope.start_at, occurred_at__lt=scope.end_at
    )
    if scope.covers_all_leads:  # every follow-up but those of merged leads (index only)
        merged = in_period.filter(lead__in=Lead.objects.filter(merged_into__isnull=False))
        count = in_period.count() - merged.count()
    else:
        # no follow-up of a lead is dated after its last contact: only the leads contacted
        # since the period began can have follow-ups in it
        contacted = scope.leads().filter(last_contact_at__gte=scope.start_at)
        count = in_period.filter(lead__in=contacted.values("pk")).count()
    weeks = ((scope.end - scope.start).days + 1) / 7
    reps = scope.rep_count()
    return {
        "follow_ups": count,
        "reps": reps,
        "weeks": round(weeks, 2),
        "value": round(count / reps / weeks, 2),
    }


def not_followed_24h(scope: Scope, now: datetime) -> dict:
    """A lead first followed up after its assignment was followed within 24 h iff that
    first follow-up (the kept `first_contact_at`) was. The database decides on the clock
    gap in seconds (native SQL, no Python per row), with a second's margin for float
    rounding; a gap within the margin, and a lead contacted before it was (re)assigned,
    are decided by its follow-ups."""
    within = FollowUp.objects.filter(
        lead=OuterRef("pk"),
        occurred_at__gte=OuterRef("assigned_at"),
        occurred_at__lte=OuterRef("assigned_at") + DAY,
    )
    gap = EpochSeconds("first_contact_at") - EpochSeconds("assigned_at")
    day = DAY.total_seconds()
    unsure = Q(first_contact_at__lt=F("assigned_at")) | Q(gap__gt=day - 1, gap__lte=day + 1)
    missed = Q(first_contact_at__isnull=True) | Q(gap__gt=day + 1) | (unsure & ~Exists(within))
    leads = _assigned(scope).filter(assigned_at__lte=now - DAY).alias(gap=gap)
    counts = leads.aggregate(total=Count("pk"), missed=Count("pk", filter=missed))
    total, missed = counts["total"], counts["missed"]
    return {"leads": total, "missed": missed, "pct": pct(missed, total)}


def stuck(scope: Scope) -> dict:
    """The kept count of follow-ups since the stage entry (activities.services.contacts)."""
    open_ids = [s.pk for s in scope.stages if s.kind == StageKind.OPEN]
    leads = scope.pipeline_leads().filter(
        stage_id__in=open_ids, stage_follow_ups__gte=STUCK_FOLLOW_UPS
    )
    ids = list(leads.order_by().values_list("pk", flat=True))  # one pass: count and ids
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
