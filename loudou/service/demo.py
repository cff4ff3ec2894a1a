"""Demo customer service: tiers from the demo orders, executed maintenance actions with
feedback, evaluations, and tickets in every state (breached and escalated ones included).
Made once through the real services; a second run creates nothing."""

from datetime import datetime, timedelta

from django.utils import timezone

from loudou.customers.models import Customer
from loudou.org.models import User
from loudou.service import services
from loudou.service.choices import DueStatus, Priority, Tier
from loudou.service.models import CustomerTier, DueAction, Ticket

MARKER = "【演示】设备开机报警"
#: Customers tiered by hand when the demo has too few orders to tier them by purchase.
MIN_TIERED = 9
FEEDBACK = [
    "客户对报告很感兴趣，希望增加竞品分析",
    "客户希望下次拜访安排技术人员",
    "",
    "客户表示满意",
]
TICKETS = [
    # (subject, priority, opened days ago, what happens)
    (MARKER, Priority.URGENT, 0, "new"),
    ("【演示】软件授权到期咨询", Priority.NORMAL, 0, "reply"),
    ("【演示】打印模块报错", Priority.HIGH, 6, "new"),  # breached, escalated
    ("【演示】数据导出速度慢", Priority.NORMAL, 5, "reply"),  # resolution breached
    ("【演示】操作培训需求", Priority.LOW, 12, "resolve"),
    ("【演示】配件更换", Priority.NORMAL, 20, "close"),
    ("【演示】接口对接问题", Priority.HIGH, 15, "reopen"),
]


def _tier_customers(users: dict[str, User], now: datetime) -> int:
    services.refresh_tiers(now)
    tiered = CustomerTier.objects.count()
    if tiered >= MIN_TIERED:
        return tiered
    reps = [user for name, user in users.items() if name.startswith(("rep", "manager"))]
    untiered = Customer.objects.filter(owner__in=reps, service_tier__isnull=True)
    director = users["director"]
    tiers = [Tier.VIP, Tier.KEY, Tier.NORMAL]
    for index, customer in enumerate(untiered.order_by("pk")[: MIN_TIERED - tiered]):
        services.override_tier(
            customer=customer,
            actor=director,
            tier=tiers[index % 3],
            reason="演示：按预计采购额分级",
        )
    return CustomerTier.objects.count()


def _log_actions(now: datetime) -> int:
    """Generate last quarter's and this period's actions; log most of the past ones."""
    today = timezone.localdate(now)
    services.generate_due_actions(today - timedelta(days=92))
    services.generate_due_actions(today)
    done = 0
    past = DueAction.objects.filter(status=DueStatus.OPEN, due_on__lt=today).select_related(
        "customer__owner"
    )
    for index, due in enumerate(past.order_by("pk")):
        actor = due.customer.owner
        if actor is None or index % 4 == 3 or not services.may_serve_customer(actor, due.customer):
            # every fourth left overdue
            continue
        services.complete_due_action(
            due=due,
            actor=actor,
            done_on=min(due.due_on, today) - timedelta(days=index % 5),
            notes=f"已完成{due.action.title}",
            feedback=FEEDBACK[index % len(FEEDBACK)],
        )
        done += 1
    return done


def _evaluate(now: datetime) -> int:
    today = timezone.localdate(now)
    year, quarter = today.year, (today.month - 1) // 3 + 1
    rows = CustomerTier.objects.select_related("customer__owner").order_by("pk")[:6]
    count = 0
    for index, row in enumerate(rows):
        owner = row.customer.owner
        if owner is None or not services.may_serve_customer(owner, row.customer):
            continue
        services.evaluate_customer(
            customer=row.customer,
            actor=row.customer.owner,
            year=year,
            quarter=quarter,
            rating=3 + index % 3,
            comment="维护计划执行良好" if index % 2 else "需加强拜访频次",
        )
        count += 1
    return count


def _ticket(customer, spec, users: dict[str, User], now: datetime) -> Ticket:
    subject, priority, days, fate = spec
    opened = now - timedelta(days=days, hours=1)
    actor = customer.owner
    if actor is None or not services.may_serve_customer(actor, customer):
        actor = users["director"]
    values = {"subject": subject, "priority": priority, "description": "客户来电反馈。"}
    ticket = services.open_ticket(actor=actor, customer=customer, values=values, now=opened)
    if fate in {"reply", "resolve", "close", "reopen"}:
        services.respond_ticket(
            ticket=ticket,
            actor=actor,
            body="已收到，正在排查。",
            now=opened + timedelta(minutes=40),
        )
    if fate in {"resolve", "close", "reopen"}:
        services.resolve_ticket(
            ticket=ticket, actor=actor, body="已远程处理。", now=opened + timedelta(days=1)
        )
        services.rate_ticket(ticket=ticket, actor=actor, satisfaction=5 if fate != "reopen" else 3)
    if fate in {"close", "reopen"}:
        services.close_ticket(ticket=ticket, actor=actor, now=opened + timedelta(days=2))
    if fate == "reopen":
        services.reopen_ticket(
            ticket=ticket, actor=actor, reason="问题再次出现", now=opened + timedelta(days=5)
        )
    return ticket


def load_demo_service(*, users: dict[str, User], now: datetime) -> dict:
    """Create the demo's customer service once; returns what was created (all zeros the
    second time)."""
    if Ticket.objects.filter(subject=MARKER).exists():
        return {"tiered": 0, "logged": 0, "evaluations": 0, "tickets": 0, "escalations": 0}
    tiered = _tier_customers(users, now)
    created = {"tiered": tiered, "logged": _log_actions(now), "evaluations": _evaluate(now)}
    customers = list(
        Customer.objects.filter(service_tier__isnull=False, owner__isnull=False).order_by("pk")[:7]
    )
    tickets = [
        _ticket(customers[index % len(customers)], spec, users, now)
        for index, spec in enumerate(TICKETS)
        if customers
    ]
    created["tickets"] = len(tickets)
    created["escalations"] = services.escalate_tickets(now)
    services.remind_due_actions(now)
    return created
