"""Service records made through the real services (audited, permission-checked)."""

from datetime import datetime

from django.utils import timezone

from loudou.customers.models import Contact, Customer
from loudou.service import services
from loudou.service.choices import Tier
from loudou.service.models import CustomerTier, MaintenancePlan, Ticket


def local(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.get_default_timezone())


def make_customer(*, owner, name="杭州示例机械有限公司") -> Customer:
    return Customer.objects.create(name=name, owner=owner, captured_by=owner)


def make_contact(*, customer, name="李娜") -> Contact:
    return Contact.objects.create(
        customer=customer, name=name, phone="13900001111", email="lina@example.com"
    )


def set_tier(customer, tier: str = Tier.VIP, now: datetime | None = None) -> CustomerTier:
    """Store a computed tier directly (as the daily scan would)."""
    now = now or local(2026, 1, 5, 9, 0)
    row, _created = CustomerTier.objects.update_or_create(
        customer=customer,
        defaults={
            "year": now.year,
            "computed_tier": tier,
            "tier": tier,
            "computed_at": now,
        },
    )
    return row


def make_ticket(*, actor, customer, opened_at: datetime, **values) -> Ticket:
    values.setdefault("subject", "设备无法启动")
    values.setdefault("description", "客户反馈二号产线设备开机报警")
    return services.open_ticket(actor=actor, customer=customer, values=values, now=opened_at)


def example_ids(*, admin, rep) -> dict[str, int]:
    """One record of each kind the service API has a path id for (the API fuzz test's
    world), for a customer of `rep`."""
    customer = make_customer(owner=rep, name="苏州示例精密有限公司")
    set_tier(customer)
    ticket = make_ticket(actor=admin, customer=customer, opened_at=local(2026, 3, 2, 10, 0))
    plan = MaintenancePlan.objects.get(tier=Tier.VIP)
    services.generate_due_actions(local(2026, 3, 2, 10, 0).date(), customer_ids=[customer.pk])
    return {
        "ticket_id": ticket.pk,
        "service_plan_id": plan.pk,
        "plan_action_id": plan.actions.order_by("pk").first().pk,
        "due_action_id": customer.service_actions.order_by("pk").first().pk,
    }


def make_order(*, customer, amount, ordered_on):
    """An order as commerce stores it (only its amount and date matter here)."""
    from decimal import Decimal

    from loudou.commerce.models import Order

    return Order.objects.create(
        customer=customer, owner=customer.owner, ordered_on=ordered_on, amount=Decimal(amount)
    )
