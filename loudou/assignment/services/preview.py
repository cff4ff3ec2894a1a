"""What saving a pool's settings would take from the reps, before it is saved: the leads
the next recycle run would move into the pool, per owner and reason. Computed on an
unsaved copy of the pool with `recycle_plan`, the code the run itself uses, so nothing is
written and the preview and the run cannot disagree."""

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from loudou.assignment.choices import EntryReason
from loudou.assignment.models import Pool
from loudou.assignment.services.configuration import POOL_FIELDS, ensure_may_configure, known
from loudou.assignment.services.pools import in_pool_order, recycle_plan
from loudou.org.models import User


@dataclass(frozen=True)
class RecyclePreview:
    """The leads a pool would recycle: how many, from whom, why, and a token naming
    exactly those leads (the page's confirmation must carry it)."""

    pool: Pool
    lead_ids: tuple[int, ...]
    by_owner: tuple[tuple[User, int], ...]
    by_reason: dict[str, int]

    @property
    def total(self) -> int:
        return len(self.lead_ids)

    @property
    def reps(self) -> int:
        return len(self.by_owner)

    @property
    def reasons(self) -> list[tuple[str, int]]:
        """(label, count) per entry reason, as the page shows them."""
        return [(str(EntryReason(reason).label), n) for reason, n in self.by_reason.items()]

    @property
    def token(self) -> str:
        text = ",".join(str(pk) for pk in self.lead_ids)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _candidate(pool: Pool | None, values: dict[str, Any]) -> Pool:
    """A fresh, unsaved copy of the pool (or a new one) with `values`, validated as
    saving would validate it (a duplicate name or bad periods are refused the same way)."""
    candidate = Pool.objects.get(pk=pool.pk) if pool is not None else Pool()
    for name, value in values.items():
        setattr(candidate, name, value)
    candidate.full_clean()
    return candidate


def _pools_with(candidate: Pool) -> list[Pool]:
    """The active pools as they would be once `candidate` is saved."""
    others = [p for p in Pool.objects.filter(is_active=True) if p.pk != candidate.pk]
    return in_pool_order([*others, candidate] if candidate.is_active else others)


def preview_pool(
    *, actor: User, pool: Pool | None, values: dict[str, Any], now: datetime | None = None
) -> RecyclePreview:
    """The leads the next recycle run would take from their owners into `pool` (None: a
    new pool) if it were saved with `values`. Same permission and validation as
    `save_pool`; writes nothing."""
    ensure_may_configure(actor)
    candidate = _candidate(pool, known(values, POOL_FIELDS))
    items = [
        item
        for item in recycle_plan(_pools_with(candidate), now or timezone.now())
        if item.pool is candidate
    ]
    owners = {item.lead.owner_id: item.lead.owner for item in items}
    counts = Counter(item.lead.owner_id for item in items)
    by_owner = sorted(counts.items(), key=lambda pair: (-pair[1], str(owners[pair[0]])))
    return RecyclePreview(
        pool=candidate,
        lead_ids=tuple(sorted(item.lead.pk for item in items)),
        by_owner=tuple((owners[pk], n) for pk, n in by_owner),
        by_reason=dict(Counter(item.reason for item in items)),
    )
