"""Demo stage history: walk demo leads through the funnel with backdated moves, so that a
newcomer sees a living funnel (time in stage, move rates, abandoned and signed deals).

Every move goes through move_stage (via="system"), so the ledger and the audit log are
the real thing. The integrator calls `simulate_funnel` from the demo loader.
"""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from loudou.leads.models import Lead
from loudou.org.models import ProductLine
from loudou.pipeline.choices import MoveVia, StageKind
from loudou.pipeline.models import LostReason, Stage, StageChange, WinFactor
from loudou.pipeline.services import move_stage, update_opportunity

#: Demo reality lags the ideal move rates a little, so the funnel view shows gaps.
REALISM = 0.85
#: Share of the leads that stop moving which are abandoned (the others just stall).
ABANDON_SHARE = 0.45
#: Move rate after signing (to implemented) when the stage sets none.
IMPLEMENT_RATE = 0.6
#: Days a stage takes when its ideal sets none (implementation takes weeks).
DEFAULT_DAYS = {StageKind.OPEN: 5, StageKind.WON: 30}
NOTES = ["客户预算冻结", "决策人变动", "已选用其他供应商", "多次联系未果", ""]


class _Funnel:
    """The stages of a pipeline in walking order, and the reference lists a walk uses."""

    def __init__(self, stages: list[Stage]):
        ordered = sorted(stages, key=lambda s: s.order)
        self.path = [s for s in ordered if s.kind != StageKind.LOST]
        self.lost = next((s for s in ordered if s.kind == StageKind.LOST), None)
        self.reasons = list(LostReason.objects.filter(is_active=True))
        self.factors = list(WinFactor.objects.filter(is_active=True).values_list("pk", flat=True))
        self.products = list(ProductLine.objects.filter(is_active=True))


def _rate(stage: Stage) -> float:
    if stage.ideal_move_rate is not None:
        return float(stage.ideal_move_rate) / 100 * REALISM
    return IMPLEMENT_RATE if stage.kind == StageKind.WON else 0.5


def _delay(rng: random.Random, stage: Stage) -> timedelta:
    days = stage.ideal_days or DEFAULT_DAYS.get(stage.kind, 5)
    return timedelta(days=days * rng.uniform(0.4, 2.6), hours=rng.uniform(0, 8))


def _amount(rng: random.Random, lead: Lead) -> Decimal:
    """A deal size in yuan, from the budget (万元) when there is one."""
    low = lead.budget_min or lead.budget_max or Decimal(rng.choice([5, 10, 20, 50, 80]))
    high = lead.budget_max or low * 2
    wan = Decimal(str(round(rng.uniform(float(low), float(max(low, high))), 1)))
    return (wan * 10_000).quantize(Decimal("1"))


def _open_opportunity(rng: random.Random, lead: Lead, funnel: _Funnel, at: datetime) -> None:
    products = rng.sample(funnel.products, k=min(len(funnel.products), rng.randint(1, 2)))
    values = {
        "amount": _amount(rng, lead),
        "expected_close_date": (at + timedelta(days=rng.randint(20, 90))).date(),
        "products": products,
    }
    update_opportunity(lead=lead, actor=lead.owner, values=values)


def _step(rng: random.Random, lead: Lead, funnel: _Funnel, at: datetime, first: bool) -> bool:
    """Make the lead's next move at `at`: forward, or abandoned; False when it stalls."""
    here = funnel.path.index(lead.stage)
    forward = funnel.path[here + 1] if here + 1 < len(funnel.path) else None
    move = {"lead": lead, "actor": lead.owner, "via": MoveVia.SYSTEM, "at": at}
    if forward is not None and (first or rng.random() < _rate(lead.stage)):
        if forward.kind == StageKind.WON and lead.stage.kind != StageKind.WON:
            move["win_factors"] = rng.sample(funnel.factors, k=min(len(funnel.factors), 2))
        move_stage(to_stage=forward, **move)
        if forward.is_opportunity and lead.amount is None:
            _open_opportunity(rng, lead, funnel, at)
        return True
    if lead.stage.kind == StageKind.OPEN and funnel.lost and rng.random() < ABANDON_SHARE:
        reason = rng.choice(funnel.reasons)
        move_stage(to_stage=funnel.lost, lost_reason=reason, reason=rng.choice(NOTES), **move)
    return False


def _walk(rng: random.Random, lead: Lead, funnel: _Funnel, now: datetime) -> int:
    """Walk one lead from its first stage; the first move always happens (clipped to now),
    later ones only while their backdated time is in the past."""
    moves, first = 0, True
    while lead.stage in funnel.path:
        at = lead.stage_entered_at + _delay(rng, lead.stage)
        if at > now:
            if not first:
                break
            at = lead.stage_entered_at + (now - lead.stage_entered_at) / 2
        stage_before = lead.stage
        moved = _step(rng, lead, funnel, at, first)
        moves += lead.stage != stage_before
        first = False
        if not moved:
            break
    return moves


def _candidates(leads: list) -> list[Lead]:
    """The owned leads still in their pipeline's first stage with one ledger row only."""
    pks = [lead.pk for lead in leads]
    counts = dict(
        StageChange.objects.filter(lead__in=pks)
        .values("lead")
        .annotate(n=Count("id"))
        .values_list("lead", "n")
    )
    fresh = Lead.objects.filter(pk__in=[pk for pk in pks if counts.get(pk) == 1])
    fresh = fresh.exclude(owner=None).select_related("owner", "stage", "pipeline")
    by_pk = {lead.pk: lead for lead in fresh}
    return [by_pk[pk] for pk in pks if pk in by_pk]


def simulate_funnel(*, leads: list, rng: random.Random, now: datetime | None = None) -> int:
    """Move a realistic share of `leads` forward through their pipeline, backdated after
    their capture time. Skips unowned leads and leads with more than one ledger row, so a
    second call on the same leads changes nothing. Returns the number of moves made."""
    now = now or timezone.now()
    funnels: dict[int, _Funnel] = {}
    moves = 0
    with transaction.atomic():
        for lead in _candidates(leads):
            if lead.pipeline_id not in funnels:
                funnels[lead.pipeline_id] = _Funnel(list(lead.pipeline.stages.all()))
            if lead.stage == funnels[lead.pipeline_id].path[0]:
                moves += _walk(rng, lead, funnels[lead.pipeline_id], now)
    return moves
