"""Performance analysis (销售业绩分析, SPEC §8): target against actual per calendar period,
changes by region, product line, rep, customer type and team, result and process
indicators, and the win rate beside the cohort conversion (docs/domain/analytics.md).

- **Subject**: whose performance. The chosen rep (person), the chosen team, the company
  (director, admin), a manager's one team (several: the people of their teams, who have
  no single target), else the viewer. Deals count as the targets count them
  (`targets.services.actuals`, ADR 0013): for the owner on the won ledger row and that
  person's current team. So the company, team and person figures are exactly the actuals
  of their stored targets.
- **Periods**: the calendar months, quarters or years that overlap the scope's dates,
  whole. A period holding today is **in progress**: its share of days elapsed is shown,
  and its changes compare the same number of days from the start of the previous period
  and of the same period a year before (like-for-like, 同期口径), never the whole of
  them. A period after today is not started: no actual, no change.
- **Focus**: the latest period that has started; the dimensions and the process
  indicators are of it.
"""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.activities.choices import Channel
from loudou.activities.models import FollowUp
from loudou.analytics.services.conversion import DIMENSIONS as CONVERSION_DIMENSIONS
from loudou.analytics.services.conversion import group_label
from loudou.analytics.services.scope import Scope
from loudou.analytics.services.stats import pct
from loudou.org.choices import Role
from loudou.org.models import Team, User
from loudou.org.selectors import visible_users
from loudou.pipeline.choices import StageKind
from loudou.pipeline.models import Stage, StageChange
from loudou.targets.choices import PERIOD_MONTHS, Metric, Period
from loudou.targets.models import Target
from loudou.targets.periods import add_months, bounds, containing, period_end, period_label
from loudou.targets.selectors import visible_targets
from loudou.targets.services.actuals import Deal, completion, deals, first_deals, measure

GRANULARITIES = {"month": Period.MONTHLY, "quarter": Period.QUARTERLY, "year": Period.ANNUAL}
#: Periods shown by default (the scope's dates not given): this one and the ones before.
DEFAULT_PERIODS = {"month": 12, "quarter": 4, "year": 3}
METRICS = (Metric.REVENUE, Metric.ORDERS, Metric.NEW_CUSTOMERS)
#: Dimensions of the changes: how a deal is keyed (a deal may have several product lines)
#: and the target scope of a key.
DEAL_KEYS: dict[str, Callable[[Deal], list]] = {
    "region": lambda d: [d.region_id],
    "product": lambda d: sorted(d.products) or [None],
    "rep": lambda d: [d.owner_id],
    "customer_type": lambda d: [d.customer_type or None],
    "team": lambda d: [d.team_id],
}
TARGET_KEYS = {
    "region": "region",
    "product": "product_line",
    "rep": "person",
    "customer_type": "customer_type",
    "team": "team",
}
#: Dimensions whose target fits a row whatever the subject (all of a person's or a team's
#: deals are in any subject holding them); the others only for the company.
WHOLE_ROWS = {"rep", "team"}
COMPLETE, IN_PROGRESS, FUTURE = "complete", "in_progress", "future"


def dimension_labels() -> dict[str, str]:
    return {
        "region": _("区域"),
        "product": _("产品线"),
        "rep": _("销售员"),
        "customer_type": _("客户类型"),
        "team": _("团队"),
        "source": _("线索来源"),
        "grade": _("意向等级"),
    }


# the subject ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """Whose performance: `kind` company, team, person or people (a manager's several
    teams); `scope_key` the `Target.scope_key` of its stored targets (None for people)."""

    kind: str
    label: str
    scope_key: str | None
    team_id: int | None = None
    person_id: int | None = None
    people: frozenset[int] = field(default_factory=frozenset)

    def holds(self, owner_id: int | None, team_id: int | None) -> bool:
        """Whether a deal (or a ledger row) of this owner and team is the subject's."""
        if self.kind == "company":
            return True
        if self.kind == "team":
            return team_id == self.team_id
        if self.kind == "person":
            return owner_id == self.person_id
        return owner_id in self.people

    def people_q(self, path: str) -> Q:
        """The subject's people as a filter on a user path (a follow-up's author)."""
        if self.kind == "company":
            return Q()
        if self.kind == "team":
            return Q(**{f"{path}__team_id": self.team_id})
        if self.kind == "person":
            return Q(**{path: self.person_id})
        return Q(**{f"{path}__in": sorted(self.people)})

    def as_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "scope_key": self.scope_key}


def _person(user: User) -> Subject:
    return Subject("person", str(user), f"person:{user.pk}", person_id=user.pk)


def _team(team: Team) -> Subject:
    return Subject("team", team.name, f"team:{team.pk}", team_id=team.pk)


def subject_of(scope: Scope) -> Subject:
    viewer = scope.viewer
    if scope.rep is not None:
        return _person(scope.rep)
    if scope.team is not None:
        return _team(scope.team)
    if viewer.sees_all:
        return Subject("company", _("全公司"), "company")
    if viewer.role == Role.MANAGER:
        teams = list(Team.objects.filter(manager=viewer).order_by("pk"))
        if len(teams) == 1:
            return _team(teams[0])
        if teams:
            people = frozenset(visible_users(viewer).values_list("pk", flat=True))
            return Subject("people", _("我管理的团队"), None, people=people)
    return _person(viewer)


# periods -------------------------------------------------------------------------------------


def granularity_period(granularity: str) -> str:
    if granularity not in GRANULARITIES:
        raise ValidationError({"granularity": _("周期只能是 month、quarter 或 year。")})
    return GRANULARITIES[granularity]


def default_dates(granularity: str, today: date) -> tuple[date, date]:
    """From the start of the DEFAULT_PERIODS-th period back to today."""
    kind = granularity_period(granularity)
    back = (DEFAULT_PERIODS[granularity] - 1) * PERIOD_MONTHS[kind]
    return add_months(containing(kind, today), -back), today


@dataclass(frozen=True)
class Window:
    """A calendar period seen from `today`: complete, in progress (`elapsed` days of it,
    today included) or future."""

    kind: str
    start: date
    today: date

    @property
    def end(self) -> date:
        return period_end(self.kind, self.start)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def status(self) -> str:
        if self.start > self.today:
            return FUTURE
        return IN_PROGRESS if self.end >= self.today else COMPLETE

    @property
    def elapsed(self) -> int | None:
        return (self.today - self.start).days + 1 if self.status == IN_PROGRESS else None

    def before(self, months: int) -> tuple[date, date]:
        """The period `months` earlier, cut to the days elapsed of this one when this one
        is in progress (like-for-like)."""
        start = add_months(self.start, -months)
        end = period_end(self.kind, start)
        if self.elapsed is not None:
            end = min(end, start + timedelta(days=self.elapsed - 1))
        return start, end

    def so_far(self) -> tuple[date, date]:
        return self.start, self.today if self.status == IN_PROGRESS else self.end


def windows(kind: str, first: date, last: date, today: date) -> list[Window]:
    """The calendar periods of `kind` overlapping first..last."""
    found, start = [], containing(kind, first)
    while start <= last:
        found.append(Window(kind, start, today))
        start = add_months(start, PERIOD_MONTHS[kind])
    return found


# measuring -----------------------------------------------------------------------------------


class Ledger:
    """The subject's deals (oldest first) and every customer's first deal: each figure is
    `targets.services.actuals.measure` of the deals of a window."""

    def __init__(self, found: list[Deal], first: set[int]):
        self.deals, self.first = found, first
        self.ats = [d.at for d in found]

    def between(self, start: date, end: date) -> list[Deal]:
        low, high = bounds(start, end)
        return self.deals[bisect_left(self.ats, low) : bisect_left(self.ats, high)]

    def value(self, metric: str, start: date, end: date, some: list[Deal] | None = None):
        probe = Target(metric=metric, start=start, end=end)
        found = measure(probe, self.between(start, end) if some is None else some, self.first)
        return found if metric == Metric.REVENUE else int(found)


def change(current, base) -> float | None:
    """Change in % (one decimal); None without a base."""
    if current is None or base in (None, 0):
        return None
    return round(float((Decimal(current) - Decimal(base)) * 100 / Decimal(base)), 1)


def _figure(current, previous, last_year, target: Target | None) -> dict:
    return {
        "target": None if target is None else target.value,
        "target_id": None if target is None else target.pk,
        "actual": current,
        "completion_pct": None if target is None else completion(current, target.value),
        "previous": previous,
        "previous_pct": change(current, previous),
        "last_year": last_year,
        "yoy_pct": change(current, last_year),
    }


def _period_row(window: Window, ledger: Ledger, targets: dict) -> dict:
    row = {
        "start": window.start,
        "end": window.end,
        "label": period_label(window.kind, window.start),
        "status": window.status,
        "days": window.days,
        "elapsed_days": window.elapsed,
        "elapsed_pct": None if window.elapsed is None else pct(window.elapsed, window.days),
    }
    step = PERIOD_MONTHS[window.kind]
    for metric in METRICS:
        target = targets.get((window.start, metric))
        if window.status == FUTURE:
            row[metric] = _figure(None, None, None, target)
            continue
        row[metric] = _figure(
            ledger.value(metric, *window.so_far()),
            ledger.value(metric, *window.before(step)),
            ledger.value(metric, *window.before(12)),
            target,
        )
    return row


def _stored(scope: Scope, subject: Subject, found: list[Window]) -> dict:
    """{(start, metric): target} of the subject for the periods."""
    if subject.scope_key is None or not found:
        return {}
    targets = visible_targets(scope.viewer).filter(
        scope_key=subject.scope_key,
        period=found[0].kind,
        start__in=[w.start for w in found],
        metric__in=METRICS,
    )
    return {(t.start, t.metric): t for t in targets}


# dimensions ----------------------------------------------------------------------------------


def _grouped(found: Iterable[Deal], by: str) -> dict:
    groups: dict = defaultdict(list)
    for deal in found:
        for key in DEAL_KEYS[by](deal):
            groups[key].append(deal)
    return groups


def _dimension_targets(scope, subject, focus: Window, bys) -> dict[str, Target]:
    """{"<scope_key>|<metric>": target} of the focus period for the dimension rows."""
    prefixes = [TARGET_KEYS[by] for by in bys if by in WHOLE_ROWS or subject.kind == "company"]
    if not prefixes:
        return {}
    q = Q()
    for prefix in prefixes:
        q |= Q(scope_key__startswith=f"{prefix}:")
    targets = visible_targets(scope.viewer).filter(
        q, period=focus.kind, start=focus.start, metric__in=(Metric.REVENUE, Metric.ORDERS)
    )
    return {f"{t.scope_key}|{t.metric}": t for t in targets}


def _dimension(by, subject, focus: Window, ledger: Ledger, targets: dict) -> list[dict]:
    step = PERIOD_MONTHS[focus.kind]
    spans = {
        "current": focus.so_far(),
        "previous": focus.before(step),
        "last_year": focus.before(12),
    }
    groups = {name: _grouped(ledger.between(*span), by) for name, span in spans.items()}
    keys = set().union(*groups.values())
    models = _label_models(by, keys)
    fits = by in WHOLE_ROWS or subject.kind == "company"
    rows = []
    for key in keys:
        row = {"key": "none" if key is None else key, "label": group_label(by, key, models)}
        for metric in (Metric.REVENUE, Metric.ORDERS):
            values = {
                name: ledger.value(metric, *spans[name], groups[name].get(key, []))
                for name in spans
            }
            target_key = f"{TARGET_KEYS[by]}:{key}|{metric}"
            target = targets.get(target_key) if fits and key is not None else None
            row[metric] = _figure(
                values["current"], values["previous"], values["last_year"], target
            )
        rows.append(row)
    rows.sort(key=lambda r: (-r["revenue"]["actual"], -r["orders"]["actual"], r["label"]))
    return rows


def _label_models(by: str, keys: set) -> dict:
    model = CONVERSION_DIMENSIONS[by][1]
    if model is None:
        return {}
    return {obj.pk: obj for obj in model.objects.filter(pk__in=[k for k in keys if k])}


def dimensions(scope, subject, focus: Window, ledger: Ledger, total: dict) -> list[dict]:
    bys = ["region", "product", "rep", "customer_type"]
    if scope.viewer.sees_all:
        bys.append("team")
    if focus.status == FUTURE:
        return []
    targets = _dimension_targets(scope, subject, focus, bys)
    labels = dimension_labels()
    result = []
    for by in bys:
        rows = _dimension(by, subject, focus, ledger, targets)
        rows.append({"key": None, "label": _("合计"), **total})
        result.append({"by": by, "label": labels[by], "rows": rows})
    return result


# process indicators --------------------------------------------------------------------------


def opportunity_stage_ids() -> tuple[set[int], dict[int, int]]:
    """(ids of the stages at or after each pipeline's opportunity stage, not lost;
    {pipeline id: the order where it starts}). The opportunity stage is the first one
    flagged 商机阶段, else the pipeline's last open stage."""
    stages = list(Stage.objects.all())
    by_pipeline: dict[int, list[Stage]] = defaultdict(list)
    for stage in stages:
        by_pipeline[stage.pipeline_id].append(stage)
    threshold = {}
    for pipeline, members in by_pipeline.items():
        flagged = [s.order for s in members if s.is_opportunity and s.kind != StageKind.LOST]
        opened = [s.order for s in members if s.kind == StageKind.OPEN]
        if flagged or opened:
            threshold[pipeline] = min(flagged) if flagged else max(opened)
    ids = {
        s.pk
        for s in stages
        if s.kind != StageKind.LOST
        and s.pipeline_id in threshold
        and s.order >= threshold[s.pipeline_id]
    }
    return ids, threshold


def proposals(subject: Subject, start: date, end: date) -> int:
    """Leads whose first entry into their pipeline's opportunity stage or a later non-lost
    stage (a proposal, 方案/商机) is in start..end, for the owner on that ledger row (else
    the lead's) and that person's team, as deals are counted."""
    gate, _threshold = opportunity_stage_ids()
    low, high = bounds(start, end)
    into = StageChange.objects.filter(to_stage_id__in=gate)
    earlier = into.filter(lead=OuterRef("lead")).filter(
        Q(at__lt=OuterRef("at")) | Q(at=OuterRef("at"), pk__lt=OuterRef("pk"))
    )
    rows = (
        into.filter(at__gte=low, at__lt=high, lead__merged_into__isnull=True)
        .filter(~Exists(earlier))
        .order_by()
        .values_list("owner_id", "owner__team_id", "lead__owner_id", "lead__owner__team_id")
    )
    count = 0
    for owner, team, lead_owner, lead_team in rows:
        if owner is None:
            owner, team = lead_owner, lead_team
        count += subject.holds(owner, team)
    return count


def follow_ups(subject: Subject, start: date, end: date) -> dict[str, int]:
    """Follow-ups dated in start..end by the subject's people (their author), by channel,
    leads merged away left out."""
    low, high = bounds(start, end)
    rows = (
        FollowUp.objects.filter(
            subject.people_q("author"),
            occurred_at__gte=low,
            occurred_at__lt=high,
            lead__merged_into__isnull=True,
        )
        .order_by()
        .values("channel")
        .annotate(n=Count("*"))
    )
    counts = dict.fromkeys(Channel.values, 0)
    counts.update({row["channel"]: row["n"] for row in rows})
    return counts


def cohort_conversion(scope: Scope) -> dict:
    """Lead → opportunity (意向客户, the opportunity stage or later) → order (a won stage)
    of the scope's pipeline cohort (captured in the period, as the conversion table)."""
    _gate, threshold = opportunity_stage_ids()
    order = threshold.get(scope.pipeline.pk) if scope.pipeline else None
    reached = Q(progress__max_order__gte=order) if order is not None else Q(pk__in=[])
    counts = (
        scope.pipeline_cohort()
        .order_by()
        .aggregate(
            leads=Count("pk"),
            opportunities=Count("pk", filter=reached),
            orders=Count("pk", filter=Q(progress__won_at__isnull=False)),
        )
    )
    return {
        **counts,
        "lead_to_opportunity_pct": pct(counts["opportunities"], counts["leads"]),
        "opportunity_to_order_pct": pct(counts["orders"], counts["opportunities"]),
        "lead_to_order_pct": pct(counts["orders"], counts["leads"]),
    }


def _counted(current: int, previous: int) -> dict:
    return {"count": current, "previous": previous, "previous_pct": change(current, previous)}


def process(subject: Subject, focus: Window, range_scope: Scope) -> dict:
    step = PERIOD_MONTHS[focus.kind]
    now_span, before = focus.so_far(), focus.before(step)
    if focus.status == FUTURE:
        now_span = before = (focus.start, focus.start - timedelta(days=1))
    current, previous = follow_ups(subject, *now_span), follow_ups(subject, *before)
    labels = dict(Channel.choices)
    return {
        "visits": _counted(current[Channel.VISIT], previous[Channel.VISIT]),
        "calls": _counted(current[Channel.PHONE], previous[Channel.PHONE]),
        "follow_ups": _counted(sum(current.values()), sum(previous.values())),
        "by_channel": [
            {"channel": c, "label": str(labels[c]), **_counted(current[c], previous[c])}
            for c in Channel.values
        ],
        "proposals": _counted(proposals(subject, *now_span), proposals(subject, *before)),
        "cohort": cohort_conversion(range_scope),
    }


# the whole analysis --------------------------------------------------------------------------


def _ledger(subject: Subject, until: datetime) -> Ledger:
    """Every deal before `until` (new customers need each customer's first deal ever),
    the subject's kept."""
    found = deals(until=until)
    mine = [d for d in found if subject.holds(d.owner_id, d.team_id)]
    return Ledger(mine, first_deals(found))


def performance(scope: Scope, granularity: str = "month", now: datetime | None = None) -> dict:
    from loudou.analytics.services.winrate import win_rates

    now = now or timezone.now()
    kind = granularity_period(granularity)
    found = windows(kind, scope.start, scope.end, timezone.localdate(now))
    subject = subject_of(scope)
    ledger = _ledger(subject, bounds(found[-1].start, found[-1].end)[1])
    targets = _stored(scope, subject, found)
    periods = [_period_row(w, ledger, targets) for w in found]
    started = [i for i, w in enumerate(found) if w.status != FUTURE]
    focus = started[-1] if started else 0
    window = found[focus]
    range_scope = scope.with_period(found[0].start, found[-1].end)
    total = {m: periods[focus][m] for m in (Metric.REVENUE, Metric.ORDERS)}
    return {
        "granularity": granularity,
        "as_of": now,
        "subject": subject.as_dict(),
        "range": {"start": found[0].start, "end": found[-1].end},
        "periods": periods,
        "focus": focus,
        "dimensions": dimensions(scope, subject, window, ledger, total),
        "process": process(subject, window, range_scope),
        "win_rates": win_rates(range_scope, subject, ledger),
    }
