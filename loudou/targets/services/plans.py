"""Every write of strategy plans and their milestones."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.core import audit
from loudou.org.models import User
from loudou.targets.models import Milestone, StrategyPlan
from loudou.targets.selectors import (
    can_complete_milestone,
    ensure_manages_plan,
    manages_plan_team,
    milestone_owners,
    visible_targets,
)
from loudou.targets.services.status import set_done

PLAN_FIELDS = [
    "title",
    "goal",
    "target",
    "team",
    "product",
    "price",
    "place",
    "promotion",
    "resources",
    "expected_effect",
    "evaluation_metrics",
    "evaluation",
]
MILESTONE_FIELDS = ["title", "owner", "due_date"]


def _refuse_unknown(values: dict[str, Any], allowed: list[str]) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError({name: _("不能修改该字段。") for name in unknown})


def _check_plan_values(actor: User, values: dict[str, Any]) -> None:
    if "team" in values and not manages_plan_team(actor, values["team"]):
        raise PermissionDenied(_("您不能为该团队制定策略。"))
    target = values.get("target")
    if target is not None and not visible_targets(actor).filter(pk=target.pk).exists():
        raise ValidationError({"target": _("不存在的目标。")})


@transaction.atomic
def create_plan(*, actor: User, values: dict[str, Any]) -> StrategyPlan:
    """A plan of a team the actor manages (None: the company's, director/admin only)."""
    _refuse_unknown(values, PLAN_FIELDS)
    values = {"team": None, **values}
    _check_plan_values(actor, values)
    plan = StrategyPlan(created_by=actor)
    audit.save_with_audit(obj=plan, actor=actor, verb="plan.created", values=values)
    return plan


@transaction.atomic
def update_plan(*, plan: StrategyPlan, actor: User, values: dict[str, Any]) -> list:
    ensure_manages_plan(actor, plan)
    _refuse_unknown(values, PLAN_FIELDS)
    _check_plan_values(actor, values)
    return audit.save_with_audit(obj=plan, actor=actor, verb="plan.updated", values=values)


@transaction.atomic
def delete_plan(*, plan: StrategyPlan, actor: User) -> None:
    ensure_manages_plan(actor, plan)
    changes = [{"field": "plan", "before": plan.title, "after": None}]
    audit.record(obj=plan, actor=actor, verb="plan.deleted", changes=changes)
    plan.delete()


def _check_owner(actor: User, values: dict[str, Any]) -> None:
    owner = values.get("owner")
    if owner is not None and not milestone_owners(actor).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("负责人须是在职用户。")})


@transaction.atomic
def add_milestone(*, plan: StrategyPlan, actor: User, values: dict[str, Any]) -> Milestone:
    ensure_manages_plan(actor, plan)
    _refuse_unknown(values, MILESTONE_FIELDS)
    _check_owner(actor, values)
    milestone = Milestone(plan=plan)
    audit.save_with_audit(obj=milestone, actor=actor, verb="milestone.created", values=values)
    return milestone


@transaction.atomic
def update_milestone(*, milestone: Milestone, actor: User, values: dict[str, Any]) -> list:
    """Change what, who or when; a new due date is reminded of again."""
    ensure_manages_plan(actor, milestone.plan)
    _refuse_unknown(values, MILESTONE_FIELDS)
    _check_owner(actor, values)
    return audit.save_with_audit(
        obj=milestone, actor=actor, verb="milestone.updated", values=values
    )


@transaction.atomic
def delete_milestone(*, milestone: Milestone, actor: User) -> None:
    ensure_manages_plan(actor, milestone.plan)
    changes = [{"field": "milestone", "before": milestone.title, "after": None}]
    audit.record(obj=milestone, actor=actor, verb="milestone.deleted", changes=changes)
    milestone.delete()


def _set_status(milestone: Milestone, actor: User, *, done: bool, now: datetime) -> bool:
    if not can_complete_milestone(actor, milestone):
        raise PermissionDenied(_("只有策略负责团队的经理或该里程碑的负责人可以更新状态。"))
    return set_done(milestone, actor, done=done, now=now, kind="milestone")


@transaction.atomic
def complete_milestone(
    *, milestone: Milestone, actor: User, now: datetime | None = None
) -> Milestone:
    """Mark done (done_at = now). Already done: nothing changes (idempotent)."""
    _set_status(milestone, actor, done=True, now=now or timezone.now())
    return milestone


@transaction.atomic
def reopen_milestone(*, milestone: Milestone, actor: User) -> Milestone:
    """Open again (done_at cleared). Already open: nothing changes."""
    _set_status(milestone, actor, done=False, now=timezone.now())
    return milestone
