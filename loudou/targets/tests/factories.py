"""Targets, plans and won deals made through the real services."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from loudou.leads.models import Lead
from loudou.leads.services import register_lead
from loudou.pipeline.models import Pipeline
from loudou.pipeline.services import move_stage
from loudou.targets.models import ImprovementAction, Milestone, StrategyPlan, Target
from loudou.targets.services import add_milestone, create_action, create_plan, create_target

_numbers = count(1)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=timezone.get_default_timezone())


def make_target(*, actor, **values) -> Target:
    values = {
        "period": "annual",
        "start": date(2026, 1, 1),
        "metric": "revenue",
        "value": Decimal(1000),
        "scope_kind": "company",
        **values,
    }
    return create_target(actor=actor, values=values)


def stage(code: str):
    return Pipeline.objects.get(is_default=True).stages.get(code=code)


def won_deal(
    *,
    owner,
    when: datetime,
    amount=None,
    customer=None,
    products=(),
    currency: str = "CNY",
    **values,
) -> Lead:
    """A lead registered by `owner` a day before `when` and signed at `when`."""
    n = next(_numbers)
    values.setdefault("company_name", f"目标测试{n}号有限公司")
    values.setdefault("phone", f"1391000{n:04d}")
    lead = register_lead(
        actor=owner,
        owner=owner,
        values=values,
        customer=customer,
        captured_at=when - timedelta(days=1),
    )
    Lead.objects.filter(pk=lead.pk).update(amount=amount, currency=currency)
    lead.products.set(products)
    lead.refresh_from_db()
    move_stage(lead=lead, to_stage=stage("signed"), actor=owner, via="form", at=when)
    return lead


def make_plan(*, actor, **values) -> StrategyPlan:
    values = {"title": "华东区企业版上市策略", "goal": "3个月内销售额突破50万元", **values}
    return create_plan(actor=actor, values=values)


def make_milestone(*, plan, actor, owner, due_date: date, title="签约经销商") -> Milestone:
    values = {"title": title, "owner": owner, "due_date": due_date}
    return add_milestone(plan=plan, actor=actor, values=values)


def make_action(*, actor, owner, deadline: date, team=None, **values) -> ImprovementAction:
    """An improvement action for March 2026 through the real service."""
    values = {
        "period": "monthly",
        "period_start": date(2026, 3, 1),
        "variance_reason": "竞品降价，华东区报价失去优势",
        "action": "推出企业版限时折扣并加强老客户拜访",
        "owner": owner,
        "deadline": deadline,
        "team": team,
        **values,
    }
    return create_action(actor=actor, values=values)
