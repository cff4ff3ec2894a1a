"""Backtest of the forecast: a synthetic history with known rates (seeded, frozen
clock), each of the last twenty months forecast from what was known on its first day, and
compared with the revenue that month actually closed (computed from the generator's own
records, not by the service)."""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from loudou.analytics.projections import rebuild
from loudou.analytics.services.forecast import forecast
from loudou.analytics.services.scope import Scope, local_midnight
from loudou.leads.models import Lead
from loudou.pipeline.models import LostReason, Pipeline, StageChange

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()
FIRST_DAY = date(2025, 1, 1)
MONTHS = 24
PERIODS = 20
LEADS_PER_DAY = 6
#: (stage, chance to move on, mean days in the stage); after the opportunity: signed
CHAIN = [("resource", 0.8, 3.0), ("contacted", 0.5, 8.0), ("opportunity", 0.5, 15.0)]
#: of the leads that do not move on, the share abandoned after their stay (the rest stall)
ABANDONED = 0.6


def _month(index: int) -> tuple[date, date]:
    first = date(FIRST_DAY.year + (FIRST_DAY.month - 1 + index) // 12,
                 (FIRST_DAY.month - 1 + index) % 12 + 1, 1)  # fmt: skip
    after = (first + timedelta(days=32)).replace(day=1)
    return first, after - timedelta(days=1)


def _story(rng: random.Random, captured: datetime, cutoff: datetime) -> list[tuple[str, datetime]]:
    """(stage code, moment) from the capture on, until won, lost, stalled or the cutoff."""
    moves, moment = [("resource", captured)], captured
    following = [code for code, _p, _d in CHAIN[1:]] + ["signed"]
    for (_code, move_on, mean_days), next_code in zip(CHAIN, following, strict=True):
        moment += timedelta(days=rng.gammavariate(2.0, mean_days / 2))
        if moment >= cutoff:
            break
        if rng.random() < move_on:
            moves.append((next_code, moment))
            continue
        if rng.random() < ABANDONED:
            moves.append(("abandoned", moment))
        break
    return moves


def _generate(owner) -> dict[int, tuple[Decimal, datetime | None]]:
    """Bulk-writes the leads and their ledger; returns {lead id: (amount, won at)}."""
    rng = random.Random(20261203)
    stages = {s.code: s for s in Pipeline.objects.get(is_default=True).stages.all()}
    pipeline = stages["resource"].pipeline
    cutoff = local_midnight(_month(MONTHS)[0])
    stories = []
    for offset in range((cutoff.date() - FIRST_DAY).days):
        day = local_midnight(FIRST_DAY + timedelta(days=offset))
        for _n in range(_poisson(rng, LEADS_PER_DAY)):
            captured = day + timedelta(seconds=rng.randrange(86_400))
            amount = Decimal(str(round(rng.lognormvariate(11.5, 0.5), 2)))
            stories.append((captured, amount, _story(rng, captured, cutoff)))
    leads = Lead.objects.bulk_create(
        Lead(
            number=f"BT{i:06d}",
            company_name=f"回测{i}号公司",
            captured_at=captured,
            captured_by=owner,
            owner=owner,
            pipeline=pipeline,
            stage=stages[moves[-1][0]],
            stage_entered_at=moves[-1][1],
            amount=amount,
        )
        for i, (captured, amount, moves) in enumerate(stories)
    )
    lost = LostReason.objects.get(name="预算不足")
    StageChange.objects.bulk_create(
        StageChange(
            lead=lead,
            pipeline=pipeline,
            from_stage=stages[previous[0]] if previous else None,
            to_stage=stages[code],
            at=moment,
            actor=owner,
            owner=owner,
            via="system",
            lost_reason=lost if code == "abandoned" else None,
        )
        for lead, (_captured, _amount, moves) in zip(leads, stories, strict=True)
        for previous, (code, moment) in zip([None, *moves[:-1]], moves, strict=True)
    )
    rebuild()
    return {
        lead.pk: (amount, next((m for c, m in moves if c == "signed"), None))
        for lead, (_captured, amount, moves) in zip(leads, stories, strict=True)
    }


def _poisson(rng: random.Random, mean: float) -> int:
    count, total = 0, rng.expovariate(1.0)
    while total < mean:
        count, total = count + 1, total + rng.expovariate(1.0)
    return count


def test_the_p10_p90_band_covers_most_past_months(director, rep):
    # given
    with time_machine.travel(local_midnight(_month(MONTHS)[0]), tick=False):
        outcomes = _generate(rep)
    rows, covered = [], 0
    # when: each of the last PERIODS months, forecast on its first day
    for index in range(MONTHS - PERIODS, MONTHS):
        start, end = _month(index)
        begin, after = local_midnight(start), local_midnight(end + timedelta(days=1))
        result = forecast(Scope.build(director, start=start, end=end), now=begin)["simulation"]
        actual = float(sum(a for a, won in outcomes.values() if won and begin <= won < after))
        inside = result["p10"] <= actual <= result["p90"]
        covered += inside
        rows.append((start, result["p10"], result["p50"], result["p90"], actual, inside))
    # then
    coverage = covered / len(rows)
    for start, p10, p50, p90, actual, inside in rows:
        print(f"{start:%Y-%m}  P10 {p10:>12,.0f}  P50 {p50:>12,.0f}  P90 {p90:>12,.0f}  "  # noqa: T201
              f"actual {actual:>12,.0f}  {'in' if inside else 'OUT'}")  # fmt: skip
    print(f"P10-P90 coverage over {len(rows)} months: {coverage:.0%}")  # noqa: T201
    assert coverage >= 0.6
    assert all(p10 < actual * 1.5 and actual < p90 * 1.5 for _s, p10, _m, p90, actual, _i in rows)
