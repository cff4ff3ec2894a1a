"""The forecast page and API: the same figures as the service, the viewer's own leads
only, 403 for a team or rep out of sight, 422/400 for a period it cannot forecast."""

import pytest
import time_machine

from loudou.analytics.services.forecast import forecast
from loudou.analytics.services.scope import Scope
from loudou.analytics.tests.test_forecast import APRIL, NOW, _lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def april(rep, other_team_rep):
    """Two closed histories and one open opportunity per team, seen on 2026-04-01."""
    _lead(rep, 1, ("opportunity", NOW.replace(month=1)), ("signed", NOW.replace(month=2)),
          amount=300)  # fmt: skip
    _lead(rep, 2, ("opportunity", NOW.replace(month=3, day=30)), amount=1000)
    _lead(other_team_rep, 3, ("opportunity", NOW.replace(month=3, day=30)), amount=5000)
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_api_gives_the_service_figures_for_the_period(client, april, rep):
    # given
    client.force_login(rep)
    expected = forecast(Scope.build(rep, **APRIL), now=NOW, target_amount=500)
    # when
    response = client.get("/api/analytics/forecast?period=this_month&target_amount=500")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["scope"]["start"] == "2026-04-01"
    assert body["scope"]["end"] == "2026-04-30"
    assert body["simulation"] == expected["simulation"]
    assert body["target"] == {
        "amount": 500.0,
        "source": "given",
        "probability": expected["target"]["probability"],
    }
    assert body["weighted"]["amount"] == 1000.0  # the rep's own open lead only


def test_a_director_sees_both_teams_open_leads(client, april, director):
    # given
    client.force_login(director)
    # when
    body = client.get("/api/analytics/forecast?start=2026-04-01&end=2026-06-30").json()
    # then
    assert (body["weighted"]["leads"], body["weighted"]["amount"]) == (2, 6000.0)


def test_the_page_shows_the_band_the_target_and_the_weighted_pipeline(client, april, rep):
    # given
    client.force_login(rep)
    result = forecast(Scope.build(rep, **APRIL), now=NOW, target_amount=500)
    # when
    response = client.get("/analytics/forecast/?period=this_month&target=500")
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-forecast-chart="forecast-chart"' in page
    assert '<option value="this_month" selected>' in page
    assert 'name="start" value="2026-04-01"' in page
    assert (
        f'<div class="value" id="forecast-target">{result["target"]["probability"]}%</div>' in page
    )
    assert "加权管道" in page
    assert "¥1,000" in page


def test_the_page_defaults_to_this_quarter_even_from_another_tabs_dates(client, april, rep):
    # given: the funnel tab's link carries a past analysis period
    client.force_login(rep)
    # when
    response = client.get("/analytics/forecast/?start=2026-01-01&end=2026-03-31")
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="end" value="2026-06-30"' in page
    assert '<option value="this_quarter" selected>' in page


@pytest.mark.parametrize(
    ("viewer", "asks"),
    [("rep", "rep=teammate"), ("rep", "team=team_b"), ("manager", "team=team_b")],
)
def test_page_and_api_refuse_a_team_or_rep_out_of_sight(request, client, cast, april, viewer, asks):
    # given
    name, fixture = asks.split("=")
    target = request.getfixturevalue(fixture)
    client.force_login(cast[viewer])
    # when
    api = client.get(f"/api/analytics/forecast?period=this_quarter&{name}={target.pk}")
    page = client.get(f"/analytics/forecast/?period=this_quarter&{name}={target.pk}")
    # then
    assert (api.status_code, page.status_code) == (403, 403)
    assert "5,000" not in page.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2026-03-01&end=2026-03-31", "end"),
        ("start=2026-04-01&end=2027-06-30", "end"),
        ("period=last_year", "period"),
        ("target_amount=-1", "target_amount"),
        ("target_amount=1e400", "target_amount"),
    ],
)
def test_the_api_refuses_a_period_or_target_it_cannot_forecast(client, april, rep, query, field):
    # given
    client.force_login(rep)
    # when
    response = client.get(f"/api/analytics/forecast?{query}")
    # then
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


def test_the_page_explains_a_past_custom_period(client, april, rep):
    # given
    client.force_login(rep)
    # when
    response = client.get("/analytics/forecast/?period=custom&start=2026-03-01&end=2026-03-31")
    # then
    assert response.status_code == 400
    assert "预测期间须在今天或之后结束。" in response.content.decode()
