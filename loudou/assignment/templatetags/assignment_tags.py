from django import template

from loudou.assignment.permissions import may_release
from loudou.assignment.selectors import lead_assignments, visible_pools
from loudou.assignment.services.rule_text import grade_days_text, rule_params_text
from loudou.assignment.services.rules import may_assign

register = template.Library()


@register.inclusion_tag("assignment/_lead_assignment.html", takes_context=True)
def lead_assignment_panel(context, lead):
    """“Why this rep”: the lead's assignment ledger, with release / assign actions."""
    user = context["request"].user
    entry = getattr(lead, "pool_entry", None) if lead.owner_id is None else None
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "lead": lead,
        "assignments": list(lead_assignments(lead)[:10]),
        "pool_entry": entry,
        "pools": list(visible_pools(user)) if may_release(user, lead.owner) else [],
        "may_assign": lead.owner_id is None and may_assign(user),
    }


@register.filter
def rule_params(rule) -> str:
    """A rule's parameters in words."""
    return rule_params_text(rule)


@register.filter
def grade_days(pool) -> str:
    """A pool's protection period per grade in words."""
    return grade_days_text(pool)
