"""The merged lead timeline: field changes, stage changes and follow-ups, newest first."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from loudou.activities.selectors import lead_timeline
from loudou.activities.tests.factories import local, log
from loudou.leads.services import update_lead
from loudou.leads.tests.factories import make_lead
from loudou.org.services import issue_api_token
from loudou.pipeline.models import Stage
from loudou.pipeline.services import move_stage

pytestmark = pytest.mark.django_db

T0 = local(2026, 3, 2, 9, 0)


@pytest.fixture
def story(rep):
    """Registered at T0 (entering 客户资源), graded at +1 h, called at +2 h, phone changed
    at +3 h."""
    with time_machine.travel(T0, tick=False):
        lead = make_lead(actor=rep, phone="13812345678")
    graded = Stage.objects.get(pipeline__is_default=True, code="graded")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        move_stage(lead=lead, to_stage=graded, actor=rep, via="form", reason="已核实资料")
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        log(lead=lead, actor=rep, summary="首次电话", next_action="发方案")
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        update_lead(actor=rep, lead=lead, values={"phone": "13987654321"})
    return lead


def test_timeline_merges_events_stage_changes_and_follow_ups_newest_first(rep, story):
    # when
    entries = lead_timeline(story, rep)
    # then
    assert [(e["at"], e["kind"], e["label"]) for e in entries] == [
        (T0 + timedelta(hours=3), "event", "修改线索"),
        (T0 + timedelta(hours=2), "follow_up", "跟进记录（电话）"),
        (T0 + timedelta(hours=1), "stage", "阶段变更: 客户资源 → 已分级"),
        (T0, "stage", "阶段变更: — → 客户资源"),
        (T0, "event", "登记线索"),
    ]
    follow_up, stage = entries[1], entries[2]
    assert follow_up["text"] == "首次电话"
    assert follow_up["actor"] == str(rep)
    assert follow_up["details"] == [{"label": "下一步行动", "value": f"发方案（{rep}，—，待办）"}]
    assert stage["reason"] == "已核实资料"
    assert stage["details"] == [{"label": "途径", "value": "详情页"}]


def test_timeline_masks_contact_changes_for_a_viewer_who_does_not_own_the_lead(rep, manager, story):
    # when
    for_rep = lead_timeline(story, rep)[0]["changes"]
    for_manager = lead_timeline(story, manager)[0]["changes"]
    # then
    assert for_rep == [{"label": "电话", "before": "13812345678", "after": "13987654321"}]
    assert for_manager == [{"label": "电话", "before": "138****5678", "after": "139****4321"}]


def test_lead_page_and_api_show_the_same_merged_timeline(client, manager, story):
    # given
    client.force_login(manager)
    token = issue_api_token(user=manager)
    # when
    html = client.get(reverse("leads:detail", args=[story.pk])).content.decode()
    api = client.get(
        f"/api/activities/leads/{story.pk}/timeline", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    # then
    timeline = html.split('<ol class="timeline" id="timeline">')[1].split("</ol>")[0]
    assert timeline.count("<li") == 5
    for label in ["修改线索", "跟进记录（电话）", "阶段变更: 客户资源 → 已分级", "登记线索"]:
        assert label in timeline
    assert "138****5678" in timeline
    assert "13812345678" not in timeline
    assert [e["label"] for e in api] == [
        "修改线索",
        "跟进记录（电话）",
        "阶段变更: 客户资源 → 已分级",
        "阶段变更: — → 客户资源",
        "登记线索",
    ]
