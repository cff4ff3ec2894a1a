"""The pages and the API: same figures, same visibility, 403 for a team or rep out of
sight, 422 for bad input."""

import pytest
from django.urls import reverse

from loudou.analytics.services.conversion import conversion
from loudou.analytics.services.scope import Scope
from loudou.analytics.tests import fixtures

MARCH = "start=2026-03-01&end=2026-03-31"
ENDPOINTS = ["funnel", "conversion", "process", "quota?target_deals=2&", "trends"]


@pytest.fixture
def month(rep, teammate, other_team_rep, director):
    return fixtures.build(rep, teammate, other_team_rep)


def _url(endpoint: str, query: str) -> str:
    path, _, extra = endpoint.partition("?")
    return f"/api/analytics/{path}?{extra}{query}"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_endpoint_answers_the_director(client, month, director, endpoint):
    # given
    client.force_login(director)
    # when
    response = client.get(_url(endpoint, MARCH))
    # then
    assert response.status_code == 200
    assert response.json()["scope"]["start"] == "2026-03-01"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    ("viewer", "asks"),
    [("rep", "rep=teammate"), ("manager", "team=team_b"), ("rep", "team=team_a")],
)
def test_every_endpoint_refuses_a_team_or_rep_out_of_sight(
    request, client, cast, endpoint, viewer, asks
):
    # given
    name, value = asks.split("=")
    target = request.getfixturevalue(value)
    client.force_login(cast[viewer])
    # when
    response = client.get(_url(endpoint, f"{MARCH}&{name}={target.pk}"))
    # then
    assert response.status_code == 403


def test_the_api_conversion_of_a_rep_is_the_service_figure_for_their_leads(client, month, rep):
    # given
    client.force_login(rep)
    expected = conversion(
        Scope.build(rep, start=fixtures.at(3, 1).date(), end=fixtures.at(3, 31).date()), by="grade"
    )
    # when
    body = client.get(f"/api/analytics/conversion?{MARCH}&by=grade").json()
    # then
    assert [(r["key"], r["leads"], r["deals"]) for r in body["rows"]] == [
        (r["key"], r["leads"], r["deals"]) for r in expected
    ]
    assert body["rows"][-1]["leads"] == 2


def test_the_api_funnel_gives_a_rep_only_their_own_leads(client, month, rep):
    # given
    client.force_login(rep)
    # when
    body = client.get(f"/api/analytics/funnel?{MARCH}").json()
    # then
    assert [s["reached"] for s in body["stages"]][:3] == [2, 2, 1]


@pytest.mark.parametrize(
    "query",
    ["start=2026-03-31&end=2026-03-01", "pipeline=99999", "team=99999", "by=colour"],
)
def test_bad_parameters_are_422(client, director, query):
    # given
    client.force_login(director)
    # when
    response = client.get(f"/api/analytics/conversion?{query}")
    # then
    assert response.status_code == 422


def test_quota_without_a_target_is_422(client, director):
    client.force_login(director)
    assert client.get("/api/analytics/quota").status_code == 422


@pytest.mark.parametrize("name", ["funnel", "conversion", "process", "quota", "trends"])
def test_every_page_renders_with_its_table(client, month, manager, name):
    # given
    client.force_login(manager)
    # when
    response = client.get(reverse(f"analytics:{name}") + f"?{MARCH}&target_deals=2")
    # then
    assert response.status_code == 200
    assert b"<table" in response.content


def test_the_funnel_page_links_each_count_to_the_lead_list_and_highlights_misses(
    client, month, director
):
    # given
    client.force_login(director)
    # when
    page = client.get(reverse("analytics:funnel") + f"?{MARCH}").content.decode()
    # then
    assert 'data-chart="funnel-chart"' in page
    assert 'id="funnel-chart" type="application/json"' in page
    assert "captured_from=2026-03-01&amp;captured_to=2026-03-31&amp;reached=" in page
    assert 'class="num miss"' in page


def test_a_page_refuses_a_team_out_of_sight(client, month, manager, team_b):
    client.force_login(manager)
    response = client.get(reverse("analytics:funnel") + f"?team={team_b.pk}")
    assert response.status_code == 403


def test_the_drill_down_lists_exactly_the_leads_behind_the_number(client, month, director):
    # given  reached "contacted" in March: L1 and L4
    client.force_login(director)
    from loudou.pipeline.models import Stage

    contacted = Stage.objects.get(pipeline__is_default=True, code="contacted")
    # when
    body = client.get(
        f"/api/leads?captured_from=2026-03-01&captured_to=2026-03-31&reached={contacted.pk}"
    ).json()
    # then
    assert sorted(i["id"] for i in body["items"]) == sorted([month["l1"].pk, month["l4"].pk])


@pytest.mark.parametrize("viewer", ["rep", "manager", "director", "marketing"])
def test_the_home_page_shows_the_role_dashboard(client, month, cast, viewer):
    # given
    client.force_login(cast[viewer])
    # when
    response = client.get(reverse("home"))
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="dash-funnel"' in page
    assert ('id="dash-ranking"' in page) == (viewer == "manager")
    assert ('id="dash-trends"' in page) == (viewer == "director")
    assert ('id="dash-agenda"' in page) == (viewer in {"rep", "manager", "marketing"})
    # and the newest leads the viewer sees, as one sorted read of them gives them
    from loudou.leads.selectors import visible_leads

    newest = visible_leads(cast[viewer]).order_by("-captured_at", "-id")[:10]
    assert [lead.pk for lead in response.context["recent"]] == [lead.pk for lead in newest]
    if viewer != "marketing":  # the month's leads are all owned: marketing sees none
        assert response.context["recent"]
