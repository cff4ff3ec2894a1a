"""The performance tab (业绩) and its API: the service's figures, the same refusals as every
analytics tab (403 for a team or rep out of sight, 422/400 for bad input)."""

import pytest
import time_machine
from django.urls import reverse

from loudou.analytics.services.performance import performance
from loudou.analytics.services.scope import Scope
from loudou.analytics.tests import performance_fixture as fx

pytestmark = pytest.mark.django_db
Q1 = "start=2026-01-01&end=2026-03-31"


@pytest.fixture
def book(rep, teammate, other_team_rep, director, manager):
    return fx.build(
        rep=rep,
        teammate=teammate,
        other_team_rep=other_team_rep,
        director=director,
        manager=manager,
    )


@pytest.fixture
def frozen():
    with time_machine.travel(fx.NOW, tick=False):
        yield


def test_the_page_shows_the_month_in_progress_and_every_section(client, book, director, frozen):
    # given
    client.force_login(director)
    # when
    response = client.get(reverse("analytics:performance") + f"?{Q1}")
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="perf-focus-revenue">400.00<' in page
    assert "2026年3月 进行中：已过 15/31 天（48.4%）" in page
    for section in ("perf-periods", "perf-region", "perf-team", "perf-process", "perf-win-rates"):
        assert f'id="{section}"' in page
    assert 'id="perf-revenue-chart" type="application/json"' in page
    assert 'data-chart="win-rep-chart"' in page
    assert 'id="action-form"' in page


def test_without_dates_the_page_shows_the_last_twelve_months_to_today(
    client, book, director, frozen
):
    # given
    client.force_login(director)
    # when
    response = client.get(reverse("analytics:performance"))
    # then
    result = response.context["performance"]
    assert (result["range"]["start"].isoformat(), result["range"]["end"].isoformat()) == (
        "2025-04-01",
        "2026-03-31",
    )
    assert len(result["periods"]) == 12
    assert response.context["form"].initial["end"].isoformat() == "2026-03-15"


def test_the_api_gives_the_services_figures(client, book, manager, frozen):
    # given
    client.force_login(manager)
    expected = performance(Scope.build(manager, **fx.Q1), "quarter", now=fx.NOW)
    # when
    body = client.get(f"/api/analytics/performance?{Q1}&granularity=quarter").json()
    # then
    assert body["scope"]["start"] == "2026-01-01"
    assert body["subject"] == expected["subject"]
    period = body["periods"][0]
    assert (period["status"], period["elapsed_pct"]) == ("in_progress", 82.2)
    assert period["orders"]["actual"] == expected["periods"][0]["orders"]["actual"] == 4
    assert period["revenue"]["actual"] == "600.00"
    assert body["process"]["cohort"] == expected["process"]["cohort"]


@pytest.mark.parametrize(
    ("viewer", "asks"),
    [
        ("rep", "rep=teammate"),
        ("rep", "team=team_a"),
        ("manager", "team=team_b"),
        ("manager", "rep=other_team_rep"),
        ("marketing", "rep=rep"),
    ],
)
@pytest.mark.parametrize("how", ["page", "api", "page_export", "api_export"])
def test_a_team_or_rep_out_of_sight_is_refused(request, client, cast, team_b, viewer, asks, how):
    # given
    name, value = asks.split("=")
    client.force_login(cast[viewer])
    query = f"{Q1}&{name}={request.getfixturevalue(value).pk}"
    query += "&format=xlsx" if how.endswith("export") else ""
    url = (
        reverse("analytics:performance") if how.startswith("page") else "/api/analytics/performance"
    )
    # when
    response = client.get(f"{url}?{query}")
    # then
    assert response.status_code == 403
    assert "Content-Disposition" not in response


@pytest.mark.parametrize(
    "query", ["granularity=week", "start=2026-03-31&end=2026-01-01", "team=99999", "format=pdf"]
)
def test_the_api_refuses_bad_parameters(client, director, query):
    # given
    client.force_login(director)
    # when
    response = client.get(f"/api/analytics/performance?{query}")
    # then
    assert response.status_code == 422


def test_the_page_refuses_a_period_ending_before_it_starts(client, director):
    client.force_login(director)
    response = client.get(reverse("analytics:performance") + "?start=2026-03-31&end=2026-01-01")
    assert response.status_code == 400


def test_a_rep_page_has_their_own_figures_and_no_add_form(client, book, rep, frozen):
    # given
    client.force_login(rep)
    # when
    response = client.get(reverse("analytics:performance") + f"?{Q1}")
    # then
    result = response.context["performance"]
    assert [p["revenue"]["actual"] for p in result["periods"]] == [100, 200, 0]
    assert 'id="action-form"' not in response.content.decode()
