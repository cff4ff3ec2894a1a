"""On a random ledger (back-moves, re-entries, abandon and return), the funnel's days and
move rates equal pipeline.metrics over the same leads, for several periods, and the
projections kept by move_stage equal a rebuild."""

import random
from datetime import date, timedelta

import pytest

from loudou.analytics import projections
from loudou.analytics.models import LeadProgress, StageStay
from loudou.analytics.services.funnel import funnel
from loudou.analytics.services.scope import Scope, local_midnight
from loudou.analytics.tests import fixtures
from loudou.leads.models import Lead
from loudou.pipeline import metrics
from loudou.pipeline.models import LostReason, Pipeline

PERIODS = [
    (date(2026, 3, 1), date(2026, 3, 31)),
    (date(2026, 3, 10), date(2026, 4, 20)),
    (date(2026, 2, 1), date(2026, 6, 30)),
]


def _random_ledger(owner, seed: int) -> None:
    rng = random.Random(seed)
    stages = list(Pipeline.objects.get(is_default=True).stages.order_by("order"))
    reason = LostReason.objects.first()
    for n in range(12):
        when = fixtures.at(3, 1 + rng.randrange(20), rng.randrange(8, 18))
        lead = fixtures._lead(10 + n, owner, when)
        current = stages[0]
        for _ in range(rng.randrange(0, 7)):
            when += timedelta(hours=rng.randrange(1, 24 * 9), microseconds=rng.randrange(10**6))
            target = rng.choice([s for s in stages if s != current])
            extra = {"lost_reason": reason} if target.kind == "lost" else {}
            fixtures._move(lead, target.code, when, **extra)
            current = target


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_days_and_move_rates_equal_the_ledger_metrics(rep, director, seed):
    # given
    _random_ledger(rep, seed)
    pipeline = Pipeline.objects.get(is_default=True)
    now = fixtures.at(6, 1)
    for start, end in PERIODS:
        scope = Scope.build(director, start=start, end=end)
        cohort = Lead.objects.filter(pk__in=scope.pipeline_cohort().values("pk"))
        # when
        result = funnel(scope, now=now)
        # then
        durations = metrics.stage_durations(pipeline, cohort, now)
        rates = metrics.move_rates(
            pipeline, Lead.objects.all(), local_midnight(start), local_midnight(end) + timedelta(1)
        )
        for row, spent, rate in zip(result["stages"], durations, rates, strict=True):
            assert (row["median_days"], row["p75_days"]) == (
                spent["median_days"],
                spent["p75_days"],
            )
            if row["kind"] == "open":
                assert (row["moves"]["entered"], row["moves"]["moved_forward"]) == (
                    rate["entered"],
                    rate["moved_forward"],
                )


@pytest.mark.parametrize("seed", [4, 5])
def test_projections_kept_by_move_stage_equal_a_rebuild(rep, seed):
    # given
    _random_ledger(rep, seed)
    kept = (
        list(StageStay.objects.order_by("change_id").values_list()),
        list(LeadProgress.objects.order_by("lead_id").values_list()),
    )
    # when
    projections.rebuild()
    # then
    again = (
        list(StageStay.objects.order_by("change_id").values_list()),
        list(LeadProgress.objects.order_by("lead_id").values_list()),
    )
    assert again == kept
    assert any(row[-1] is not None for row in kept[0])  # some stays advanced
