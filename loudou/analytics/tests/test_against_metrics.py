"""On a random ledger (back-moves, re-entries, abandon and return), the funnel's days and
move rates equal pipeline.metrics over the same leads, for several periods, the
projections kept by move_stage equal a rebuild, and the conversion tables equal a count
from the ledger."""

import random
import statistics
from collections import Counter
from datetime import date, timedelta

import pytest

from loudou.activities.models import FollowUp
from loudou.analytics import projections
from loudou.analytics.models import LeadProgress, StageStay
from loudou.analytics.services.conversion import conversion, conversions
from loudou.analytics.services.funnel import funnel
from loudou.analytics.services.process import follow_ups_per_rep_week
from loudou.analytics.services.scope import Scope, local_midnight
from loudou.analytics.tests import fixtures
from loudou.leads.models import Lead, SourceChannel
from loudou.pipeline import metrics
from loudou.pipeline.models import LostReason, Pipeline, StageChange, WinFactor

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


def _random_conversion_ledger(owners, seed: int) -> None:
    """Leads of several owners and sources, won with random factors and lost with random
    reasons, some reopened, lost again or won twice."""
    rng = random.Random(seed)
    sources = list(SourceChannel.objects.all()[:4]) + [None]
    factors, reasons = list(WinFactor.objects.all()), list(LostReason.objects.all())
    for n in range(16):
        when = fixtures.at(3, 1 + rng.randrange(25), rng.randrange(8, 18))
        lead = fixtures._lead(40 + n, rng.choice(owners), when, source=rng.choice(sources))
        for _ in range(rng.randrange(0, 4)):
            when += timedelta(hours=rng.randrange(1, 24 * 5))
            if rng.random() < 0.5:
                fixtures._move(lead, "abandoned", when, lost_reason=rng.choice(reasons))
            else:
                picked = rng.sample(factors, rng.randrange(0, 3))
                fixtures._move(lead, "signed", when, win_factors=picked)
            when += timedelta(hours=rng.randrange(1, 24 * 5))
            fixtures._move(lead, "graded", when)  # reopened


def _by_hand(scope, key) -> dict:
    """leads, deals, median cycle, win and loss counts per group, read from the ledger."""
    groups = {}
    for lead in scope.pipeline_cohort():
        rows = list(StageChange.objects.filter(lead=lead).order_by("at", "id"))
        won = [r for r in rows if r.to_stage.kind == "won"]
        group = groups.setdefault(
            key(lead),
            {"leads": 0, "deals": 0, "cycles": [], "wins": Counter(), "losses": Counter()},
        )
        group["leads"] += 1
        if won:
            group["deals"] += 1
            group["cycles"].append((won[0].at - lead.captured_at).total_seconds() / 86400)
        group["wins"].update({f for r in won for f in r.win_factors or []})
        group["losses"].update({r.lost_reason_id for r in rows if r.lost_reason_id})
    return groups


@pytest.mark.parametrize("seed", [6, 7])
def test_conversion_of_several_dimensions_at_once_equals_a_count_from_the_ledger(
    rep, teammate, other_team_rep, director, seed
):
    # given
    _random_conversion_ledger([rep, teammate, other_team_rep], seed)
    scope = Scope.build(director, start=date(2026, 3, 1), end=date(2026, 3, 31))
    keys = {
        "source": lambda lead: lead.source_id,
        "rep": lambda lead: lead.owner_id,
        "team": lambda lead: lead.owner.team_id,
        "grade": lambda lead: lead.intent_grade or None,
    }
    wins = dict(WinFactor.objects.values_list("pk", "name"))
    losses = dict(LostReason.objects.values_list("pk", "name"))
    # when
    tables = conversions(scope, tuple(keys))
    # then
    for by, key in keys.items():
        expected = _by_hand(scope, key)
        rows = [row for row in tables[by] if row["key"] is not None]
        assert {("none" if k is None else k) for k in expected} == {row["key"] for row in rows}
        for row in rows:
            group = expected[None if row["key"] == "none" else row["key"]]
            cycles = group["cycles"]
            assert (row["leads"], row["deals"]) == (group["leads"], group["deals"])
            assert row["median_cycle_days"] == (
                round(statistics.median(cycles), 2) if cycles else None
            )
            top = sorted(group["wins"].items(), key=lambda item: (-item[1], item[0]))[:3]
            assert row["win_factors"] == [(wins[pk], n) for pk, n in top]
            top = sorted(group["losses"].items(), key=lambda item: (-item[1], item[0]))[:3]
            assert row["loss_factors"] == [(losses[pk], n) for pk, n in top]
        assert tables[by] == conversion(scope, by=by)


@pytest.mark.parametrize("seed", [1, 8])
def test_a_reps_and_a_teams_move_rates_equal_the_ledger_metrics_over_their_leads(
    rep, teammate, other_team_rep, director, seed
):
    # given: leads of three owners, some of them last moved before the period
    for n, owner in enumerate([rep, teammate, other_team_rep]):
        _random_ledger(owner, seed + n)
    pipeline = Pipeline.objects.get(is_default=True)
    for start, end in PERIODS:
        for narrow, leads in [
            ({"rep": rep}, Lead.objects.filter(owner=rep)),
            ({"team": rep.team}, Lead.objects.filter(owner__team=rep.team)),
        ]:
            scope = Scope.build(director, start=start, end=end, **narrow)
            # when
            rates = funnel(scope, now=fixtures.at(6, 1))["stages"]
            # then
            expected = metrics.move_rates(
                pipeline, leads, local_midnight(start), local_midnight(end) + timedelta(1)
            )
            for row, rate in zip(rates, expected, strict=True):
                if row["kind"] == "open":
                    assert (row["moves"]["entered"], row["moves"]["moved_forward"]) == (
                        rate["entered"],
                        rate["moved_forward"],
                    )


def test_a_reps_and_a_teams_follow_ups_per_week_count_the_follow_ups_of_their_leads(
    rep, teammate, other_team_rep, director
):
    # given: follow-ups before, in and after the period on three owners' leads
    rng = random.Random(9)
    for n, owner in enumerate([rep, teammate, other_team_rep]):
        for k in range(3):
            lead = fixtures._lead(70 + 3 * n + k, owner, fixtures.at(2, 1))
            fixtures._follow(
                lead,
                *sorted(
                    fixtures.at(rng.choice([2, 3, 4]), 1 + rng.randrange(27)) for _ in range(4)
                ),
            )
    start, end = date(2026, 3, 1), date(2026, 3, 31)
    for narrow, leads in [
        ({"rep": rep}, {"lead__owner": rep}),
        ({"team": rep.team}, {"lead__owner__team": rep.team}),
    ]:
        scope = Scope.build(director, start=start, end=end, **narrow)
        # when
        figure = follow_ups_per_rep_week(scope)
        # then
        expected = FollowUp.objects.filter(
            occurred_at__gte=local_midnight(start),
            occurred_at__lt=local_midnight(end) + timedelta(1),
            **leads,
        ).count()
        assert figure["follow_ups"] == expected > 0
