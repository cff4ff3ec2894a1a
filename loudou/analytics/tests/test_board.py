"""The director's home figures (`director_board`) against `performance_fixture`'s
hand-computed quarter: NOW = 2026-03-15, Q1 74 of 90 days elapsed."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from loudou.analytics.services.board import director_board
from loudou.analytics.services.dashboards import director_targets
from loudou.analytics.tests import performance_fixture as fx
from loudou.org.models import Region
from loudou.targets.tests.factories import make_target

pytestmark = pytest.mark.django_db


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


def test_the_directors_targets_are_kept_ten_minutes(book, director):
    # given  the figures computed once
    with time_machine.travel(fx.NOW, tick=False):
        first = director_targets(director, fx.NOW)
        # when  a target is added within the same ten minutes, then after them
        make_target(actor=director, period="quarterly", start=fx.Q1["start"], value=Decimal(2000))
        again = director_targets(director, fx.NOW)
    later = fx.NOW + timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        fresh = director_targets(director, later)
    # then
    quarter = [found["board"]["targets"][1]["revenue"]["target"] for found in (first, again, fresh)]
    assert quarter == [None, None, Decimal(2000)]


def test_a_manager_has_no_company_board(client, book, manager):
    client.force_login(manager)
    with time_machine.travel(fx.NOW, tick=False):
        body = client.get("/").content.decode()
        refused = client.get("/analytics/director-targets/")
    assert "director-targets" not in body
    assert refused.status_code == 403
