"""The weekly health report: figures from the analytics contract, frozen once stored,
generated once per scope and ISO week, pushed with a link, readable as PDF and Excel."""

from datetime import date
from io import BytesIO

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from pypdf import PdfReader

from loudou.analytics.services.funnel import funnel
from loudou.analytics.services.scope import Scope
from loudou.health.choices import Rule
from loudou.health.models import HealthReport
from loudou.health.services.documents import pdf_bytes, sections, xlsx_bytes
from loudou.health.services.exceptions import sweep
from loudou.health.services.reports import (
    generate_report,
    generate_weekly_reports,
    last_completed_week,
)
from loudou.health.services.texts import ACTIONS
from loudou.health.tests.factories import DAY, HOUR, T0, local, move, new_lead, walk
from loudou.notifications.models import Notification
from loudou.org.models import Team
from loudou.pipeline.models import Stage

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 8, 31)  # T0's ISO week: 2026-W36
AFTER_WEEK = local(2026, 9, 7, 9, 0)


@pytest.fixture
def week_of_work(clock, rep, teammate, manager, other_team_rep, stages):
    """Team A: rep signs one lead through the funnel, abandons one; teammate's lead waits."""
    won = new_lead(rep, source=None)
    walk(won, [stages[c] for c in ("graded", "contacted", "opportunity", "signed")], T0 + HOUR)
    move(new_lead(rep), stages["abandoned"], T0 + HOUR)
    new_lead(teammate)
    new_lead(other_team_rep)
    sweep(now=T0 + 2 * DAY)
    clock.move_to(AFTER_WEEK, tick=False)


def test_last_completed_week_is_the_previous_monday_to_sunday():
    assert last_completed_week(local(2026, 9, 7, 0, 30)) == MONDAY
    assert last_completed_week(local(2026, 9, 6, 23, 59)) == date(2026, 8, 24)


def test_team_report_holds_the_contract_figures(week_of_work, team_a, manager, director):
    # when
    report, created = generate_report(team=team_a, monday=MONDAY, now=AFTER_WEEK)
    # then
    assert created
    assert (report.iso_year, report.iso_week) == (2026, 36)
    assert (report.period_start, report.period_end) == (MONDAY, date(2026, 9, 6))
    scope = Scope.build(director, team=team_a, start=date(2026, 6, 9), end=date(2026, 9, 6))
    expected = funnel(scope, now=AFTER_WEEK)
    stages = {s["code"]: s for s in report.data["funnel"]["stages"]}
    assert stages["signed"]["reached"] == expected["stages"][5]["reached"] == 1
    assert stages["resource"]["reached"] == 3  # team A's three leads
    assert stages["abandoned"]["reached"] == 1
    assert report.data["period"]["trailing_start"] == "2026-06-09"
    assert {row["key"] for row in report.data["conversion"]["grade"]} >= {None}
    assert report.data["process"]["not_followed_24h"]["leads"] == 3
    by_rule = {r["rule"]: r["count"] for r in report.data["exceptions"]["by_rule"]}
    assert by_rule["no_follow_up"] == 1  # teammate's lead (rep contacted none but moved them)
    assert len(report.data["bottlenecks"]) <= 3


def test_stored_report_is_never_regenerated(week_of_work, team_a, rep):
    # given
    report, _ = generate_report(team=team_a, monday=MONDAY, now=AFTER_WEEK)
    before = report.data
    # when: more work lands in the week, and the report is asked for again
    new_lead(rep)
    again, created = generate_report(team=team_a, monday=date(2026, 9, 2), now=AFTER_WEEK)
    # then
    assert not created
    assert again.pk == report.pk
    again.refresh_from_db()
    assert again.data == before


def test_weekly_schedule_generates_each_scope_once_per_week(week_of_work, manager, director):
    # when
    first = generate_weekly_reports(AFTER_WEEK)
    second = generate_weekly_reports(AFTER_WEEK + 3 * HOUR)
    # then: company + team A + team B
    assert (first, second) == (1 + Team.objects.count(), 0)
    assert HealthReport.objects.filter(iso_year=2026, iso_week=36).count() == 3
    keys = set(HealthReport.objects.values_list("scope_key", flat=True))
    assert "company" in keys
    # and each recipient was told once, with a link to the report
    notes = Notification.objects.filter(kind="health_report")
    company = HealthReport.objects.get(scope_key="company")
    team_report = HealthReport.objects.get(team=manager.team)
    assert {(n.user.username, n.url) for n in notes if n.user in (manager, director)} == {
        ("manager", f"/health/reports/{team_report.pk}/"),
        ("director", f"/health/reports/{company.pk}/"),
    }


def test_next_week_gets_its_own_report(week_of_work, team_a):
    generate_weekly_reports(AFTER_WEEK)
    generate_weekly_reports(AFTER_WEEK + 7 * DAY)
    weeks = HealthReport.objects.filter(team=team_a).values_list("iso_week", flat=True)
    assert sorted(weeks) == [36, 37]


def test_pdf_has_the_chinese_text(week_of_work, team_a):
    # given
    report, _ = generate_report(team=team_a, monday=MONDAY, now=AFTER_WEEK)
    # when
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf_bytes(report))).pages)
    # then
    for expected in (
        "销售流程健康度报告",
        "华东一组",
        "漏斗与理想状态对比",
        "客户资源",
        "意外状态",
    ):
        assert expected in text
    assert "三大瓶颈与建议" in text


def test_workbook_cells_match_the_snapshot(week_of_work, team_a):
    # given
    report, _ = generate_report(team=team_a, monday=MONDAY, now=AFTER_WEEK)
    # when
    book = load_workbook(BytesIO(xlsx_bytes(report)))
    # then
    sheet = book["漏斗与理想状态对比"]
    assert sheet["A1"].value == "阶段"
    assert [sheet.cell(row=r, column=1).value for r in range(2, 10)] == [
        "客户资源",
        "已分级",
        "已接触",
        "线索客户",
        "意向客户(商机)",
        "签约客户",
        "已实施",
        "放弃",
    ]
    assert [sheet.cell(row=r, column=2).value for r in range(2, 10)] == [
        s["reached"] for s in report.data["funnel"]["stages"]
    ]
    rules = book["意外状态"]
    counts = {
        rules.cell(row=r, column=1).value: rules.cell(row=r, column=2).value
        for r in range(2, rules.max_row + 1)
    }
    assert counts["分配后未及时跟进"] == 1
    assert book["概览"]["A1"].value.startswith("销售流程健康度报告 · 华东一组")


def test_team_report_goes_to_the_managers_mail_and_the_team_robot(week_of_work, team_a, manager):
    # given: team A has a WeCom robot
    from loudou.notifications.models import Delivery
    from loudou.notifications.tests.factories import make_robot

    robot = make_robot(team=team_a, url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x")
    manager.email = "manager@example.com"
    manager.save()
    # when
    report, _ = generate_report(team=team_a, monday=MONDAY, now=AFTER_WEEK)
    # then
    note = Notification.objects.get(kind="health_report", user=manager)
    assert note.url == f"/health/reports/{report.pk}/"
    assert "华东一组" in note.title
    targets = set(Delivery.objects.filter(notification=note).values_list("channel", "target"))
    assert targets == {("email", "manager@example.com"), ("wecom", str(robot.pk))}


def test_a_stored_report_reads_in_each_readers_language(week_of_work, team_a):
    # given: generated by the worker (in the source language, Chinese), with an
    # exception among its bottlenecks
    report, _ = generate_report(team=team_a, monday=MONDAY, now=AFTER_WEEK)
    rule = Rule.NO_FOLLOW_UP
    report.data["bottlenecks"].append(
        {"gap": None, "kind": "exception", "rule": rule, "stage": "分配后未及时跟进"}
        | {"actual": 1, "ideal": 0, "action": ACTIONS[rule]}
    )
    # when
    with translation.override("en"):
        english = {title: rows for title, _header, rows in sections(report)}
        expected = {
            "rule": str(Rule(rule).label),
            "action": gettext(ACTIONS[rule]),
            "total": gettext("合计"),
            "titles": [
                gettext("意外状态"),
                gettext("按意向等级的转化与周期"),
                gettext("三大瓶颈与建议"),
            ],
        }
    chinese = {title: rows for title, _header, rows in sections(report)}
    # then: rule names, groups and actions follow the reader's language
    rules, grades, bottlenecks = (english[title] for title in expected["titles"])
    assert [str(label) for label, _n in rules][:1] != [label for label, _n in chinese["意外状态"]][
        :1
    ]
    assert expected["rule"] in [str(label) for label, _n in rules]
    assert grades[-1][0] == expected["total"] != "合计"
    assert bottlenecks[-1][1:] == [expected["rule"], expected["action"]]
    assert expected["action"] != ACTIONS[rule]
    assert chinese["三大瓶颈与建议"][-1][1:] == ["分配后未及时跟进", ACTIONS[rule]]
    # stage names are the stages' English names where they have one
    funnel_title = [t for t in english if t not in chinese][0]
    names = list(Stage.objects.filter(pipeline__is_default=True).order_by("order"))
    assert [row[0] for row in english[funnel_title]] == [s.name_en or s.name for s in names]
    assert [row[0] for row in chinese["漏斗与理想状态对比"]] == [s.name for s in names]
    english_names = {s.name_en for s in names}
    assert any(item["kind"] != "exception" for item in report.data["bottlenecks"])
    for item, row in zip(report.data["bottlenecks"], bottlenecks, strict=True):
        if item["kind"] != "exception":
            assert row[1] in english_names
            assert row[1] in row[2]
