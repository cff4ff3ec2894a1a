"""Demo stage history: realistic, backdated, through move_stage, and idempotent."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from loudou.core.models import Event
from loudou.leads.models import Lead
from loudou.leads.services import register_lead
from loudou.pipeline.demo import simulate_funnel
from loudou.pipeline.models import StageChange

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 30, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def demo_leads(rep, marketing, stages):
    """60 leads of the rep captured over the 180 days before NOW, plus 2 unowned ones."""
    leads = []
    for n in range(62):
        actor = marketing if n >= 60 else rep
        leads.append(
            register_lead(
                actor=actor,
                values={
                    "company_name": f"演示公司{n}",
                    "phone": f"1380000{n:04d}",
                    "budget_min": 10,
                    "budget_max": 30,
                },
                captured_at=NOW - timedelta(days=180 * (n + 1) / 62),
                via="import",
            )
        )
    return leads


def test_simulation_walks_leads_through_the_funnel_with_backdated_moves(demo_leads, stages):
    # given demo leads in the first stage
    rows_before = StageChange.objects.count()
    # when the funnel is simulated
    moves = simulate_funnel(leads=demo_leads, rng=random.Random(2026), now=NOW)
    # then each move is one ledger row, made by the system on the owner's behalf
    new_rows = StageChange.objects.exclude(via="import")
    assert moves == StageChange.objects.count() - rows_before == new_rows.count()
    assert set(new_rows.values_list("via", flat=True)) == {"system"}
    assert all(row.actor_id == row.owner_id for row in new_rows)
    # and every owned lead moved at least once; the unowned ones stayed where they were
    for lead in demo_leads[:60]:
        assert StageChange.objects.filter(lead=lead).count() >= 2
    for lead in demo_leads[60:]:
        assert StageChange.objects.filter(lead=lead).count() == 1
    # and the history is in order, after capture, never in the future
    for lead in Lead.objects.filter(pk__in=[x.pk for x in demo_leads]):
        times = list(StageChange.objects.filter(lead=lead).values_list("at", flat=True))
        assert times == sorted(times)
        assert times[0] == lead.captured_at
        assert times[-1] <= NOW
        assert lead.stage_entered_at == times[-1]


def test_simulated_outcomes_carry_their_reasons_factors_and_amounts(demo_leads, stages):
    # when
    simulate_funnel(leads=demo_leads, rng=random.Random(2026), now=NOW)
    # then abandoned leads have a lost reason; signings have win factors; opportunities
    # and later have an amount
    rows = StageChange.objects.filter(via="system")
    abandoned = rows.filter(to_stage=stages["abandoned"])
    assert abandoned.exists()
    assert not abandoned.filter(lost_reason=None).exists()
    for row in rows.filter(to_stage=stages["signed"]):
        assert len(row.win_factors) == 2
    later = ["opportunity", "signed", "implemented"]
    assert not Lead.objects.filter(stage__code__in=later, amount=None).exists()
    reached = {code: rows.filter(to_stage=stages[code]).count() for code in stages}
    assert reached["graded"] == 60
    assert reached["graded"] > reached["contacted"] > reached["lead_customer"] > 0


def test_a_second_simulation_changes_nothing(demo_leads):
    # given one simulation done
    simulate_funnel(leads=demo_leads, rng=random.Random(2026), now=NOW)
    counts = (StageChange.objects.count(), Event.objects.count())
    # when it runs again on the same leads
    moves = simulate_funnel(leads=demo_leads, rng=random.Random(9), now=NOW)
    # then nothing is moved or written
    assert moves == 0
    assert (StageChange.objects.count(), Event.objects.count()) == counts
