"""Relationship-maintenance plans (客户关系维护计划): each tier's plan and actions, the due
actions generated per customer, their execution log, evaluations, and reminders.

Periods: a monthly action is due by the end of each month, a quarterly one by the end of
each quarter, a yearly one by 31 December; a one-off action once, 30 days after the
customer first gets it (its period is recorded as 2000-01-01, so it is never made twice).
Generation is an insert that ignores the (customer, action, period) rows already there.
"""

from calendar import monthrange
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.core.audit import save_with_audit
from loudou.notifications.services import notify
from loudou.org.models import User
from loudou.service.choices import DueStatus, Frequency, OwnerRule
from loudou.service.models import (
    CustomerTier,
    DueAction,
    Evaluation,
    MaintenancePlan,
    PlanAction,
)
from loudou.service.services.rules import may_edit_settings, may_serve_customer

ONCE_PERIOD = date(2000, 1, 1)
ONCE_WITHIN = timedelta(days=30)
#: An open action is first reminded this many days before it is due.
REMIND_AHEAD = timedelta(days=7)
PLAN_FIELDS = frozenset(
    {"name", "goals", "target_repurchase_pct", "target_satisfaction", "target_referrals"}
)
ACTION_FIELDS = frozenset({"kind", "title", "frequency", "owner_rule", "is_active"})


def period_of(frequency: str, today: date) -> tuple[date, date]:
    """(period start, due date) of the period `today` falls in."""
    if frequency == Frequency.MONTHLY:
        start = today.replace(day=1)
        return start, today.replace(day=monthrange(today.year, today.month)[1])
    if frequency == Frequency.QUARTERLY:
        first = 3 * ((today.month - 1) // 3) + 1
        last = first + 2
        return date(today.year, first, 1), date(today.year, last, monthrange(today.year, last)[1])
    if frequency == Frequency.YEARLY:
        return date(today.year, 1, 1), date(today.year, 12, 31)
    return ONCE_PERIOD, today + ONCE_WITHIN


def _refuse_unknown(values: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValidationError({name: [_("不能修改该字段。")] for name in unknown})


def _settings_guard(actor: User) -> None:
    if not may_edit_settings(actor):
        raise PermissionDenied(_("只有销售总监或系统管理员可以修改维护计划。"))


@transaction.atomic
def update_plan(*, plan: MaintenancePlan, actor: User, values: dict[str, Any]) -> MaintenancePlan:
    """Change a plan's name and goals (event `service.plan_changed`)."""
    _settings_guard(actor)
    _refuse_unknown(values, PLAN_FIELDS)
    save_with_audit(obj=plan, actor=actor, verb="service.plan_changed", values=values)
    return plan


@transaction.atomic
def add_plan_action(*, plan: MaintenancePlan, actor: User, values: dict[str, Any]) -> PlanAction:
    """Add an action to a plan (event `service.plan_action_added`)."""
    _settings_guard(actor)
    _refuse_unknown(values, ACTION_FIELDS)
    action = PlanAction(plan=plan)
    save_with_audit(obj=action, actor=actor, verb="service.plan_action_added", values=values)
    return action


@transaction.atomic
def update_plan_action(*, action: PlanAction, actor: User, values: dict[str, Any]) -> PlanAction:
    """Change (or switch off) a plan action (event `service.plan_action_changed`); the
    actions already due stay."""
    _settings_guard(actor)
    _refuse_unknown(values, ACTION_FIELDS)
    save_with_audit(obj=action, actor=actor, verb="service.plan_action_changed", values=values)
    return action


def _owner(rule: str, customer_owner: User | None) -> User | None:
    if rule == OwnerRule.TEAM_MANAGER and customer_owner is not None and customer_owner.team_id:
        return customer_owner.team.manager or customer_owner
    return customer_owner


def generate_due_actions(today: date, customer_ids: list[int] | None = None) -> int:
    """Make the due actions of the current periods for every customer with a tier;
    returns how many were new."""
    actions: dict[str, list[PlanAction]] = {}
    for action in PlanAction.objects.filter(is_active=True).select_related("plan"):
        actions.setdefault(action.plan.tier, []).append(action)
    rows = CustomerTier.objects.select_related("customer__owner__team__manager")
    if customer_ids is not None:
        rows = rows.filter(customer_id__in=customer_ids)
    before = DueAction.objects.count()
    batch = []
    for row in rows.iterator(chunk_size=500):
        for action in actions.get(row.tier, []):
            start, due = period_of(action.frequency, today)
            owner = _owner(action.owner_rule, row.customer.owner)
            batch.append(
                DueAction(
                    customer_id=row.customer_id,
                    action=action,
                    period_start=start,
                    due_on=due,
                    owner=owner,
                )
            )
        if len(batch) >= 1000:
            DueAction.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    DueAction.objects.bulk_create(batch, ignore_conflicts=True)
    return DueAction.objects.count() - before


@transaction.atomic
def complete_due_action(
    *, due: DueAction, actor: User, done_on: date, notes: str = "", feedback: str = ""
) -> DueAction:
    """Log an action as done (event `service.action_done`): when, by whom, what happened,
    what the customer said. Logging again corrects the entry."""
    if not may_serve_customer(actor, due.customer):
        raise PermissionDenied(_("您不能记录该客户的维护动作。"))
    if done_on > timezone.localdate() or done_on.year < 2000:
        raise ValidationError({"done_on": [_("执行日期不能晚于今天。")]})
    values = {"notes": notes, "feedback": feedback, "done_on": done_on}
    values |= {"status": DueStatus.DONE, "done_by": actor}
    save_with_audit(obj=due, actor=actor, verb="service.action_done", values=values)
    return due


@transaction.atomic
def skip_due_action(*, due: DueAction, actor: User, notes: str) -> DueAction:
    """Skip an open action with a reason (event `service.action_skipped`)."""
    if not may_serve_customer(actor, due.customer):
        raise PermissionDenied(_("您不能记录该客户的维护动作。"))
    if not (notes or "").strip():
        raise ValidationError({"notes": [_("跳过须填写原因。")]})
    if due.status != DueStatus.OPEN:
        raise ValidationError({"status": [_("只能跳过待执行的动作。")]})
    values = {"status": DueStatus.SKIPPED, "notes": notes.strip(), "done_by": actor}
    save_with_audit(obj=due, actor=actor, verb="service.action_skipped", values=values)
    return due


@transaction.atomic
def evaluate_customer(
    *,
    customer,
    actor: User,
    year: int,
    quarter: int,
    rating: int,
    comment: str = "",
    now: datetime | None = None,
) -> Evaluation:
    """Rate a quarter's maintenance of a customer (event `service.evaluated`); evaluating
    the quarter again replaces the rating."""
    if not may_serve_customer(actor, customer):
        raise PermissionDenied(_("您不能评估该客户的维护效果。"))
    evaluation = Evaluation.objects.filter(customer=customer, year=year, quarter=quarter).first()
    evaluation = evaluation or Evaluation(customer=customer, year=year, quarter=quarter)
    values = {"rating": rating, "comment": comment, "evaluated_by": actor}
    values["evaluated_at"] = now or timezone.now()
    save_with_audit(obj=evaluation, actor=actor, verb="service.evaluated", values=values)
    return evaluation


# reminders ------------------------------------------------------------------------------


def _claim(due: DueAction, stage: str, before: set[str]) -> bool:
    won = DueAction.objects.filter(pk=due.pk, status=DueStatus.OPEN, reminded__in=before).update(
        reminded=stage
    )
    return won == 1


@transaction.atomic
def remind_one(due: DueAction, today: date) -> bool:
    """Remind the owner once when the action comes due (within REMIND_AHEAD) and once
    more when it is overdue."""
    overdue = due.due_on < today
    stage = "overdue" if overdue else "due"
    if not _claim(due, stage, {"", "due"} if overdue else {""}):
        return False
    what = f"{due.action.title} · {due.customer}"
    if overdue:
        title = _("维护动作已逾期：{what}（应于 {due} 完成）")
    else:
        title = _("维护动作即将到期：{what}（{due} 前完成）")
    sent = notify(
        user=due.owner,
        kind=f"service_action_{stage}",
        title=title.format(what=what, due=due.due_on.isoformat()),
        url=f"/service/customers/{due.customer_id}/",
        dedupe_key=f"service:due:{due.pk}:{stage}",
    )
    return sent is not None


def remind_due_actions(now: datetime) -> int:
    """Generate this period's due actions, then remind their owners of the ones due
    within a week or overdue; returns the notifications created (a repeat: 0)."""
    today = timezone.localdate(now)
    generate_due_actions(today)
    due = (
        DueAction.objects.filter(
            status=DueStatus.OPEN, owner__is_active=True, due_on__lte=today + REMIND_AHEAD
        )
        .exclude(reminded="overdue")
        .select_related("action", "customer", "owner")
        .order_by("due_on", "pk")
    )
    sent = 0
    for item in due:
        if item.reminded == "due" and item.due_on >= today:
            continue
        sent += remind_one(item, today)
    return sent
