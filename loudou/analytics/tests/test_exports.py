"""Every analytics tab exports its tables (page `?format=` and API `format=`) with the
same scope: the numbers in the file are the page's figures."""

import csv
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from loudou.analytics.tests import fixtures
from loudou.analytics.tests import performance_fixture as fx

pytestmark = pytest.mark.django_db
MARCH = "start=2026-03-01&end=2026-03-31"


@pytest.fixture
def month(rep, teammate, other_team_rep, director):
    return fixtures.build(rep, teammate, other_team_rep)


def _csv(content: bytes) -> dict[str, list[list[str]]]:
    """{title: [header, *rows]} of a report's .csv."""
    tables, current = {}, None
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))):
        if not row:
            current = None
        elif current is None:
            current = tables.setdefault(row[0], [])
        else:
            current.append(row)
    return tables


def _xlsx(content: bytes) -> dict[str, list[list]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: [list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book}


def _num(text: str):
    return None if text == "" else float(text)


def _f(value):
    return None if value is None else float(value)


def _get(client, tab: str, query: str, kind: str | None = None):
    url = reverse(f"analytics:{tab}") + f"?{query}"
    return client.get(url + (f"&format={kind}" if kind else ""))


def test_the_funnel_file_has_the_pages_stages_and_reps(client, month, director):
    # given
    client.force_login(director)
    page = _get(client, "funnel", MARCH).context
    # when
    response = _get(client, "funnel", MARCH, "csv")
    # then
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="funnel-')
    tables = _csv(response.content)
    stages = [(r[0], _num(r[1]), _num(r[2]), _num(r[7])) for r in tables["销售漏斗"][1:]]
    assert stages == [
        (s["name"], s["reached"], s["current"], _f(s["move_rate"]))
        for s in page["result"]["stages"]
    ]
    reps = [(r[0], [_num(c) for c in r[1:]]) for r in tables["各销售员当前客户数与理想客户数"][1:]]
    assert reps == [(r["name"], [c["count"] for c in r["cells"]]) for r in page["result"]["reps"]]
    assert tables["统计范围"][1:3] == [["开始日期", "2026-03-01"], ["结束日期", "2026-03-31"]]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_conversion_file_has_the_pages_rows(client, month, director, kind):
    # given
    client.force_login(director)
    query = f"{MARCH}&by=grade"
    rows = _get(client, "conversion", query).context["rows"]
    # when
    response = _get(client, "conversion", query, kind)
    # then
    tables = _csv(response.content) if kind == "csv" else _xlsx(response.content)
    got = [
        (r[0], _f(r[1] or None), _f(r[2] or None), _f(r[3] or None))
        for r in tables["转化分析表"][1:]
    ]
    assert got == [(r["label"], _f(r["leads"]), _f(r["deals"]), _f(r["rate"])) for r in rows]


def test_the_process_file_has_the_pages_indicators(client, month, manager):
    # given
    client.force_login(manager)
    process = _get(client, "process", MARCH).context["process"]
    # when
    tables = _csv(_get(client, "process", MARCH, "csv").content)
    # then
    values = [_num(r[1]) for r in tables["过程指标"][1:]]
    assert values == [
        process["first_response"]["pct"],
        process["need_research"]["pct"],
        process["follow_ups_per_rep_week"]["value"],
        process["not_followed_24h"]["pct"],
        process["stuck"]["leads"],
    ]


def test_the_quota_file_has_the_pages_stages(client, month, director):
    # given
    client.force_login(director)
    query = f"{MARCH}&target_deals=2"
    quota = _get(client, "quota", query).context["quota"]
    # when
    tables = _csv(_get(client, "quota", query, "csv").content)
    # then
    got = [(r[0], _num(r[3]), _num(r[4]), _num(r[5])) for r in tables["定额"][1:]]
    assert got == [(s["name"], s["needed"], s["held"], s["gap"]) for s in quota["stages"]]
    assert [r[1] for r in tables["各销售员"][1:]] == [str(r["deals"]) for r in quota["reps"]]


def test_the_trends_file_has_the_pages_months(client, month, director):
    # given
    client.force_login(director)
    months = _get(client, "trends", MARCH).context["months"]
    # when
    tables = _csv(_get(client, "trends", MARCH, "csv").content)
    # then
    got = [(r[0], _num(r[1]), _num(r[4]), _num(r[7])) for r in tables["月度趋势"][1:]]
    assert got == [(m["month"], m["leads"], m["deals"], m["revenue"]) for m in months]


def test_the_forecast_file_has_the_pages_range(client, month, director):
    # given
    client.force_login(director)
    with time_machine.travel(fixtures.at(3, 20), tick=False):
        forecast = _get(client, "forecast", "period=this_quarter").context["forecast"]
        # when
        response = _get(client, "forecast", "period=this_quarter", "xlsx")
    # then
    sheets = _xlsx(response.content)
    summary = dict(row for row in sheets["成交金额预测"][1:])
    simulation = forecast["simulation"]
    assert (summary["P10"], summary["P50（中位数）"], summary["P90"]) == (
        simulation["p10"],
        simulation["p50"],
        simulation["p90"],
    )
    assert summary["开始日期"] == "2026-01-01"
    assert sheets["加权管道"][-1][5] == forecast["weighted"]["weighted"]


def test_the_performance_file_has_the_pages_periods_and_win_rates(
    client, rep, teammate, other_team_rep, director, manager
):
    # given
    fx.build(
        rep=rep,
        teammate=teammate,
        other_team_rep=other_team_rep,
        director=director,
        manager=manager,
    )
    client.force_login(director)
    query = "start=2026-01-01&end=2026-03-31"
    with time_machine.travel(fx.NOW, tick=False):
        result = _get(client, "performance", query).context["performance"]
        # when
        page_file = _get(client, "performance", query, "xlsx")
        api_file = client.get(f"/api/analytics/performance?{query}&format=xlsx")
    # then
    sheets = _xlsx(page_file.content)
    periods = [(r[0], r[3], r[6], r[7], r[8], r[10]) for r in sheets["目标与实际"][1:]]
    assert periods == [
        (
            p["label"],
            {"complete": "已结束", "in_progress": "进行中"}[p["status"]],
            _f(p["revenue"]["target"]),
            _f(p["revenue"]["actual"]),
            p["revenue"]["completion_pct"],
            p["revenue"]["previous_pct"],
        )
        for p in result["periods"]
    ]
    assert periods[2] == ("2026年3月", "进行中", 1000, 400, 40.0, 100.0)
    rep_rates = next(d for d in result["win_rates"] if d["by"] == "rep")["rows"]
    win = sheets["赢单率：按销售员"][1:]
    assert [(r[0], r[1], r[2], r[3]) for r in win] == [
        (r["label"], r["won"], r["lost"], r["win_rate"]) for r in rep_rates
    ]
    assert _xlsx(api_file.content)["目标与实际"] == sheets["目标与实际"]


@pytest.mark.parametrize("tab", ["funnel", "conversion", "process", "trends"])
def test_the_api_file_equals_the_page_file(client, month, manager, tab):
    # given
    client.force_login(manager)
    page_file = _get(client, tab, MARCH, "csv").content
    # when
    api_file = client.get(f"/api/analytics/{tab}?{MARCH}&format=csv").content
    # then
    assert _csv(api_file) == _csv(page_file)


def test_a_page_with_a_format_it_does_not_know_is_the_page(client, month, director):
    client.force_login(director)
    response = _get(client, "funnel", MARCH, "pdf")
    assert response.status_code == 200
    assert "Content-Disposition" not in response
