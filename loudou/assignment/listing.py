"""Pooled leads as any viewer may see them: contact details masked (nobody owns them)."""

from datetime import datetime

from loudou.assignment.models import Pool
from loudou.assignment.services.pools import claims_left
from loudou.compliance.masking import shown
from loudou.leads.models import Lead
from loudou.org.models import User


def pool_lead_row(lead: Lead, viewer: User, now: datetime) -> dict:
    entry = lead.pool_entry
    waiting = entry.cooldown_until if entry.cooldown_until and entry.cooldown_until > now else None
    if entry.previous_owner_id == viewer.pk and entry.previous_owner_cooldown_until:
        mine = entry.previous_owner_cooldown_until
        waiting = mine if mine > now and (waiting is None or mine > waiting) else waiting
    return {
        "id": lead.pk,
        "number": lead.number,
        "company_name": lead.company_name,
        "contact_name": lead.contact_name,
        "phone": shown(lead, "phone", viewer),
        "email": shown(lead, "email", viewer),
        "intent_grade": lead.intent_grade,
        "industry": str(lead.industry) if lead.industry_id else None,
        "region": str(lead.region) if lead.region_id else None,
        "pool_id": entry.pool_id,
        "entered_at": entry.entered_at,
        "reason": entry.get_reason_display(),
        "claimable_from": waiting,
    }


def pool_row(pool: Pool, viewer: User, now: datetime) -> dict:
    return {
        "id": pool.pk,
        "name": pool.name,
        "region": str(pool.region) if pool.region_id else None,
        "product_line": str(pool.product_line) if pool.product_line_id else None,
        "source": str(pool.source) if pool.source_id else None,
        "lead_count": pool.entries.filter(lead__owner=None).count(),
        "max_claims_per_day": pool.max_claims_per_day,
        "claims_left_today": claims_left(viewer, pool, now),
        "max_holding": pool.max_holding if pool.max_holding is not None else viewer.capacity,
        "protection_days": pool.protection_days,
        "cooldown_days": pool.cooldown_days,
        "previous_owner_cooldown_days": pool.previous_owner_cooldown_days,
    }
