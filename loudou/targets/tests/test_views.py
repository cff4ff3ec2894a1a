"""The target and plan pages: the list with actuals and progress bars, decomposition,
adjustments with their history, milestones done through htmx, and the exports."""

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from loudou.targets.models import Milestone, Target
from loudou.targets.services import adjust_target, split_target
from loudou.targets.tests.factories import at, make_milestone, make_plan, make_target, won_deal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to("2026-06-15 10:00 +0800", tick=False)


@pytest.fixture
def year(director, rep):
    """2026 company revenue of 1000 split into quarters; 300 won in Q1."""
    target = make_target(actor=director, value=1000)
    split_target(target=target, actor=director, by="time")
    won_deal(owner=rep, when=at(2026, 2, 1), amount=300)
    return target


def test_the_list_shows_each_target_with_actual_completion_bar_and_rollup(client, director, year):
    # given
    client.force_login(director)
    # when
    response = client.get(reverse("targets:list"))
    # then
    html = response.content.decode()
    row = re.search(rf'<tr id="target-{year.pk}">(.*?)</tr>', html, re.S).group(1)
    assert "1,000.00" in row
    assert "300.00" in row
    assert '<progress class="completion" max="100" value="30">30.0%</progress>' in row
    assert "分解合计一致" in row
    first_quarter = Target.objects.get(period="quarterly", start=date(2026, 1, 1))
    q1 = re.search(rf'<tr id="target-{first_quarter.pk}">(.*?)</tr>', html, re.S).group(1)
    assert 'value="100"' in q1  # 300 of 250: the bar is full
    assert "120.0%" in q1


def test_the_list_reads_a_fixed_number_of_queries_whatever_the_targets(
    client, director, year, django_assert_max_num_queries
):
    # given  5 targets now; 13 more (the quarters split into months)
    client.force_login(director)
    with django_assert_max_num_queries(12):
        client.get(reverse("targets:list"))
    for quarter in Target.objects.filter(period="quarterly"):
        split_target(target=quarter, actor=director, by="time")
    # when / then
    with django_assert_max_num_queries(12):
        response = client.get(reverse("targets:list"))
    assert response.content.decode().count('<tr id="target-') == 17


def test_the_list_filters_by_year_and_period(client, director, year):
    # given
    make_target(actor=director, start=date(2025, 1, 1))
    client.force_login(director)
    # when
    quarters = client.get(reverse("targets:list"), {"year": 2026, "period": "quarterly"})
    last_year = client.get(reverse("targets:list"), {"year": 2025})
    # then
    assert quarters.content.decode().count('<tr id="target-') == 4
    assert last_year.content.decode().count('<tr id="target-') == 1


def test_a_director_creates_a_target_from_the_form(client, director, team_a):
    # given
    client.force_login(director)
    data = {
        "period": "quarterly",
        "start": "2026-07-01",
        "metric": "orders",
        "value": "12",
        "scope_kind": "team",
        "team": team_a.pk,
        "notes": "新品上市",
    }
    # when
    response = client.post(reverse("targets:create"), data)
    # then
    target = Target.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("targets:detail", args=[target.pk])
    assert (target.team, target.value, target.end, target.created_by) == (
        team_a,
        12,
        date(2026, 9, 30),
        director,
    )


def test_the_form_shows_a_period_error_and_writes_nothing(client, director):
    # given
    client.force_login(director)
    data = {"period": "annual", "start": "2026-03-01", "metric": "revenue", "value": "1"}
    # when
    response = client.post(reverse("targets:create"), {**data, "scope_kind": "company"})
    # then
    assert response.status_code == 200
    assert "年度目标须从1月1日开始。" in response.content.decode()
    assert not Target.objects.exists()


def test_split_page_proposes_the_even_split_and_creates_the_edited_values(
    client, manager, team_a, rep, teammate, director
):
    # given
    team = make_target(actor=director, scope_kind="team", team=team_a, value=1000)
    client.force_login(manager)
    url = reverse("targets:split", args=[team.pk])
    # when
    preview = client.get(url, {"by": "reps"})
    created = client.post(url, {"by": "reps", "value_0": "700", "value_1": "300"})
    # then
    html = preview.content.decode()
    assert 'name="value_0" value="500.00"' in html
    assert 'name="value_1" value="500.00"' in html
    assert created.status_code == 302
    assert sorted((t.person.username, t.value) for t in team.children.all()) == [
        ("rep", 700),
        ("teammate", 300),
    ]


def test_adjusting_on_the_page_shows_the_history(client, director, year):
    # given
    client.force_login(director)
    # when
    client.post(
        reverse("targets:adjust", args=[year.pk]), {"value": "1200", "reason": "市场扩张，上调目标"}
    )
    response = client.get(reverse("targets:detail", args=[year.pk]))
    # then
    html = response.content.decode()
    history = re.search(r'<section class="card" id="adjustments">(.*?)</section>', html, re.S)
    assert "1,000.00" in history.group(1)
    assert "1,200.00" in history.group(1)
    assert "市场扩张，上调目标" in history.group(1)
    rollup = re.search(r'<section class="card" id="rollup">(.*?)</section>', html, re.S).group(1)
    assert '<td class="num miss">200.00</td>' in rollup
    assert "合计不一致" in rollup


def test_an_adjustment_without_a_reason_is_refused_with_a_message(client, director, year):
    # given
    client.force_login(director)
    # when
    response = client.post(
        reverse("targets:adjust", args=[year.pk]), {"value": "1200", "reason": ""}, follow=True
    )
    # then
    assert "调整原因" in response.content.decode()
    year.refresh_from_db()
    assert year.value == 1000


def test_a_milestone_marked_done_with_htmx_returns_the_milestone_table(
    client, manager, team_a, rep
):
    # given
    plan = make_plan(actor=manager, team=team_a)
    milestone = make_milestone(plan=plan, actor=manager, owner=rep, due_date=date(2026, 6, 1))
    client.force_login(manager)
    # when
    response = client.post(
        reverse("targets:milestone_done", args=[milestone.pk]), HTTP_HX_REQUEST="true"
    )
    # then
    html = response.content.decode()
    assert html.lstrip().startswith('<table id="milestones">')
    assert "<html" not in html
    assert f'id="milestone-{milestone.pk}" class="milestone-done"' in html
    assert "重新打开" in html
    assert Milestone.objects.get(pk=milestone.pk).done_at.isoformat() == "2026-06-15T02:00:00+00:00"


def test_a_plan_is_created_with_its_4p_and_shown(client, director, year):
    # given
    client.force_login(director)
    data = {
        "title": "华东区A新产品上市策略",
        "goal": "3个月内销售额突破50万元",
        "target": year.pk,
        "team": "",
        "product": "简化版产品",
        "price": "首年8折",
        "place": "经销商铺货",
        "promotion": "抖音广告+展会",
        "resources": "预算20万元",
    }
    # when
    created = client.post(reverse("targets:plan_create"), data)
    page = client.get(created.url)
    # then
    html = page.content.decode()
    for text in ("简化版产品", "首年8折", "经销商铺货", "抖音广告+展会", "预算20万元"):
        assert text in html
    assert year.get_absolute_url() in html


def _export(client, fmt):
    response = client.get(reverse("targets:export"), {"year": 2026, "format": fmt})
    return response, b"".join(response.streaming_content)


def test_the_list_exports_to_csv_with_actual_and_completion(client, director, year):
    # given
    adjust_target(target=year, actor=director, value=1200, reason="上调")
    client.force_login(director)
    # when
    response, body = _export(client, "csv")
    # then
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert response["Content-Disposition"].startswith('attachment; filename="targets-')
    assert rows[0][:11] == [
        "编号",
        "周期",
        "开始日期",
        "结束日期",
        "目标维度",
        "对象",
        "指标",
        "目标值",
        "实际",
        "完成率(%)",
        "分解情况",
    ]
    assert rows[1][:11] == [
        str(year.pk),
        "2026年",
        "2026-01-01",
        "2026-12-31",
        "全公司",
        "全公司",
        "销售额",
        "1200",
        "300",
        "25.0",
        "分解合计差 200.00",
    ]
    assert len(rows) == 6


def test_the_list_exports_to_excel_with_numbers_as_numbers(client, director, year):
    # given
    client.force_login(director)
    # when
    response, body = _export(client, "xlsx")
    # then
    sheet = load_workbook(io.BytesIO(body)).active
    values = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "销售目标"
    assert values[1][7:10] == (1000, 300, 30.0)
    assert len(values) == 6


def test_an_export_only_holds_the_targets_the_user_sees(client, rep, year, director):
    # given  rep sees their own target, not the company's
    make_target(actor=director, scope_kind="person", person=rep, value=100)
    client.force_login(rep)
    # when
    _response, body = _export(client, "csv")
    # then
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r[5] for r in rows[1:]] == [str(rep)]


def test_the_nav_shows_targets_to_managers_not_reps(client, manager, rep):
    client.force_login(manager)
    assert 'href="/targets/"' in client.get("/").content.decode()
    client.force_login(rep)
    assert 'href="/targets/"' not in client.get("/").content.decode()
