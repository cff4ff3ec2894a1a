"""Cadence and SLA arithmetic in working time (after Frappe CRM's SLA model).

A deadline is counted in working hours: the weekly `WorkingHours`, minus `Holiday` days,
plus 调休 days (`Holiday.is_workday`) that are worked like a normal weekday. Times are
computed in settings.TIME_ZONE (Asia/Shanghai by default).

For lists, load one `SlaContext` (three small queries) and pass it to every call;
`sla_context(request)` keeps one per request.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from django.db.models import Min
from django.utils import timezone

from loudou.activities.choices import SlaState

#: Used when a grade has no rule row.
FALLBACK_RULE = (18, 30)
STANDARD_DAY = ((time(9, 0), time(18, 0)),)
#: How far ahead a deadline is searched before giving up on the calendar (ten years).
MAX_DAYS = 3660


@dataclass(frozen=True)
class WorkCalendar:
    """Working intervals per weekday (0 = Monday) and special days (date → is a workday)."""

    hours: dict[int, tuple[tuple[time, time], ...]]
    days: dict[date, bool] = field(default_factory=dict)
    tz: tzinfo = field(default_factory=timezone.get_default_timezone)

    @classmethod
    def load(cls) -> "WorkCalendar":
        from loudou.activities.models import Holiday, WorkingHours

        hours: dict[int, list[tuple[time, time]]] = {}
        for row in WorkingHours.objects.order_by("weekday", "start"):
            hours.setdefault(row.weekday, []).append((row.start, row.end))
        days = dict(Holiday.objects.values_list("date", "is_workday"))
        return cls(hours={k: tuple(v) for k, v in hours.items()}, days=days)

    @property
    def standard_day(self) -> tuple[tuple[time, time], ...]:
        """The hours of a 调休 day: those of the first weekday that has any."""
        for weekday in range(7):
            if self.hours.get(weekday):
                return self.hours[weekday]
        return STANDARD_DAY

    def intervals(self, day: date) -> tuple[tuple[time, time], ...]:
        special = self.days.get(day)
        if special is False:
            return ()
        regular = self.hours.get(day.weekday(), ())
        if special is True:
            return regular or self.standard_day
        return regular


def add_working_hours(start: datetime, hours: float, calendar: WorkCalendar) -> datetime:
    """`start` plus `hours` of working time. Without any working hours configured the
    calendar is ignored and wall-clock hours are added."""
    remaining = timedelta(hours=float(hours))
    if remaining <= timedelta(0):
        return start
    if not calendar.hours:
        return start + remaining
    cursor = start.astimezone(calendar.tz)
    day = cursor.date()
    for _ in range(MAX_DAYS):
        for begin, end in calendar.intervals(day):
            low = max(datetime.combine(day, begin, tzinfo=calendar.tz), cursor)
            high = datetime.combine(day, end, tzinfo=calendar.tz)
            if low >= high:
                continue
            if low + remaining <= high:
                return low + remaining
            remaining -= high - low
        day += timedelta(days=1)
    return start + timedelta(hours=float(hours))


@dataclass(frozen=True)
class SlaContext:
    """The cadence rules (grade → (first response hours, touch interval days)) and the
    working calendar, loaded once."""

    rules: dict[str, tuple[int, int]]
    calendar: WorkCalendar

    @classmethod
    def load(cls) -> "SlaContext":
        from loudou.activities.models import CadenceRule

        rules = {
            grade: (hours, days)
            for grade, hours, days in CadenceRule.objects.values_list(
                "grade", "first_response_hours", "touch_interval_days"
            )
        }
        return cls(rules=rules, calendar=WorkCalendar.load())

    def rule(self, grade: str) -> tuple[int, int]:
        return self.rules.get(grade, FALLBACK_RULE)


def sla_context(request=None) -> SlaContext:
    """A fresh context, or the one already loaded for `request`."""
    if request is None:
        return SlaContext.load()
    cached = getattr(request, "_loudou_sla_context", None)
    if cached is None:
        cached = SlaContext.load()
        request._loudou_sla_context = cached
    return cached


def first_response_deadline(lead, context: SlaContext | None = None) -> datetime:
    """Assignment (or capture) time plus the grade's first-response hours of working time."""
    context = context or SlaContext.load()
    start = lead.assigned_at or lead.captured_at
    return add_working_hours(start, context.rule(lead.intent_grade)[0], context.calendar)


def first_response_at(lead) -> datetime | None:
    """When the lead was first followed up: the `first_follow_up_at` annotation when the
    queryset has it (see selectors.with_first_follow_up), else one query."""
    if hasattr(lead, "first_follow_up_at"):
        return lead.first_follow_up_at
    return lead.follow_ups.aggregate(first=Min("occurred_at"))["first"]


def sla_state(lead, now: datetime, context: SlaContext | None = None) -> str:
    """ "met" when the first follow-up came by the deadline; "breached" when it came later or
    has not come and the deadline has passed; "due" while it may still come in time."""
    return _state(first_response_deadline(lead, context), first_response_at(lead), now)


def _state(deadline: datetime, first: datetime | None, now: datetime) -> str:
    if first is not None:
        return SlaState.MET if first <= deadline else SlaState.BREACHED
    return SlaState.DUE if now <= deadline else SlaState.BREACHED


def next_touch_due(lead, context: SlaContext | None = None) -> datetime | None:
    """The last contact plus the grade's touch interval; None before the first contact."""
    if lead.last_contact_at is None:
        return None
    context = context or SlaContext.load()
    return lead.last_contact_at + timedelta(days=context.rule(lead.intent_grade)[1])


def lead_sla(lead, now: datetime, context: SlaContext | None = None) -> dict:
    """Everything the lead page and the API show about the lead's cadence."""
    context = context or SlaContext.load()
    hours, days = context.rule(lead.intent_grade)
    touch = next_touch_due(lead, context)
    deadline, first = first_response_deadline(lead, context), first_response_at(lead)
    return {
        "state": _state(deadline, first, now),
        "deadline": deadline,
        "first_response_at": first,
        "first_response_hours": hours,
        "touch_interval_days": days,
        "next_touch_due": touch,
        "touch_overdue": touch is not None and touch < now,
    }
