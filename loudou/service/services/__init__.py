"""Every write of customer service; the views and the API call these and nothing else."""

from loudou.service.services.escalation import escalate_tickets
from loudou.service.services.plans import (
    add_plan_action,
    complete_due_action,
    evaluate_customer,
    generate_due_actions,
    remind_due_actions,
    skip_due_action,
    update_plan,
    update_plan_action,
)
from loudou.service.services.rules import (
    may_edit_settings,
    may_override_tier,
    may_serve_customer,
    may_work_ticket,
    uses_service,
)
from loudou.service.services.settings import update_sla, update_thresholds
from loudou.service.services.tickets import (
    assign_ticket,
    close_ticket,
    open_ticket,
    rate_ticket,
    reopen_ticket,
    resolve_ticket,
    respond_ticket,
)
from loudou.service.services.tiers import override_tier, refresh_tiers

__all__ = [
    "add_plan_action",
    "assign_ticket",
    "close_ticket",
    "complete_due_action",
    "escalate_tickets",
    "evaluate_customer",
    "generate_due_actions",
    "may_edit_settings",
    "may_override_tier",
    "may_serve_customer",
    "may_work_ticket",
    "open_ticket",
    "override_tier",
    "rate_ticket",
    "refresh_tiers",
    "remind_due_actions",
    "reopen_ticket",
    "resolve_ticket",
    "respond_ticket",
    "skip_due_action",
    "update_plan",
    "update_plan_action",
    "update_sla",
    "update_thresholds",
    "uses_service",
]
