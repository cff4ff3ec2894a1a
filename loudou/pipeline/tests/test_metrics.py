"""Funnel figures from the ledger, checked against numbers worked out by hand.

The fixture: four leads in the default pipeline, T0 = 2026-03-02 09:00 (Asia/Shanghai),
`now` = T0 + 20 days. Stages: R 客户资源, G 已分级, C 已接触, L 线索客户, O 商机, S 签约,
I 已实施, X 放弃.

    lead 1: R@0d  G@1d  C@3d  L@10d            (still in L)
    lead 2: R@0d  G@2d  X@6d                   (abandoned, still in X)
    lead 3: R@1d  G@5d  C@6d  O@8d  S@15d      (signed, still in S)
    lead 4: R@4d                               (still in R)
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead
from loudou.pipeline.metrics import cycle_days, move_rates, stage_durations, time_in_stage
from loudou.pipeline.models import StageChange

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NOW = T0 + timedelta(days=20)
DAY = timedelta(days=1)
HISTORY = {
    1: [("resource", 0), ("graded", 1), ("contacted", 3), ("lead_customer", 10)],
    2: [("resource", 0), ("graded", 2), ("abandoned", 6)],
    3: [("resource", 1), ("graded", 5), ("contacted", 6), ("opportunity", 8), ("signed", 15)],
    4: [("resource", 4)],
}


@pytest.fixture
def funnel(rep, pipeline, stages):
    """The four leads (registered without contact details, so not placed automatically)
    and their hand-written ledger rows; returns {1: lead, 2: lead, …}."""
    leads = {}
    for number, rows in HISTORY.items():
        lead = make_lead(actor=rep, company_name=f"测试公司{number}", phone="")
        previous = None
        for code, day in rows:
            StageChange.objects.create(
                lead=lead,
                pipeline=pipeline,
                from_stage=previous,
                to_stage=stages[code],
                at=T0 + day * DAY,
                actor=rep,
                owner=rep,
                via="import",
            )
            previous = stages[code]
        leads[number] = lead
    return leads


def _by_code(rows: list[dict], *keys: str) -> dict[str, tuple]:
    return {row["stage"].code: tuple(row[k] for k in keys) for row in rows}


def test_time_in_stage_sums_each_stay_until_the_next_move_or_now(funnel, stages):
    # given the ledger rows of the fixture
    rows = StageChange.objects.filter(lead__in=funnel.values())
    # when time in stage is computed at NOW
    spent = time_in_stage(rows, NOW)
    # then, lead by lead (the last stay runs until NOW = day 20):
    s = {code: stage.pk for code, stage in stages.items()}
    assert spent[funnel[1].pk] == {
        s["resource"]: 1 * DAY,  # 1 - 0
        s["graded"]: 2 * DAY,  # 3 - 1
        s["contacted"]: 7 * DAY,  # 10 - 3
        s["lead_customer"]: 10 * DAY,  # 20 - 10, still there
    }
    assert spent[funnel[2].pk] == {
        s["resource"]: 2 * DAY,  # 2 - 0
        s["graded"]: 4 * DAY,  # 6 - 2
        s["abandoned"]: 14 * DAY,  # 20 - 6
    }
    assert spent[funnel[3].pk] == {
        s["resource"]: 4 * DAY,  # 5 - 1
        s["graded"]: 1 * DAY,  # 6 - 5
        s["contacted"]: 2 * DAY,  # 8 - 6
        s["opportunity"]: 7 * DAY,  # 15 - 8
        s["signed"]: 5 * DAY,  # 20 - 15
    }
    assert spent[funnel[4].pk] == {s["resource"]: 16 * DAY}  # 20 - 4


def test_time_in_stage_adds_up_the_stays_of_a_lead_that_came_back():
    # given plain rows: R@0 G@1 R@3 G@4, now = day 6
    rows = [
        {"id": n, "lead_id": 9, "to_stage_id": stage, "at": T0 + day * DAY}
        for n, (stage, day) in enumerate([(1, 0), (2, 1), (1, 3), (2, 4)], start=1)
    ]
    # when / then: R = (1-0) + (4-3) = 2 days; G = (3-1) + (6-4) = 4 days
    assert time_in_stage(rows, T0 + 6 * DAY) == {9: {1: 2 * DAY, 2: 4 * DAY}}


def test_stage_durations_give_median_and_p75_days(funnel, pipeline):
    # when
    result = stage_durations(
        pipeline, Lead.objects.filter(pk__in=[x.pk for x in funnel.values()]), NOW
    )
    # then, with linear interpolation p(q) = x[i] + (x[i+1] - x[i]) * f, i + f = (n - 1) * q:
    # R: days [1, 2, 4, 16]: median at 1.5 → 2 + (4-2)*0.5 = 3.0; p75 at 2.25 → 4 + 12*0.25 = 7.0
    # G: days [1, 2, 4]:     median at 1.0 → 2.0;                 p75 at 1.5 → 2 + 2*0.5 = 3.0
    # C: days [2, 7]:        median at 0.5 → 2 + 5*0.5 = 4.5;     p75 at 0.75 → 2 + 5*0.75 = 5.75
    # L: [10]; O: [7]; S: [5]; X: [14]; I: nobody
    assert _by_code(result, "leads", "still_in", "median_days", "p75_days") == {
        "resource": (4, 1, 3.0, 7.0),
        "graded": (3, 0, 2.0, 3.0),
        "contacted": (2, 0, 4.5, 5.75),
        "lead_customer": (1, 1, 10.0, 10.0),
        "opportunity": (1, 0, 7.0, 7.0),
        "signed": (1, 1, 5.0, 5.0),
        "implemented": (0, 0, None, None),
        "abandoned": (1, 1, 14.0, 14.0),
    }


def test_stage_durations_count_only_the_leads_given(funnel, pipeline):
    # when only lead 4 is given (e.g. the caller sees only it)
    result = stage_durations(pipeline, Lead.objects.filter(pk=funnel[4].pk), NOW)
    # then only its 16 days in R count
    assert _by_code(result, "leads", "median_days")["resource"] == (1, 16.0)
    assert _by_code(result, "leads", "median_days")["graded"] == (0, None)


def test_move_rates_over_the_first_week(funnel, pipeline):
    # when the window is [day 0, day 7)
    leads = Lead.objects.filter(pk__in=[x.pk for x in funnel.values()])
    result = move_rates(pipeline, leads, T0, T0 + 7 * DAY)
    # then
    # R: entered by leads 1, 2, 3, 4 (days 0, 0, 1, 4); moved on before day 7: 1, 2, 3 → 3/4
    # G: entered by 1, 2, 3 (days 1, 2, 5); moved forward: 1 (C@3), 3 (C@6); lead 2 was
    #    abandoned, which is not forward → 2/3 = 66.7 %
    # C: entered by 1 (day 3) and 3 (day 6); their next moves (day 10, day 8) fall after
    #    the window → 0/2
    # X: entered by 2 (day 6); nothing is beyond it → 0/1
    # L, O, S, I: nobody entered during the window → rate None
    assert _by_code(result, "entered", "moved_forward", "rate") == {
        "resource": (4, 3, 75.0),
        "graded": (3, 2, 66.7),
        "contacted": (2, 0, 0.0),
        "lead_customer": (0, 0, None),
        "opportunity": (0, 0, None),
        "signed": (0, 0, None),
        "implemented": (0, 0, None),
        "abandoned": (1, 0, 0.0),
    }


def test_move_rates_over_twenty_days(funnel, pipeline):
    # when the window is [day 0, day 20)
    leads = Lead.objects.filter(pk__in=[x.pk for x in funnel.values()])
    result = move_rates(pipeline, leads, T0, NOW)
    # then
    # C: entered by 1 and 3; 1 went to L (day 10), 3 to O (day 8) → 2/2
    # L: entered by 1 (day 10), still there → 0/1
    # O: entered by 3 (day 8), signed on day 15 → 1/1
    # S: entered by 3 (day 15), not implemented → 0/1
    rates = _by_code(result, "entered", "moved_forward", "rate")
    assert rates["contacted"] == (2, 2, 100.0)
    assert rates["lead_customer"] == (1, 0, 0.0)
    assert rates["opportunity"] == (1, 1, 100.0)
    assert rates["signed"] == (1, 0, 0.0)


def test_cycle_days_run_from_entering_the_pipeline_to_the_first_win(funnel, pipeline):
    leads = Lead.objects.filter(pk__in=[x.pk for x in funnel.values()])
    # lead 3 entered on day 1 and signed on day 15 → 14 days; nobody else won
    assert cycle_days(pipeline, leads) == {funnel[3].pk: 14.0}
