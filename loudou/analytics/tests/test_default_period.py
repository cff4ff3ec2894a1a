"""Without a chosen period an analysis shows the last 90 days, or, when the viewer has no
lead captured then (an old data set just imported), the days of their leads' captures:
on the pages and in the API alike (issue 12)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from loudou.analytics.services.scope import Scope
from loudou.leads.services import register_lead

TZ = ZoneInfo("Asia/Shanghai")
TODAY = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)


def _lead(actor, day: date, name: str):
    return register_lead(
        actor=actor,
        values={"company_name": name, "phone": "13812345678"},
        captured_at=datetime(day.year, day.month, day.day, 9, 30, tzinfo=TZ),
    )


@pytest.fixture
def old_data(rep):
    """Leads captured in 2017 only, as after importing an old CRM's export."""
    return [
        _lead(rep, date(2017, 1, 5), "甲公司"),
        _lead(rep, date(2017, 3, 9), "乙公司"),
        _lead(rep, date(2017, 6, 30), "丙公司"),
    ]


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_an_old_data_set_gets_its_own_range_as_the_default_period(old_data, director, frozen):
    # when
    scope = Scope.build(director)
    # then
    assert (scope.start, scope.end) == (date(2017, 1, 5), date(2017, 6, 30))
    assert scope.pipeline_cohort().count() == 3


def test_a_viewer_with_recent_leads_keeps_the_last_90_days(old_data, rep, director, frozen):
    # given
    _lead(rep, date(2026, 11, 20), "丁公司")
    # when
    scope = Scope.build(director)
    # then
    assert (scope.start, scope.end) == (date(2026, 9, 3), date(2026, 12, 1))


def test_a_viewer_without_any_lead_keeps_the_last_90_days(old_data, other_team_rep, frozen):
    # when
    scope = Scope.build(other_team_rep)
    # then
    assert (scope.start, scope.end) == (date(2026, 9, 3), date(2026, 12, 1))


def test_the_data_range_is_cut_to_its_latest_ten_years(rep, director, frozen):
    # given
    _lead(rep, date(2001, 2, 3), "甲公司")
    _lead(rep, date(2020, 5, 6), "乙公司")
    # when
    scope = Scope.build(director)
    # then
    assert (scope.start, scope.end) == (date(2010, 5, 7), date(2020, 5, 6))
    assert (scope.end - scope.start).days == 3652


def test_the_api_and_the_page_default_to_the_data_range(client, old_data, director, frozen):
    # given
    client.force_login(director)
    # when
    api = client.get("/api/analytics/funnel").json()
    page = client.get(reverse("analytics:funnel")).content.decode()
    # then
    assert (api["scope"]["start"], api["scope"]["end"]) == ("2017-01-05", "2017-06-30")
    assert api["totals"]["in_pipeline"] == 3
    assert 'name="start" value="2017-01-05"' in page
    assert 'name="end" value="2017-06-30"' in page
