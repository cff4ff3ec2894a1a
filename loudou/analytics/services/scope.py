"""What an analysis looks at: who asks, which team or rep, which period, which pipeline.

Every figure in the app starts from a `Scope`, so visibility is decided once, by the
existing selectors (`visible_leads`, `visible_users`).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.leads.models import Lead
from loudou.leads.selectors import visible_leads
from loudou.org.choices import Role
from loudou.org.models import Team, User
from loudou.org.selectors import visibility_q, visible_users
from loudou.pipeline.models import Pipeline, Stage

#: Roles counted as "reps" when a figure is divided per rep.
REP_ROLES = (Role.SENIOR_REP, Role.JUNIOR_REP)
DEFAULT_DAYS = 90
#: The days an analysis may look at, and its longest period (ten years): beyond them a
#: period is refused with a message, instead of overflowing a date or reading a century.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
MAX_PERIOD_DAYS = 3653


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def may_see_team(viewer: User, team: Team) -> bool:
    return viewer.sees_all or (viewer.role == Role.MANAGER and team.manager_id == viewer.pk)


def default_period(
    today: date | None = None, leads: QuerySet[Lead] | None = None
) -> tuple[date, date]:
    """The last DEFAULT_DAYS days; when `leads` (the viewer's) has none captured then but
    has some (an old data set, just imported), the days of their captures instead
    (`data_period`)."""
    today = today or timezone.localdate()
    window = today - timedelta(days=DEFAULT_DAYS - 1), today
    if leads is None:
        return window
    recent = leads.filter(
        captured_at__gte=local_midnight(window[0]),
        captured_at__lt=local_midnight(today + timedelta(days=1)),
    )
    if recent.exists():
        return window
    return data_period(leads) or window


def data_period(leads: QuerySet[Lead]) -> tuple[date, date] | None:
    """The first and last local day `leads` were captured, within FIRST_DAY..LAST_DAY and
    at most MAX_PERIOD_DAYS long (the latest ones kept); None without any."""
    span = leads.order_by().aggregate(first=Min("captured_at"), last=Max("captured_at"))
    if span["first"] is None:
        return None
    first = max(timezone.localdate(span["first"]), FIRST_DAY)
    last = min(timezone.localdate(span["last"]), LAST_DAY)
    if last < first:
        return None
    return max(first, last - timedelta(days=MAX_PERIOD_DAYS - 1)), last


def check_day(name: str, day: date) -> None:
    """Refuse (ValidationError on `name`) a day outside FIRST_DAY..LAST_DAY."""
    if not FIRST_DAY <= day <= LAST_DAY:
        bounds = {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
        raise ValidationError({name: _("日期须在 {first} 至 {last} 之间。").format(**bounds)})


def _check_period(start: date, end: date) -> None:
    check_day("start", start)
    check_day("end", end)
    if end < start:
        raise ValidationError({"end": _("结束日期不能早于开始日期。")})
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise ValidationError({"end": _("分析期间最长 10 年，请缩短。")})


@dataclass(frozen=True)
class Scope:
    """A validated analysis scope; build it with `Scope.build`."""

    viewer: User
    team: Team | None
    rep: User | None
    start: date
    end: date
    pipeline: Pipeline | None
    stages: tuple[Stage, ...] = field(default=(), compare=False)

    @classmethod
    def build(
        cls,
        viewer: User,
        team: Team | int | None = None,
        rep: User | int | None = None,
        start: date | None = None,
        end: date | None = None,
        pipeline: Pipeline | int | None = None,
    ) -> "Scope":
        """Refuses (PermissionDenied) a team or rep the viewer may not see, and
        (ValidationError) an unknown team, rep or pipeline or an end before the start.
        Without start and end, the period is `default_period` of the scope's leads."""
        team = _team(viewer, team)
        rep = _rep(viewer, rep)
        if start is None and end is None:
            probe = cls(viewer, team, rep, FIRST_DAY, LAST_DAY, None)
            start, end = default_period(leads=probe.leads())
        default_start, default_end = default_period()
        start, end = start or default_start, end or default_end
        _check_period(start, end)
        pipeline = _pipeline(pipeline)
        stages = tuple(pipeline.stages.order_by("order")) if pipeline else ()
        return cls(viewer, team, rep, start, end, pipeline, stages)

    @property
    def start_at(self) -> datetime:
        return local_midnight(self.start)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period (exclusive bound)."""
        return local_midnight(self.end + timedelta(days=1))

    def leads(self) -> QuerySet[Lead]:
        """Visible, not merged leads of the team / rep, whenever captured."""
        leads = visible_leads(self.viewer).filter(merged_into__isnull=True)
        if self.team is not None:
            leads = leads.filter(owner__team=self.team)
        if self.rep is not None:
            leads = leads.filter(owner=self.rep)
        return leads

    def extra_q(self, prefix: str = "lead__") -> list[Q]:
        """Not merged, of the team / rep: the filters `leads()` adds to visibility."""
        q = [Q(**{f"{prefix}merged_into__isnull": True})]
        if self.team is not None:
            q.append(Q(**{f"{prefix}owner__team": self.team}))
        if self.rep is not None:
            q.append(Q(**{f"{prefix}owner": self.rep}))
        return q

    def lead_q(self, prefix: str = "lead__", *, cohort: bool = False) -> Q:
        """The same leads as `pipeline_leads()` (or `pipeline_cohort()`), as a filter on a
        model that points at the lead through `prefix`: a join instead of an IN-subquery,
        built with the same `visibility_q`."""
        q = visibility_q(
            self.viewer, owner=f"{prefix}owner", captured_by=f"{prefix}captured_by"
        ) & Q(**{f"{prefix}merged_into__isnull": True, f"{prefix}pipeline": self.pipeline})
        if self.team is not None:
            q &= Q(**{f"{prefix}owner__team": self.team})
        if self.rep is not None:
            q &= Q(**{f"{prefix}owner": self.rep})
        if cohort:
            q &= Q(
                **{
                    f"{prefix}captured_at__gte": self.start_at,
                    f"{prefix}captured_at__lt": self.end_at,
                }
            )
        return q

    @property
    def covers_all_leads(self) -> bool:
        """A viewer who sees every lead, without team or rep: `leads()` is every lead
        that is not merged."""
        return self.team is None and self.rep is None and not visibility_q(self.viewer)

    def cohort(self) -> QuerySet[Lead]:
        """`leads()` captured within the period."""
        return self.leads().filter(captured_at__gte=self.start_at, captured_at__lt=self.end_at)

    def pipeline_leads(self) -> QuerySet[Lead]:
        return self.leads().filter(pipeline=self.pipeline)

    def pipeline_cohort(self) -> QuerySet[Lead]:
        return self.cohort().filter(pipeline=self.pipeline)

    def users(self) -> QuerySet[User]:
        """People in the scope the viewer may see."""
        users = visible_users(self.viewer).filter(is_active=True)
        if self.rep is not None:
            return users.filter(pk=self.rep.pk)
        if self.team is not None:
            return users.filter(team=self.team)
        return users

    def reps(self) -> QuerySet[User]:
        """The reps a per-rep figure is divided by: the chosen rep, else the scope's
        senior and junior reps."""
        if self.rep is not None:
            return self.users()
        return self.users().filter(role__in=REP_ROLES)

    def rep_count(self) -> int:
        return max(self.reps().count(), 1)

    def with_period(self, start: date, end: date) -> "Scope":
        return Scope(self.viewer, self.team, self.rep, start, end, self.pipeline, self.stages)

    def query(self, **extra) -> dict:
        """Query parameters that rebuild this scope (for links and the API)."""
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.pipeline:
            params["pipeline"] = self.pipeline.pk
        if self.team:
            params["team"] = self.team.pk
        if self.rep:
            params["rep"] = self.rep.pk
        params.update({k: v for k, v in extra.items() if v is not None})
        return params

    def lead_list_query(self, *, captured: bool = True, **filters) -> str:
        """A querystring for the lead list (/leads/?…) keeping team, rep and period."""
        params = {}
        if captured:
            params["captured_from"] = self.start.isoformat()
            params["captured_to"] = self.end.isoformat()
        if self.team:
            params["team"] = self.team.pk
        if self.rep:
            params["owner"] = self.rep.pk
        params.update({k: v for k, v in filters.items() if v is not None})
        return urlencode(params)


def _team(viewer: User, team: Team | int | None) -> Team | None:
    if team is None or team == "":
        return None
    found = team if isinstance(team, Team) else Team.objects.filter(pk=team).first()
    if found is None:
        raise ValidationError({"team": _("不存在的团队。")})
    if not may_see_team(viewer, found):
        raise PermissionDenied(_("您无权查看该团队的分析。"))
    return found


def _rep(viewer: User, rep: User | int | None) -> User | None:
    if rep is None or rep == "":
        return None
    pk = rep.pk if isinstance(rep, User) else rep
    if not User.objects.filter(pk=pk).exists():
        raise ValidationError({"rep": _("不存在的用户。")})
    found = visible_users(viewer).filter(pk=pk).first()
    if found is None:
        raise PermissionDenied(_("您无权查看该销售员的分析。"))
    return found


def _pipeline(pipeline: Pipeline | int | None) -> Pipeline | None:
    if isinstance(pipeline, Pipeline):
        return pipeline
    if pipeline not in (None, ""):
        found = Pipeline.objects.filter(pk=pipeline).first()
        if found is None:
            raise ValidationError({"pipeline": _("不存在的销售漏斗。")})
        return found
    return Pipeline.objects.filter(is_default=True).first() or Pipeline.objects.first()
