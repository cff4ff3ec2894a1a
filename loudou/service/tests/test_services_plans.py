"""Maintenance plans: due actions per customer and period, the execution log,
evaluations, and reminders through the outbox."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from loudou.core.models import Event
from loudou.notifications.models import Notification
from loudou.service import services
from loudou.service.choices import DueStatus, Frequency, Tier
from loudou.service.models import DueAction, Evaluation, MaintenancePlan
from loudou.service.services.plans import period_of
from loudou.service.tests.factories import local, make_customer, set_tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def vip(rep):
    customer = make_customer(owner=rep)
    set_tier(customer, Tier.VIP)
    return customer


def _due(customer):
    return list(
        DueAction.objects.filter(customer=customer)
        .order_by("action__pk")
        .values_list("action__title", "period_start", "due_on", "owner__username")
    )


@pytest.mark.parametrize(
    ("frequency", "today", "period"),
    [
        (Frequency.MONTHLY, date(2026, 2, 10), (date(2026, 2, 1), date(2026, 2, 28))),
        (Frequency.QUARTERLY, date(2026, 5, 31), (date(2026, 4, 1), date(2026, 6, 30))),
        (Frequency.YEARLY, date(2026, 5, 31), (date(2026, 1, 1), date(2026, 12, 31))),
        (Frequency.ONCE, date(2026, 5, 1), (date(2000, 1, 1), date(2026, 5, 31))),
    ],
)
def test_each_frequency_has_its_period_and_due_date(frequency, today, period):
    assert period_of(frequency, today) == period


def test_a_vip_customer_gets_the_vip_plans_actions_once_per_period(vip, manager):
    # when generated twice in February, then in April
    first = services.generate_due_actions(date(2026, 2, 10))
    again = services.generate_due_actions(date(2026, 2, 20))
    # then the default VIP plan: greetings quarterly, report monthly, visit quarterly (by the
    # team's manager), training yearly
    assert (first, again) == (4, 0)
    assert _due(vip) == [
        ("节日问候", date(2026, 1, 1), date(2026, 3, 31), "rep"),
        ("行业报告", date(2026, 2, 1), date(2026, 2, 28), "rep"),
        ("季度拜访", date(2026, 1, 1), date(2026, 3, 31), "manager"),
        ("产品培训", date(2026, 1, 1), date(2026, 12, 31), "rep"),
    ]
    assert services.generate_due_actions(date(2026, 4, 2)) == 3  # new quarter and month


def test_logging_an_action_records_date_person_notes_and_feedback(vip, rep):
    services.generate_due_actions(date(2026, 2, 10))
    due = DueAction.objects.get(customer=vip, action__title="行业报告")
    # when
    with time_machine.travel(local(2026, 2, 12, 10, 0), tick=False):
        services.complete_due_action(
            due=due,
            actor=rep,
            done_on=date(2026, 2, 11),
            notes="发送2026年行业报告",
            feedback="客户希望增加竞品分析",
        )
    # then
    due.refresh_from_db()
    assert (due.status, due.done_on, due.done_by, due.notes, due.feedback) == (
        DueStatus.DONE,
        date(2026, 2, 11),
        rep,
        "发送2026年行业报告",
        "客户希望增加竞品分析",
    )
    assert Event.objects.filter(verb="service.action_done").count() == 1


def test_an_action_cannot_be_logged_in_the_future_or_by_someone_else(vip, rep, other_team_rep):
    services.generate_due_actions(date(2026, 2, 10))
    due = DueAction.objects.get(customer=vip, action__title="行业报告")
    with time_machine.travel(local(2026, 2, 12, 10, 0), tick=False):
        with pytest.raises(ValidationError):
            services.complete_due_action(due=due, actor=rep, done_on=date(2026, 2, 13))
        with pytest.raises(PermissionDenied):
            services.complete_due_action(due=due, actor=other_team_rep, done_on=date(2026, 2, 11))
    due.refresh_from_db()
    assert due.status == DueStatus.OPEN


def test_skipping_needs_a_reason(vip, rep):
    services.generate_due_actions(date(2026, 2, 10))
    due = DueAction.objects.get(customer=vip, action__title="行业报告")
    with pytest.raises(ValidationError):
        services.skip_due_action(due=due, actor=rep, notes="")
    services.skip_due_action(due=due, actor=rep, notes="客户春节停工")
    due.refresh_from_db()
    assert (due.status, due.notes) == (DueStatus.SKIPPED, "客户春节停工")


def test_a_due_action_reminds_its_owner_a_week_ahead_and_once_more_when_overdue(vip):
    # given only the monthly report is due on 2026-02-28
    MaintenancePlan.objects.get(tier=Tier.VIP).actions.exclude(title="行业报告").update(
        is_active=False
    )
    # when the hourly scan runs through February into March
    runs = [
        services.remind_due_actions(local(2026, 2, 20, 9, 0)),  # 8 days ahead: nothing
        services.remind_due_actions(local(2026, 2, 21, 9, 0)),  # 7 days ahead: due
        services.remind_due_actions(local(2026, 2, 21, 10, 0)),
        services.remind_due_actions(local(2026, 2, 28, 9, 0)),
        services.remind_due_actions(local(2026, 3, 1, 9, 0)),  # overdue (+ March's report)
        services.remind_due_actions(local(2026, 3, 2, 9, 0)),
    ]
    # then
    assert runs == [0, 1, 0, 0, 1, 0]
    sent = list(Notification.objects.order_by("pk").values_list("user__username", "kind", "title"))
    assert sent == [
        (
            "rep",
            "service_action_due",
            "维护动作即将到期：行业报告 · 杭州示例机械有限公司（2026-02-28 前完成）",
        ),
        (
            "rep",
            "service_action_overdue",
            "维护动作已逾期：行业报告 · 杭州示例机械有限公司（应于 2026-02-28 完成）",
        ),
    ]


def test_a_done_action_is_not_reminded(vip, rep):
    services.generate_due_actions(date(2026, 2, 10))
    with time_machine.travel(local(2026, 2, 12, 10, 0), tick=False):
        for due in DueAction.objects.all():
            services.complete_due_action(due=due, actor=rep, done_on=date(2026, 2, 11))
    assert services.remind_due_actions(local(2026, 2, 25, 9, 0)) == 0


def test_evaluating_a_quarter_again_replaces_the_rating(vip, rep):
    services.evaluate_customer(customer=vip, actor=rep, year=2026, quarter=1, rating=3)
    services.evaluate_customer(
        customer=vip, actor=rep, year=2026, quarter=1, rating=4, comment="拜访后满意度提升"
    )
    assert list(Evaluation.objects.values_list("year", "quarter", "rating", "comment")) == [
        (2026, 1, 4, "拜访后满意度提升")
    ]


def test_only_directors_and_admins_change_plans(cast):
    plan = MaintenancePlan.objects.get(tier=Tier.KEY)
    for who in ("rep", "manager", "marketing"):
        with pytest.raises(PermissionDenied):
            services.update_plan(plan=plan, actor=cast[who], values={"name": "x"})
    services.update_plan(plan=plan, actor=cast["director"], values={"target_referrals": 2})
    plan.refresh_from_db()
    assert (plan.name, plan.target_referrals) == ("重点客户维护计划", 2)
