"""The 公海: releasing leads into a pool, claiming them (race-free), recycling neglected and
abandoned leads. Owners change only through conditional UPDATEs."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.assignment.choices import ABANDONED, AssignVia, EntryReason
from loudou.assignment.exceptions import ClaimRefused
from loudou.assignment.models import Assignment, ClaimDay, Pool, PoolEntry
from loudou.assignment.permissions import may_claim, may_release
from loudou.core.audit import record
from loudou.customers.services import follow_lead_owner
from loudou.leads.models import Lead
from loudou.org.models import User


def start_of_day(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def claims_today(rep: User, pool: Pool, now: datetime) -> int:
    return Assignment.objects.filter(
        user=rep, via=AssignVia.CLAIM, pool=pool, at__gte=start_of_day(now)
    ).count()


def holding(rep: User) -> int:
    """Open leads `rep` owns (won and lost ones do not count against a cap)."""
    return Lead.objects.filter(owner=rep).exclude(stage__kind__in=["won", "lost"]).count()


def claims_left(rep: User, pool: Pool, now: datetime) -> int:
    return max(pool.max_claims_per_day - claims_today(rep, pool, now), 0)


def _check_claim(entry: PoolEntry, rep: User, now: datetime) -> None:
    """Refuse a claim over a cap or during a cool-down, before anything is written."""
    pool = entry.pool
    if not may_claim(rep):
        raise PermissionDenied(_("您的角色不能从公海领取线索。"))
    if claims_today(rep, pool, now) >= pool.max_claims_per_day:
        raise ClaimRefused(
            _("今天已从{pool}领取 {n} 条线索，达到每日上限。").format(
                pool=pool, n=pool.max_claims_per_day
            ),
            "daily_cap",
        )
    cap = pool.max_holding if pool.max_holding is not None else rep.capacity
    if holding(rep) >= cap:
        raise ClaimRefused(
            _("您已持有 {n} 条线索，达到上限 {cap}。").format(n=holding(rep), cap=cap),
            "holding_cap",
        )
    _check_cooldowns(entry, rep, now)


def _check_cooldowns(entry: PoolEntry, rep: User, now: datetime) -> None:
    until = entry.previous_owner_cooldown_until
    if entry.previous_owner_id == rep.pk and until and now < until:
        raise ClaimRefused(
            _("您是原负责人，{until} 之前不能再领取。").format(
                until=f"{timezone.localtime(entry.previous_owner_cooldown_until):%Y-%m-%d}"
            ),
            "previous_owner_cooldown",
        )
    if entry.cooldown_until and now < entry.cooldown_until:
        raise ClaimRefused(
            _("该线索冷处理中，{until} 之后才能领取。").format(
                until=f"{timezone.localtime(entry.cooldown_until):%Y-%m-%d %H:%M}"
            ),
            "cooldown",
        )


def _count_claim(pool: Pool, rep: User, now: datetime) -> None:
    """Take one of today's claims under the cap; rolled back with a lost claim."""
    day = timezone.localdate(now)
    ClaimDay.objects.get_or_create(user=rep, pool=pool, day=day)
    under_cap = ClaimDay.objects.filter(
        user=rep, pool=pool, day=day, count__lt=pool.max_claims_per_day
    )
    if under_cap.update(count=F("count") + 1) != 1:
        raise ClaimRefused(
            _("今天已从{pool}领取 {n} 条线索，达到每日上限。").format(
                pool=pool, n=pool.max_claims_per_day
            ),
            "daily_cap",
        )


def claim_from_pool(*, lead_id: int, rep: User, now: datetime | None = None) -> Lead:
    """Give a pooled lead to `rep`. Of any number of concurrent claims exactly one wins."""
    now = now or timezone.now()
    entry = PoolEntry.objects.select_related("pool").filter(lead_id=lead_id).first()
    if entry is None:
        raise ClaimRefused(_("该线索不在公海中，或已被他人领取。"), "not_in_pool")
    _check_claim(entry, rep, now)
    with transaction.atomic():
        _count_claim(entry.pool, rep, now)
        won = Lead.objects.filter(pk=lead_id, owner=None).update(owner=rep, assigned_at=now)
        if won != 1:
            raise ClaimRefused(_("该线索已被他人领取。"), "taken")
        PoolEntry.objects.filter(lead_id=lead_id).delete()
        lead = Lead.objects.get(pk=lead_id)
        Assignment.objects.create(
            lead=lead,
            user=rep,
            via=AssignVia.CLAIM,
            pool=entry.pool,
            explanation=_("从公海“{pool}”领取").format(pool=entry.pool),
            at=now,
            actor=rep,
        )
        record(
            obj=lead,
            actor=rep,
            verb="lead.claimed",
            changes=[{"field": "owner", "before": None, "after": str(rep)}],
            reason=str(entry.pool),
        )
        follow_lead_owner(lead=lead, actor=rep)
    return lead


def _entry_values(pool: Pool, reason: str, owner: User | None, now: datetime) -> dict:
    cooldown = now + timedelta(days=pool.cooldown_days) if reason in ABANDONED else None
    previous = now + timedelta(days=pool.previous_owner_cooldown_days) if owner else None
    return {
        "pool": pool,
        "entered_at": now,
        "reason": reason,
        "previous_owner": owner,
        "cooldown_until": cooldown,
        "previous_owner_cooldown_until": previous,
    }


def _move_to_pool(*, lead: Lead, pool: Pool, actor, reason: str, verb: str, now) -> bool:
    """Owner → None (only if still the owner we saw), entry row, audit event."""
    owner = lead.owner
    moved = Lead.objects.filter(pk=lead.pk, owner=owner).update(owner=None, assigned_at=None)
    if moved != 1:
        return False
    PoolEntry.objects.update_or_create(lead=lead, defaults=_entry_values(pool, reason, owner, now))
    record(
        obj=lead,
        actor=actor,
        verb=verb,
        changes=[{"field": "owner", "before": str(owner) if owner else None, "after": None}],
        reason=f"{pool} · {EntryReason(reason).label}",
    )
    lead.owner, lead.assigned_at = None, None
    return True


@transaction.atomic
def release_to_pool(
    *,
    lead: Lead,
    pool: Pool,
    actor: User,
    reason: str = EntryReason.RELEASED,
    now: datetime | None = None,
) -> Lead:
    """Give a lead up into `pool`: only its owner, the owner's manager, a director or admin."""
    if not may_release(actor, lead.owner):
        raise PermissionDenied(_("您不能放弃他人的线索。"))
    if not pool.is_active:
        raise ClaimRefused(_("该公海已停用。"), "pool_inactive")
    if not _move_to_pool(
        lead=lead,
        pool=pool,
        actor=actor,
        reason=reason,
        verb="lead.released",
        now=now or timezone.now(),
    ):
        raise ClaimRefused(_("该线索的负责人已变化，请刷新后重试。"), "owner_changed")
    return lead


@transaction.atomic
def add_to_pool(*, lead: Lead, pool: Pool, actor: User | None, now: datetime | None = None):
    """Put an unowned lead (marketing's, imported, web form) into `pool` for claiming."""
    if lead.owner_id is not None:
        raise ClaimRefused(_("该线索已有负责人，请用“放弃”放回公海。"), "owned")
    now = now or timezone.now()
    PoolEntry.objects.update_or_create(
        lead=lead, defaults=_entry_values(pool, EntryReason.INTAKE, None, now)
    )
    record(obj=lead, actor=actor, verb="lead.pooled", reason=str(pool))


def pool_for(lead: Lead, pools: list[Pool]) -> Pool | None:
    """The most specific active pool whose region/product line/source filters fit `lead`."""
    products = {p.pk for p in lead.products.all()}
    best, best_score = None, -1
    for pool in pools:
        checks = [
            (pool.region_id, pool.region_id == lead.region_id),
            (pool.product_line_id, pool.product_line_id in products),
            (pool.source_id, pool.source_id == lead.source_id),
        ]
        if all(ok for wanted, ok in checks if wanted):
            score = sum(1 for wanted, _ok in checks if wanted)
            if score > best_score:
                best, best_score = pool, score
    return best


def _recycle_reason(lead: Lead, pool: Pool, now: datetime) -> str | None:
    if lead.stage_id and lead.stage.kind == "lost":
        fresh = lead.assigned_at is None or (lead.stage_entered_at or now) >= lead.assigned_at
        return EntryReason.LOST if pool.recycle_lost and fresh else None
    touched = [t for t in (lead.last_contact_at, lead.assigned_at or lead.captured_at) if t]
    if max(touched) + timedelta(days=pool.protection_days_for(lead.intent_grade)) <= now:
        return EntryReason.NO_FOLLOW_UP
    return None


def _recycle_candidates(pools: list[Pool], now: datetime):
    shortest = min(
        [p.protection_days for p in pools]
        + [int(d) for p in pools for d in p.protection_days_by_grade.values()]
    )
    quiet_since = now - timedelta(days=shortest)
    old_contact = Q(last_contact_at__isnull=True) | Q(last_contact_at__lte=quiet_since)
    old_assign = Q(assigned_at__isnull=True) | Q(assigned_at__lte=quiet_since)
    return (
        Lead.objects.filter(owner__isnull=False)
        .exclude(stage__kind="won")
        .filter(Q(stage__kind="lost") | (old_contact & old_assign))
        .select_related("owner", "stage")
        .prefetch_related("products")
    )


@dataclass(frozen=True)
class RecycleItem:
    """One lead a recycle run takes from its owner: into which pool, and why."""

    lead: Lead
    pool: Pool
    reason: str


def in_pool_order(pools: Iterable[Pool]) -> list[Pool]:
    """Pools in the order `pool_for` breaks ties in (the model's order, then the name),
    sorted here so that a preview with an unsaved pool orders exactly as a run does."""
    return sorted(pools, key=lambda pool: (pool.order, pool.name))


def recycle_plan(pools: list[Pool], now: datetime) -> Iterator[RecycleItem]:
    """What a recycle run at `now` with `pools` (active, in pool order) would move; reads
    only, so the run and the preview of a pool's settings share it."""
    if not pools:
        return
    for lead in _recycle_candidates(pools, now).iterator(chunk_size=500):
        pool = pool_for(lead, pools)
        reason = pool and _recycle_reason(lead, pool, now)
        if reason:
            yield RecycleItem(lead=lead, pool=pool, reason=reason)


def recycle(now: datetime) -> int:
    """Move neglected (no follow-up within the protection period, by grade) and abandoned
    (lost stage) leads back to their pool. Returns how many moved; idempotent."""
    pools = in_pool_order(Pool.objects.filter(is_active=True))
    moved = 0
    for item in recycle_plan(pools, now):
        with transaction.atomic():
            moved += _move_to_pool(
                lead=item.lead,
                pool=item.pool,
                actor=None,
                reason=item.reason,
                verb="lead.recycled",
                now=now,
            )
    return moved
