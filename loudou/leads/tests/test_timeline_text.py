"""The lead timeline reads as words: needs, merges and duplicate matches are listed with
labels, never as a Python repr or JSON (`needs: []`, `['报表: 4']`, `merged_fields`)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from loudou.activities.tests.factories import log
from loudou.leads.models import NeedItem
from loudou.leads.selectors import lead_timeline
from loudou.leads.services import register_lead
from loudou.leads.services.grading import assess_needs
from loudou.leads.services.merge import merge_leads
from loudou.leads.tests.factories import make_lead
from loudou.org.services import issue_api_token

pytestmark = pytest.mark.django_db

RAW = re.compile(r"\[\]|\['|\{|needs|merged_|follow_ups|duplicates|company \d")
NEEDS = [{"need": "报表自动推送", "score": 4}, {"need": "销售漏斗分析", "score": 3}]


def _timeline_html(client, lead) -> str:
    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    return html.split('id="lead-timeline"')[1].split("</ol>")[0]


def _changes(lead, viewer, verb: str) -> list[tuple[str, str, str]]:
    [entry] = [e for e in lead_timeline(lead, viewer) if e["event"].verb == verb]
    return [(str(c["label"]), str(c["before"]), str(c["after"])) for c in entry["changes"]]


def test_first_needs_assessment_reads_as_a_list_of_needs_with_scores(client, rep):
    # given
    lead = make_lead(actor=rep)
    client.force_login(rep)
    # when
    assess_needs(lead=lead, actor=rep, needs=NEEDS)
    # then
    timeline = _timeline_html(client, lead)
    assert (
        "核心需求：<del>未填写</del> → <ins>报表自动推送 (4分)、销售漏斗分析 (3分)</ins>"
        in timeline
    )
    assert RAW.search(timeline) is None


def test_clearing_the_needs_reads_not_filled_in(rep):
    # given
    lead = make_lead(actor=rep)
    assess_needs(lead=lead, actor=rep, needs=NEEDS)
    # when
    assess_needs(lead=lead, actor=rep, needs=[])
    # then
    [latest, _first] = [
        e for e in lead_timeline(lead, rep) if e["event"].verb.endswith("needs_assessed")
    ]
    needs = [c for c in latest["changes"] if str(c["label"]) == "核心需求"]
    assert [(str(c["before"]), str(c["after"])) for c in needs] == [
        ("报表自动推送 (4分)、销售漏斗分析 (3分)", "未填写")
    ]


def test_api_timeline_gives_the_same_words_as_the_page(client, rep):
    # given
    lead = make_lead(actor=rep)
    assess_needs(lead=lead, actor=rep, needs=NEEDS)
    token = issue_api_token(user=rep)
    # when
    entries = client.get(
        f"/api/leads/{lead.pk}/timeline", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    # then
    [assessment] = [e for e in entries if e["verb"] == "lead.needs_assessed"]
    assert {
        "label": "核心需求",
        "before": "未填写",
        "after": "报表自动推送 (4分)、销售漏斗分析 (3分)",
    } in (assessment["changes"])
    assert [c for c in assessment["changes"] if RAW.search(c["before"] + c["after"])] == []


def test_a_merge_names_the_fields_it_filled_and_what_it_moved(rep):
    # given
    survivor = make_lead(actor=rep, company_name="杭州数智科技有限公司", email="")
    duplicate = make_lead(actor=rep, company_name="杭州数智科技", email="li@example.com")
    log(lead=duplicate, actor=rep)
    NeedItem.objects.create(lead=duplicate, need="排产", score=4)
    # when
    merge_leads(survivor=survivor, duplicate=duplicate, actor=rep)
    # then
    merged = _changes(survivor, rep, "lead.merged")
    filled = merged.pop(1)
    assert merged == [
        ("并入的线索", "—", duplicate.number),
        ("转移的跟进记录", "—", "1"),
        ("转移的核心需求", "—", "1"),
    ]
    assert (filled[0], filled[1]) == ("补全的字段", "—")
    assert "邮箱" in filled[2].split("、")
    assert re.search(r"[A-Za-z_,]", filled[2]) is None  # labels, not the field names
    assert _changes(duplicate, rep, "lead.merged_into") == [
        ("已合并到", "—", survivor.number),
        ("有效线索", "是", "否"),
    ]


def test_kept_duplicates_name_their_match_reasons_in_words(rep):
    # given
    existing = make_lead(actor=rep, company_name="杭州数智科技有限公司")
    values = {"company_name": "杭州数智科技股份有限公司", "contact_name": "李娜"}
    # when
    lead = register_lead(actor=rep, values=values, on_duplicate="keep")
    # then
    assert _changes(lead, rep, "lead.duplicates_kept") == [
        ("疑似重复线索", "—", f"{existing.number} (公司名称 100)")
    ]


def test_needs_read_in_english_for_an_english_viewer(rep):
    # given
    lead = make_lead(actor=rep)
    assess_needs(lead=lead, actor=rep, needs=NEEDS)
    # when
    with translation.override("en"):
        changes = _changes(lead, rep, "lead.needs_assessed")
    # then
    assert ("Core need", "Not specified", "报表自动推送 (4/5), 销售漏斗分析 (3/5)") in changes
