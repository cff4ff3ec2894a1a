"""The projections kept by move_stage equal a rebuild from the ledger."""

from datetime import date

import pytest
from django.core.management import call_command

from loudou.analytics import projections
from loudou.analytics.models import LeadProgress, StageStay
from loudou.analytics.services.funnel import funnel
from loudou.analytics.services.scope import Scope
from loudou.analytics.tests import fixtures
from loudou.analytics.tests.fixtures import NOW


def _snapshot():
    stays = list(
        StageStay.objects.order_by("lead_id", "seq").values_list(
            "change_id",
            "lead_id",
            "stage_id",
            "seq",
            "entered_us",
            "left_us",
            "advanced_at",
            "previous_entry_at",
        )
    )
    progress = list(
        LeadProgress.objects.order_by("lead_id").values_list(
            "lead_id", "max_order", "won_at", "cycle_us", "lost_at", "lost_reason_id"
        )
    )
    return stays, progress


@pytest.fixture
def month(rep, teammate, other_team_rep):
    return fixtures.build(rep, teammate, other_team_rep)


def test_a_full_rebuild_gives_the_rows_move_stage_kept(month):
    # given
    kept = _snapshot()
    # when
    counts = projections.rebuild()
    # then
    assert _snapshot() == kept
    assert counts == {"stays": len(kept[0]), "leads": 4}
    assert len(kept[0]) == 15  # 4 placements + 11 moves


def test_rebuilding_some_leads_restores_only_them(month):
    # given
    kept = _snapshot()
    StageStay.objects.filter(lead=month["l4"]).delete()
    LeadProgress.objects.filter(lead=month["l1"]).delete()
    # when
    projections.rebuild(lead_ids=[month["l4"].pk, month["l1"].pk])
    # then
    assert _snapshot() == kept


def test_the_command_rebuilds_and_the_funnel_is_unchanged(month, director):
    # given
    scope = Scope.build(director, start=date(2026, 3, 1), end=date(2026, 3, 31))
    before = funnel(scope, now=NOW)
    StageStay.objects.all().delete()
    LeadProgress.objects.all().delete()
    # when
    call_command("analytics", "rebuild")
    # then
    assert funnel(scope, now=NOW) == before


def test_a_rebuild_keeps_microseconds_and_the_last_lost_reason(rep):
    # given  moves at odd microseconds, abandoned twice with different reasons
    from loudou.pipeline.models import LostReason

    lead = fixtures._lead(7, rep, fixtures.at(3, 1))
    first, second = LostReason.objects.order_by("pk")[:2]
    fixtures._move(lead, "graded", fixtures.at(3, 2).replace(microsecond=123456))
    fixtures._move(lead, "abandoned", fixtures.at(3, 3).replace(microsecond=7), lost_reason=first)
    fixtures._move(lead, "graded", fixtures.at(3, 4).replace(microsecond=999999))
    fixtures._move(lead, "abandoned", fixtures.at(3, 5), lost_reason=second)
    kept = _snapshot()
    # when
    projections.rebuild()
    # then
    assert _snapshot() == kept
    assert kept[0][1][4] % 1_000_000 == 123456
    assert kept[1][0][5] == second.pk
