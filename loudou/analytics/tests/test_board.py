"""The director's home figures (`director_board`) against `performance_fixture`'s
hand-computed quarter: NOW = 2026-03-15, Q1 74 of 90 days elapsed."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.db.models import Q

from loudou.analytics.models import DirectorSnapshot
from loudou.analytics.services.board import director_board
from loudou.analytics.services.snapshot import (
    SNAPSHOT_EVERY,
    director_figures,
    director_targets,
    take_snapshot,
)
from loudou.analytics.tasks import snapshot_director_targets
from loudou.analytics.tests import performance_fixture as fx
from loudou.org.choices import ALL_SEEING
from loudou.org.models import Region, User
from loudou.targets.tests.factories import make_target

pytestmark = pytest.mark.django_db
TASK = "loudou.analytics.tasks.snapshot_director_targets"


@pytest.fixture
def book(rep, teammate, other_team_rep, director, manager):
    return fx.build(
        rep=rep,
        teammate=teammate,
        other_team_rep=other_team_rep,
        director=director,
        manager=manager,
    )


def _board(viewer):
    with time_machine.travel(fx.NOW, tick=False):
        return director_board(viewer, fx.NOW)


def _row(row, metric):
    figure = row[metric]
    return (figure["target"], figure["actual"], figure["completion_pct"])


def test_the_company_targets_of_the_month_quarter_and_year(book, director):
    # when
    board = _board(director)
    # then  March: D4 400 CNY (D5 is in USD: an order, no revenue); Q1 and 2026: D1-D4
    month, quarter, year = board["targets"]
    assert [r["period"] for r in board["targets"]] == ["monthly", "quarterly", "annual"]
    assert (month["elapsed_pct"], quarter["elapsed_pct"], year["elapsed_pct"]) == (48.4, 82.2, 20.3)
    assert _row(month, "revenue") == (Decimal(1000), Decimal(400), 40.0)
    assert _row(month, "orders") == (Decimal(4), 2, 50.0)
    assert _row(quarter, "revenue") == (None, Decimal(1000), None)
    assert _row(year, "orders") == (None, 5, None)


def test_this_quarter_per_region_with_its_target_and_win_rate(book, director):
    # given  a Q1 revenue target for 华南
    south = Region.objects.get(name="华南")
    make_target(
        actor=director,
        period="quarterly",
        start=fx.Q1["start"],
        value=Decimal(1400),
        scope_kind="region",
        region=south,
    )
    # when
    rows = {r["label"]: r for r in _board(director)["regions"]}
    # then  华东 D1 100 + D2 200 + D5 (USD) → 300, 3 orders; 华南 D3 300 + D4 400 → 700
    # lost L1, L5 have no region: they count in no region's win rate
    assert (rows["华东"]["revenue"], rows["华东"]["orders"], rows["华东"]["target"]) == (
        Decimal(300),
        3,
        None,
    )
    assert (rows["华南"]["revenue"], rows["华南"]["orders"]) == (Decimal(700), 2)
    assert (rows["华南"]["target"], rows["华南"]["completion_pct"]) == (Decimal(1400), 50.0)
    assert (rows["华东"]["won"], rows["华东"]["lost"], rows["华东"]["win_rate"]) == (3, 0, 100.0)
    assert list(rows)[:2] == ["华南", "华东"]  # by revenue, highest first


def test_this_quarter_per_product_line(book, director):
    rows = {r["label"]: r for r in _board(director)["products"]}
    # 标准版: D1 100, D2 200, D5 (USD); 企业版: D2 200, D4 400
    assert (rows["标准版"]["revenue"], rows["标准版"]["orders"]) == (Decimal(300), 3)
    assert (rows["企业版"]["revenue"], rows["企业版"]["orders"]) == (Decimal(600), 2)


def test_the_directors_home_loads_targets_forecast_and_board_after_the_page(client, book, director):
    client.force_login(director)
    with time_machine.travel(fx.NOW, tick=False):
        home = client.get("/").content.decode()
        page = client.get("/analytics/director-targets/", headers={"HX-Request": "true"})
    body = page.content.decode()
    assert 'hx-get="/analytics/director-targets/"' in home
    assert page.status_code == 200
    for section in ("dash-targets", "dash-forecast", "dash-board-regions", "dash-board-products"):
        assert f'id="{section}"' in body
    assert 'id="dash-target-monthly"' in body
    assert "未设定目标" in body  # no quarterly revenue target: no chance to reach it


def test_the_directors_targets_come_from_the_latest_snapshot(book, director):
    # given  no snapshot yet: the first request computes the figures once and stores them
    with time_machine.travel(fx.NOW, tick=False):
        first = director_targets(director, fx.NOW)
        # when  a target is added, read again before and after the worker's next run
        make_target(actor=director, period="quarterly", start=fx.Q1["start"], value=Decimal(2000))
        again = director_targets(director, fx.NOW + timedelta(minutes=5))
    later = fx.NOW + timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        snapshot_id = snapshot_director_targets.call()
        fresh = director_targets(director, later + timedelta(minutes=1))
    # then
    quarter = [found["board"]["targets"][1]["revenue"]["target"] for found in (first, again, fresh)]
    assert quarter == [None, None, Decimal(2000)]
    assert [found["as_of"] for found in (first, again, fresh)] == [fx.NOW, fx.NOW, later]
    assert DirectorSnapshot.objects.get(pk=snapshot_id).computed_at == later


def test_a_stored_snapshot_gives_the_figures_computed_now_with_their_types(book, director):
    # given  the figures as the services compute them (hand-computed in the tests above:
    # Q1 revenue 1,000 CNY of D1-D4, the quarter 82.2 % elapsed)
    with time_machine.travel(fx.NOW, tick=False):
        computed = director_figures(director, fx.NOW)
        # when  stored by the worker and read back from the database
        take_snapshot(fx.NOW)
        stored = director_targets(director, fx.NOW)
    # then  Decimals, dates and floats come back equal, not as strings
    assert stored == {**computed, "as_of": fx.NOW}
    quarter = stored["board"]["targets"][1]
    assert (quarter["revenue"]["actual"], quarter["elapsed_pct"]) == (Decimal(1000), 82.2)
    assert stored["board"]["quarter"]["start"] == fx.Q1["start"]
    assert (stored["forecast"]["start"], stored["forecast"]["end"]) == (
        fx.Q1["start"],
        fx.Q1["end"],
    )


def test_one_snapshot_serves_every_viewer_who_sees_all(book, director, admin_user):
    # given  a snapshot the worker took (as the first active user who sees all)
    with time_machine.travel(fx.NOW, tick=False):
        take_snapshot(fx.NOW)
        # when
        for_admin = director_targets(admin_user, fx.NOW)
        # then  the same as what the administrator's own computation gives
        assert for_admin == {**director_figures(admin_user, fx.NOW), "as_of": fx.NOW}
    assert DirectorSnapshot.objects.count() == 1


def test_the_worker_keeps_a_day_of_snapshots_and_needs_a_viewer_who_sees_all(book, director):
    # given  snapshots of two days ago and of an hour ago
    with time_machine.travel(fx.NOW, tick=False):
        old = take_snapshot(fx.NOW - timedelta(days=2))
        recent = take_snapshot(fx.NOW - timedelta(hours=1))
        # when
        latest = take_snapshot(fx.NOW)
    # then
    assert list(DirectorSnapshot.objects.order_by("computed_at").values_list("pk", flat=True)) == [
        recent.pk,
        latest.pk,
    ]
    assert old.pk not in (recent.pk, latest.pk)
    # and without an active user who sees all, nothing is computed
    sees_all = Q(is_superuser=True) | Q(role__in=ALL_SEEING)
    User.objects.filter(sees_all).update(is_active=False)
    assert User.objects.filter(is_active=True).exists()
    assert take_snapshot(fx.NOW) is None
    assert DirectorSnapshot.objects.count() == 2


def test_the_snapshot_is_on_the_worker_schedule():
    assert dict(settings.LOUDOU_PERIODIC_TASKS)[TASK] == SNAPSHOT_EVERY == 600


def test_the_fragment_shows_when_its_figures_were_computed(client, book, director):
    # given  the worker's snapshot of 11:50 (local time)
    with time_machine.travel(fx.NOW, tick=False):
        take_snapshot(fx.NOW - timedelta(minutes=10))
        client.force_login(director)
        # when
        body = client.get("/analytics/director-targets/").content.decode()
    # then
    assert "本次计算于 2026-03-15 11:50" in body


def test_a_manager_has_no_company_board(client, book, manager):
    client.force_login(manager)
    with time_machine.travel(fx.NOW, tick=False):
        body = client.get("/").content.decode()
        refused = client.get("/analytics/director-targets/")
    assert "director-targets" not in body
    assert refused.status_code == 403
