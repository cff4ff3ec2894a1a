import json

from django import template

from loudou.assignment.permissions import may_release
from loudou.assignment.selectors import lead_assignments, visible_pools
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
def as_json(value) -> str:
    """Rule and pool parameters as the JSON an editor types (Chinese kept readable)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
