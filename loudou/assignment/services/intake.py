"""Automatic assignment at intake: a new lead from a channel is credited to the rep who
brought it in, given to a rep by the assignment rules, put into its 公海, or left to
marketing — by the channel's intake mode (IntakeMode)."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from loudou.assignment.choices import AssignVia, IntakeMode
from loudou.assignment.models import Assignment, IntakePolicy, Pool, PoolEntry
from loudou.assignment.services.pools import add_to_pool, pool_for
from loudou.assignment.services.rules import (
    assign_lead,
    record_self_sourced,
    self_sourced_explanation,
)
from loudou.core.inserts import insert_rows
from loudou.leads.models import Lead
from loudou.org.models import User

#: Intake paths (the `via` of assign_at_intake) whose mode is the marketing setting.
MARKETING_VIAS = {"form", "api", "marketing"}


@dataclass
class Intake:
    """What intake did: outcome is self_sourced / assigned / pooled / left."""

    outcome: str
    assignment: Assignment | None = None
    pool: Pool | None = None


def intake_mode(via: str) -> str:
    """The mode of an intake path: imports follow the rules; leads registered by hand or
    through the API (marketing's — sellers own what they register) follow IntakePolicy;
    web forms pass their own mode."""
    if via == "import":
        return IntakeMode.RULES
    if via in MARKETING_VIAS:
        return IntakePolicy.current().marketing_mode
    return IntakeMode.POOL


def credit_self_sourced(
    *, lead: Lead, actor: User | None = None, now: datetime | None = None
) -> Assignment | None:
    """Credit a lead its capturer owns to them (自主开发), exactly once per lead; None for
    any other lead. Safe to call again: the existing row is returned."""
    if lead.owner_id is None or lead.owner_id != lead.captured_by_id:
        return None
    with transaction.atomic():
        return record_self_sourced(lead, actor, now or timezone.now())


def credit_self_sourced_many(*, lead_ids: list[int], now: datetime | None = None) -> int:
    """credit_self_sourced for a batch (bulk imports): one insert, rows that exist (the
    unique constraint) skipped. Returns how many leads are owned by their capturer."""
    now = now or timezone.now()
    leads = Lead.objects.filter(pk__in=lead_ids, owner__isnull=False, owner=F("captured_by"))
    rows = list(leads.values_list("pk", "owner_id", "assigned_at"))
    owners = User.objects.in_bulk({owner_id for _pk, owner_id, _at in rows})
    explained = {pk: self_sourced_explanation(owner) for pk, owner in owners.items()}
    credits = [
        {
            "lead_id": pk,
            "user_id": owner_id,
            "via": AssignVia.SELF_SOURCED,
            "explanation": explained[owner_id],
            "at": assigned_at or now,
            "actor_id": owner_id,
        }
        for pk, owner_id, assigned_at in rows
    ]
    insert_rows(Assignment, credits, ignore_conflicts=True)
    return len(credits)


def _to_pool(lead: Lead, now: datetime) -> Intake:
    if PoolEntry.objects.filter(lead=lead).exists():
        return Intake("pooled", pool=lead.pool_entry.pool)
    pool = pool_for(lead, list(Pool.objects.filter(is_active=True)))
    if pool is None:
        return Intake("left")
    add_to_pool(lead=lead, pool=pool, actor=None, now=now)
    return Intake("pooled", pool=pool)


def assign_at_intake(
    lead: Lead, *, via: str, mode: str | None = None, now: datetime | None = None
) -> Intake:
    """Place a newly registered lead. Safe to call once per lead, and again (a no-op).

    - owned by its capturer (a rep's own lead, any path): a self-sourced Assignment;
    - owned by someone else, merged, or invalid (无效线索, out of the funnel): left alone;
    - unowned, by `mode` (default: `intake_mode(via)`): "rules" → the rep the assignment
      rules choose (actor: the system), or the matching pool when no rep is eligible;
      "pool" → the most specific active pool matching region/product line/source;
      "marketing" → left unowned for marketing (who keeps seeing it).
    A lead no active pool matches stays unowned ("left"). Runs in its own transaction.
    """
    now = now or timezone.now()
    if lead.owner_id is not None:
        credited = credit_self_sourced(lead=lead, now=now)
        return Intake("self_sourced", assignment=credited) if credited else Intake("left")
    if lead.merged_into_id is not None or not lead.is_valid:
        return Intake("left")
    mode = mode or intake_mode(via)
    with transaction.atomic():
        if mode == IntakeMode.RULES:
            assignment = assign_lead(lead=lead, actor=None, now=now)
            if assignment is not None:
                return Intake("assigned", assignment=assignment)
            lead.refresh_from_db(fields=["owner", "assigned_at"])
            if lead.owner_id is not None:  # someone else got it first
                return Intake("left")
        if mode in {IntakeMode.RULES, IntakeMode.POOL}:
            return _to_pool(lead, now)
    return Intake("left")
