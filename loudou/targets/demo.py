"""The demo company's targets and a strategy plan, so the target pages are not empty.

Called by `loudou.demo.services.load_demo` after the leads have lived their year. For
the current calendar year: revenue and orders targets of the company (year → quarters
→ months), its regions (year → quarters), its teams (year → quarters → months) and
their reps (year → quarters), plus the company's new-customer target. Values are the
last twelve months' deals plus 20 %, shared out half by each one's part of them and half
evenly. A strategy plan of 华东一组 has milestones (one done, one overdue, two ahead), and
the team has improvement actions on last month's variance (one done, one overdue, one
ahead).
Written through the services, as `director` and `manager1`; only what is missing is
created, so a second run adds nothing.
"""

import math
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone

from loudou.org.models import Team, User
from loudou.targets.choices import Metric, Period, ScopeKind
from loudou.targets.models import ImprovementAction, StrategyPlan, Target
from loudou.targets.periods import containing, parts
from loudou.targets.services import (
    add_milestone,
    adjust_target,
    complete_action,
    complete_milestone,
    create_action,
    create_plan,
    create_target,
)
from loudou.targets.services.actuals import Deal, deals
from loudou.targets.services.targets import REP_ROLES

GROWTH = Decimal("1.2")
#: Revenue targets are whole 万元 (10,000 yuan); orders whole deals.
UNITS = {Metric.REVENUE: Decimal(10_000), Metric.ORDERS: Decimal(1)}
#: The least a company target asks for when the demo is small.
FLOOR = {Metric.REVENUE: Decimal(500_000), Metric.ORDERS: Decimal(12)}
PLAN_TITLE = "华东区企业版上市策略"


def apportion(total: Decimal, weights: list[float], unit: Decimal) -> list[Decimal]:
    """`total` in whole `unit`s shared by `weights` (largest remainder; equal shares when
    every weight is 0), summing exactly to `total`."""
    units = int((total / unit).to_integral_value(rounding=ROUND_DOWN))
    weights = weights if sum(weights) > 0 else [1.0] * len(weights)
    exact = [units * w / sum(weights) for w in weights]
    floors = [math.floor(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (floors[i] - exact[i], i))
    for i in order[: units - sum(floors)]:
        floors[i] += 1
    return [n * unit for n in floors]


class _Builder:
    """Creates the missing targets, parents first; remembers what it made."""

    def __init__(self, actor: User, year: int):
        self.actor, self.year, self.created = actor, year, []
        self.existing = {
            (t.period, t.start, t.metric, t.scope_key): t
            for t in Target.objects.filter(start__year=year)
        }

    def target(self, *, period, start, metric, value, parent=None, **scope) -> Target:
        probe = Target(period=period, start=start, metric=metric, **scope)
        key = (period, start, metric, probe.compute_scope_key())
        if key not in self.existing:
            values = {"period": period, "start": start, "metric": metric, "value": value}
            values |= {"parent": parent, **scope}
            self.existing[key] = create_target(actor=self.actor, values=values)
            self.created.append(self.existing[key])
        return self.existing[key]

    def by_time(self, parent: Target, *, levels: int, **scope) -> None:
        """`parent` split evenly into its quarters (and, with levels=2, their months)."""
        pieces = parts(parent.period, parent.start)
        values = apportion(parent.value, [1.0] * len(pieces), UNITS[parent.metric])
        for (period, start), value in zip(pieces, values, strict=True):
            child = self.target(
                period=period,
                start=start,
                metric=parent.metric,
                value=value,
                parent=parent,
                **scope,
            )
            if levels > 1:
                self.by_time(child, levels=levels - 1, **scope)


def _weights(found: list[Deal], key, subjects: list, metric: str) -> list[float]:
    tally: Counter = Counter()
    for deal in found:
        tally[key(deal)] += float(deal.amount or 0) if metric == Metric.REVENUE else 1
    total = sum(tally[s] for s in subjects) or 1
    # half by last year's share, half even: nobody starts from zero
    return [0.5 * tally[s] / total + 0.5 / len(subjects) for s in subjects]


def _company_value(found: list[Deal], metric: str) -> Decimal:
    if metric == Metric.REVENUE:
        base = sum((d.amount for d in found if d.amount is not None), Decimal(0))
    else:
        base = Decimal(len(found))
    unit = UNITS[metric]
    value = (base * GROWTH / unit).to_integral_value(rounding=ROUND_CEILING) * unit
    return max(value, FLOOR[metric])


def _metric_tree(b: _Builder, metric: str, found: list[Deal], teams: list[Team]) -> None:
    start, unit = date(b.year, 1, 1), UNITS[metric]
    company = b.target(
        period=Period.ANNUAL,
        start=start,
        metric=metric,
        value=_company_value(found, metric),
        scope_kind=ScopeKind.COMPANY,
    )
    b.by_time(company, levels=2, scope_kind=ScopeKind.COMPANY)
    regions = [t.region for t in teams if t.region is not None]
    weights = _weights(found, lambda d: d.region_id, [r.pk for r in regions], metric)
    for region, value in zip(regions, apportion(company.value, weights, unit), strict=True):
        scope = {"scope_kind": ScopeKind.REGION, "region": region}
        annual = b.target(
            period=Period.ANNUAL, start=start, metric=metric, value=value, parent=company, **scope
        )
        b.by_time(annual, levels=1, **scope)
    weights = _weights(found, lambda d: d.team_id, [t.pk for t in teams], metric)
    for team, value in zip(teams, apportion(company.value, weights, unit), strict=True):
        _team_tree(b, metric, found, team, value, company)


def _team_tree(b: _Builder, metric, found, team: Team, value, company: Target) -> None:
    start, unit = date(b.year, 1, 1), UNITS[metric]
    scope = {"scope_kind": ScopeKind.TEAM, "team": team}
    annual = b.target(
        period=Period.ANNUAL, start=start, metric=metric, value=value, parent=company, **scope
    )
    b.by_time(annual, levels=2, **scope)
    reps = list(
        User.objects.filter(team=team, role__in=REP_ROLES, is_active=True).order_by("username")
    )
    weights = _weights(found, lambda d: d.owner_id, [r.pk for r in reps], metric)
    for rep, share in zip(reps, apportion(annual.value, weights, unit), strict=True):
        person = {"scope_kind": ScopeKind.PERSON, "person": rep}
        mine = b.target(
            period=Period.ANNUAL, start=start, metric=metric, value=share, parent=annual, **person
        )
        b.by_time(mine, levels=1, **person)


def _customer_targets(b: _Builder, found: list[Deal]) -> None:
    """The company's new customers (a demo customer buys once: no repurchase target)."""
    customers = len({d.customer for d in found})
    b.target(
        period=Period.ANNUAL,
        start=date(b.year, 1, 1),
        metric=Metric.NEW_CUSTOMERS,
        value=Decimal(max(math.ceil(customers * GROWTH), 10)),
        scope_kind=ScopeKind.COMPANY,
    )


def _adjust_one(b: _Builder, today: date) -> None:
    """One rep's quarter lowered, with the reason the handbook's table gives."""
    quarter = containing(Period.QUARTERLY, today)
    for target in b.created:
        if (target.scope_kind, target.period, target.start, target.metric) == (
            ScopeKind.PERSON,
            Period.QUARTERLY,
            quarter,
            Metric.REVENUE,
        ) and target.person.username == "rep1":
            unit = UNITS[Metric.REVENUE]
            lower = target.value - unit * max(1, round(target.value / 10 / unit))
            if lower >= 0:
                adjust_target(
                    target=target,
                    actor=b.actor,
                    value=lower,
                    reason="部分客户决策周期延长，本季度目标下调约 10%，差额由下季度补足。",
                )
            return


def _plan(now: datetime) -> StrategyPlan | None:
    if StrategyPlan.objects.filter(title=PLAN_TITLE).exists():
        return None
    team = Team.objects.filter(name="华东一组").select_related("manager").first()
    if team is None or team.manager is None:
        return None
    today = timezone.localdate(now)
    target = Target.objects.filter(
        scope_kind=ScopeKind.TEAM,
        team=team,
        metric=Metric.REVENUE,
        period=Period.QUARTERLY,
        start=containing(Period.QUARTERLY, today),
    ).first()
    manager = team.manager
    plan = create_plan(
        actor=manager,
        values={
            "title": PLAN_TITLE,
            "goal": "本季度华东区企业版销售额突破 50 万元，新客户 30 家",
            "target": target,
            "team": team,
            "product": "针对中型制造企业推出企业版简化套餐，降低首次采购门槛",
            "price": "首年 8 折，老客户升级企业版免实施费",
            "place": "与 3 家区域经销商合作铺货，重点覆盖苏州、宁波",
            "promotion": "抖音精准广告（预算 15 万元）+ 行业展会联动；首月免费试用",
            "resources": "销售专员 2 名；宣传物料 5000 份；推广预算 20 万元",
            "expected_effect": "新客户 30 家，试用转化率 ≥ 20%",
            "evaluation_metrics": "经销商铺货覆盖率；广告点击率/转化率；试用订单量；月度销售额",
        },
    )
    marketing = User.objects.filter(username="marketing1").first() or manager
    rep = User.objects.filter(username="rep1").first() or manager
    steps = [
        ("签约 3 家区域经销商", manager, -20),
        ("上线抖音精准广告", marketing, -3),
        ("启动首月免费试用活动", rep, 10),
        ("复盘试用转化率并调整报价", manager, 30),
    ]
    for i, (title, owner, days) in enumerate(steps):
        values = {"title": title, "owner": owner, "due_date": today + timedelta(days=days)}
        milestone = add_milestone(plan=plan, actor=manager, values=values)
        if i == 0:
            complete_milestone(milestone=milestone, actor=owner, now=now - timedelta(days=21))
    return plan


ACTIONS = [
    (
        "新客户数低于目标：展会线索跟进不及时",
        "展会线索 24 小时内首次联系，经理每日抽查",
        "rep1",
        -12,
        True,
    ),
    (
        "华东区报价高于竞品，赢单率下降",
        "推出企业版首年 8 折套餐，报价前经理复核",
        "manager1",
        -2,
        False,
    ),
    ("老客户复购少", "本月拜访前 20 名老客户，介绍升级方案", "rep2", 12, False),
]


def _actions(now: datetime) -> int:
    """华东一组's improvement actions on last month's variance (once)."""
    team = Team.objects.filter(name="华东一组").select_related("manager").first()
    if team is None or team.manager is None:
        return 0
    if ImprovementAction.objects.filter(team=team).exists():
        return 0
    today = timezone.localdate(now)
    month = containing(Period.MONTHLY, containing(Period.MONTHLY, today) - timedelta(days=1))
    target = Target.objects.filter(
        scope_kind=ScopeKind.TEAM,
        team=team,
        metric=Metric.REVENUE,
        period=Period.MONTHLY,
        start=month,
    ).first()
    made = 0
    for reason, step, username, days, done in ACTIONS:
        owner = User.objects.filter(username=username, is_active=True).first() or team.manager
        values = {
            "team": team,
            "target": target,
            "period": Period.MONTHLY,
            "period_start": month,
            "variance_reason": reason,
            "action": step,
            "owner": owner,
            "deadline": today + timedelta(days=days),
        }
        action = create_action(actor=team.manager, values=values)
        if done:
            complete_action(action=action, actor=owner, now=now - timedelta(days=13))
        made += 1
    return made


@transaction.atomic
def load_demo_targets(*, now: datetime) -> dict[str, int]:
    """Create what is missing of the demo's targets and plan; returns how many."""
    director = User.objects.filter(username="director").first()
    teams = list(Team.objects.select_related("region").order_by("name"))
    if director is None or not teams:
        return {"targets": 0, "plans": 0, "actions": 0}
    year = timezone.localdate(now).year
    builder = _Builder(director, year)
    found = deals(until=now, since=now - timedelta(days=365))
    for metric in (Metric.REVENUE, Metric.ORDERS):
        _metric_tree(builder, metric, found, teams)
    _customer_targets(builder, found)
    _adjust_one(builder, timezone.localdate(now))
    plan = _plan(now)
    return {
        "targets": len(builder.created),
        "plans": int(plan is not None),
        "actions": _actions(now),
    }
