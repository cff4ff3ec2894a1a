"""Periods at the edges of the calendar, and oversized numbers, are refused with a
message (422 from the API, the form's error on the pages), never a server error."""

import pytest
import time_machine
from django.urls import reverse

from loudou.org.services import issue_api_token

PAGES = ["funnel", "conversion", "process", "quota", "trends"]
EDGES = [
    ("0001-01-01", "9999-12-31"),
    ("9999-12-31", "9999-12-31"),
    ("0001-01-01", "0001-01-01"),
    ("1999-12-31", "2026-06-01"),
    ("2010-01-01", "2026-06-01"),  # longer than ten years
]


@pytest.fixture
def api(client, director):
    token = issue_api_token(user=director)

    def get(path, params):
        return client.get(path, params, headers={"Authorization": f"Bearer {token}"})

    return get


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("start", "end"), EDGES)
@time_machine.travel("2026-06-15 10:00 +0800", tick=False)
def test_an_analytics_page_shows_an_out_of_range_period_as_a_form_error(
    client, director, page, start, end
):
    # given
    client.force_login(director)
    # when
    response = client.get(reverse(f"analytics:{page}"), {"start": start, "end": end})
    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert "2000-01-01" in html or "10 年" in html


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("start", "end"), EDGES)
@time_machine.travel("2026-06-15 10:00 +0800", tick=False)
def test_the_analytics_api_answers_422_for_an_out_of_range_period(api, page, start, end):
    # when
    response = api(f"/api/analytics/{page}", {"start": start, "end": end})
    # then
    assert response.status_code == 422
    assert set(response.json()["errors"]) <= {"start", "end"}


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("trends", {"months": 10**12}),
        ("trends", {"months": -5}),
        ("quota", {"target_deals": 10**30}),
        ("quota", {"target_revenue": "1e40"}),
        ("quota", {"target_deals": -1}),
    ],
)
@time_machine.travel("2026-06-15 10:00 +0800", tick=False)
def test_the_analytics_api_refuses_oversized_or_negative_numbers(api, page, params):
    # when
    response = api(f"/api/analytics/{page}", params)
    # then
    assert response.status_code == 422
    assert set(response.json()["errors"]) == set(params)


@pytest.mark.parametrize("target", ["²", "1" + "0" * 30, "-3", "abc"])
@time_machine.travel("2026-06-15 10:00 +0800", tick=False)
def test_the_quota_page_ignores_a_target_it_cannot_compute(client, manager, target):
    # given
    client.force_login(manager)
    # when
    response = client.get(reverse("analytics:quota"), {"target_deals": target})
    # then
    assert response.status_code == 200
    assert response.context["quota"] is None


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31"])
@time_machine.travel("2026-06-15 10:00 +0800", tick=False)
def test_a_weekly_report_for_a_day_out_of_range_is_refused_on_the_page_and_the_api(
    client, api, director, week
):
    # given
    from loudou.health.models import HealthReport

    client.force_login(director)
    # when
    page = client.post(reverse("health:reports"), {"week": week})
    answer = client.post(
        "/api/health/reports",
        {"week": week},
        content_type="application/json",
        headers={"Authorization": f"Bearer {issue_api_token(user=director)}"},
    )
    # then
    assert page.status_code == 200
    assert "2000-01-01" in page.content.decode()
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["week"]
    assert HealthReport.objects.count() == 0
