"""The forecast against figures computed by hand: the weighted pipeline, the estimator of
how stays end, and a simulation whose outcome is certain."""

from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from loudou.analytics.services.forecast import Exits, forecast, preset_period
from loudou.analytics.services.scope import Scope
from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead
from loudou.pipeline.models import LostReason, Pipeline
from loudou.pipeline.services import move_stage

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()
NOW = datetime(2026, 4, 1, 9, tzinfo=TZ)
APRIL = {"start": date(2026, 4, 1), "end": date(2026, 4, 30)}


def at(year, month, day) -> datetime:
    return datetime(year, month, day, 9, tzinfo=TZ)


def _lead(owner, n: int, *moves, amount=None, probability=None) -> Lead:
    """A lead captured 2025-12-01 and moved through `moves` ((stage code, moment), …)."""
    with time_machine.travel(at(2025, 12, 1), tick=False):
        lead = make_lead(
            actor=owner, owner=owner, company_name=f"预测{n}号公司", phone=f"1370000{n:04d}"
        )
    stages = Pipeline.objects.get(is_default=True).stages
    for code, moment in moves:
        lead.refresh_from_db()
        lost = LostReason.objects.get(name="预算不足") if code == "abandoned" else None
        move_stage(
            lead=lead,
            to_stage=stages.get(code=code),
            actor=owner,
            via="system",
            at=moment,
            lost_reason=lost,
        )
    Lead.objects.filter(pk=lead.pk).update(amount=amount, probability=probability)
    return lead


@pytest.fixture
def ledger(rep):
    """Four closed histories and three open leads (hand computation in the test)."""
    _lead(rep, 1, ("lead_customer", at(2025, 12, 2)), ("opportunity", at(2025, 12, 6)),
          ("signed", at(2025, 12, 16)), amount=100)  # fmt: skip
    _lead(rep, 2, ("lead_customer", at(2025, 12, 2)), ("opportunity", at(2025, 12, 8)),
          ("signed", at(2025, 12, 18)), amount=200)  # fmt: skip
    _lead(rep, 3, ("opportunity", at(2025, 12, 4)), ("signed", at(2025, 12, 21)), amount=600)
    _lead(rep, 4, ("opportunity", at(2025, 12, 4)), ("abandoned", at(2025, 12, 14)))
    _lead(rep, 5, ("opportunity", at(2026, 3, 31)), amount=1000)
    _lead(rep, 6, ("lead_customer", at(2026, 3, 31)), amount=500, probability=50)
    _lead(rep, 7, ("opportunity", at(2026, 3, 31)))


def test_the_weighted_pipeline_equals_the_hand_computation(ledger, rep):
    # given: opportunity stays end 3 times in 4 in a won stage, lead-customer stays always
    # in the opportunity stage, so both stages are won 75 % of the time; the open stays
    # (1 day) are shorter than every finished one, so censoring changes no share
    scope = Scope.build(rep, **APRIL)
    # when
    weighted = forecast(scope, now=NOW, runs=200)["weighted"]
    # then
    rows = {row["name"]: row for row in weighted["stages"]}
    assert rows["意向客户(商机)"] == {
        "stage_id": rows["意向客户(商机)"]["stage_id"],
        "name": "意向客户(商机)",
        "leads": 2,
        "with_amount": 1,
        "amount": 1000.0,
        "stage_probability": 40,
        "weighted": 400.0,  # 1000 × 40 %
        "won_probability": 75.0,
        "weighted_measured": 750.0,
    }
    assert (rows["线索客户"]["leads"], rows["线索客户"]["amount"]) == (1, 500.0)
    assert rows["线索客户"]["weighted"] == 250.0  # 500 × the lead's own 50 %
    assert (rows["线索客户"]["won_probability"], rows["线索客户"]["weighted_measured"]) == (
        75.0,
        375.0,
    )
    assert rows["客户资源"]["won_probability"] == 75.0
    assert rows["已分级"]["won_probability"] is None  # no stay ever: unknown, not 0
    assert (weighted["leads"], weighted["amount"]) == (3, 1500.0)
    assert (weighted["weighted"], weighted["weighted_measured"]) == (650.0, 1125.0)


def test_how_stays_end_weighs_censored_stays_like_kaplan_meier():
    # given: stays of 1 (won), 2 (still open), 3 (lost) and 4 days (still open)
    days = np.array([3.0, 1.0, 4.0, 2.0])
    to = np.array([-2, -1, 0, 0])
    finished = np.array([True, True, False, False])
    # when
    exits = Exits.estimate(days, to, finished)
    # then: 1/4 at day 1; the open stay at 2 passes its share to the 2 longer ones, so
    # day 3 gets 3/4 × 1/2; the rest (3/8) never ends
    assert exits.days.tolist() == [1.0, 3.0]
    np.testing.assert_allclose(exits.cum, [0.25, 0.625])
    assert exits.stuck == pytest.approx(0.375)
    assert (exits.share_to(-1), exits.share_to(-2)) == (0.25, 0.375)


def test_a_certain_close_gives_one_figure_and_the_target_chance_around_it(rep):
    # given: every opportunity stay so far lasted exactly 2 days and was won; one open
    # opportunity (1,000) has been there a day; nobody entered the pipeline since January
    for n in range(5):
        _lead(rep, n, ("opportunity", at(2025, 12, 1 + n)), ("signed", at(2025, 12, 3 + n)),
              amount=700)  # fmt: skip
    _lead(rep, 9, ("opportunity", at(2026, 3, 31)), amount=1000)
    scope = Scope.build(rep, **APRIL)
    # when
    met = forecast(scope, now=NOW, target_amount=Decimal("1000"))
    missed = forecast(scope, now=NOW, target_amount=Decimal("1000.01"))
    # then
    simulation = met["simulation"]
    assert (simulation["p10"], simulation["p50"], simulation["p90"]) == (1000.0, 1000.0, 1000.0)
    assert (simulation["expected_deals"], simulation["from_new"]) == (1.0, 0.0)
    assert met["target"] == {"amount": 1000.0, "source": "given", "probability": 100.0}
    assert missed["target"]["probability"] == 0.0


def test_without_a_target_the_stored_target_hook_answers_none_for_now(ledger, rep):
    # when
    result = forecast(Scope.build(rep, **APRIL), now=NOW, runs=100)
    # then
    assert result["target"] == {"amount": None, "source": None, "probability": None}


@pytest.mark.parametrize(
    ("end", "message"),
    [
        (date(2026, 3, 31), "预测期间须在今天或之后结束。"),
        (date(2027, 4, 3), "预测期间最远到一年以后。"),
    ],
)
def test_a_past_or_too_distant_period_is_refused(rep, end, message):
    # given
    scope = Scope.build(rep, start=date(2026, 3, 1), end=end)
    # when
    with pytest.raises(ValidationError) as refused:
        forecast(scope, now=NOW)
    # then
    assert refused.value.message_dict == {"end": [message]}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("this_month", (date(2026, 11, 1), date(2026, 11, 30))),
        ("next_month", (date(2026, 12, 1), date(2026, 12, 31))),
        ("this_quarter", (date(2026, 10, 1), date(2026, 12, 31))),
        ("next_quarter", (date(2027, 1, 1), date(2027, 3, 31))),
    ],
)
def test_preset_periods_are_calendar_months_and_quarters(name, expected):
    assert preset_period(name, date(2026, 11, 15)) == expected
