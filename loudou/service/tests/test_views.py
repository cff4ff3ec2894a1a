"""The service pages through the Django client: lists, filters, forms and exports."""

import io
from datetime import date

import pytest
import time_machine
from openpyxl import load_workbook

from loudou.service import services
from loudou.service.choices import TicketStatus, Tier
from loudou.service.models import DueAction, Evaluation, PlanAction, SlaPolicy, Ticket
from loudou.service.tests.factories import local, make_customer, make_ticket, set_tier

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 9, 10, 0)


@pytest.fixture
def vip(rep):
    customer = make_customer(owner=rep)
    set_tier(customer, Tier.VIP)
    return customer


@pytest.fixture
def tickets(rep, vip):
    """One on track (opened 09:55), one breached (opened last Monday)."""
    fresh = make_ticket(actor=rep, customer=vip, opened_at=local(2026, 3, 9, 9, 55))
    late = make_ticket(
        actor=rep, customer=vip, opened_at=local(2026, 3, 2, 9, 0), subject="打印模块报错"
    )
    return fresh, late


def test_the_ticket_list_shows_the_sla_state_and_filters_on_it(
    client, rep, tickets, django_assert_max_num_queries
):
    client.force_login(rep)
    with time_machine.travel(NOW, tick=False):
        with django_assert_max_num_queries(12):
            page = client.get("/service/tickets/").content.decode()
        breached = client.get("/service/tickets/?sla=breached").content.decode()
        on_track = client.get("/service/tickets/?sla=on_track").content.decode()
    assert "设备无法启动" in page
    assert "打印模块报错" in page
    assert "已超时" in page
    assert 'class="table-wrap"' in page  # scrolls inside its wrapper at 390 px
    assert "打印模块报错" in breached
    assert "设备无法启动" not in breached
    assert "设备无法启动" in on_track
    assert "打印模块报错" not in on_track


def test_a_rep_opens_a_ticket_from_the_page_with_deadlines_from_the_tier(client, rep, vip):
    client.force_login(rep)
    with time_machine.travel(local(2026, 3, 6, 17, 30), tick=False):
        response = client.post(
            "/service/tickets/new/",
            {"customer": vip.pk, "subject": "系统登录失败", "priority": "high"},
        )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/service/tickets/{ticket.pk}/"
    assert (ticket.assignee, ticket.tier, ticket.response_due) == (
        rep,
        Tier.VIP,
        local(2026, 3, 9, 10, 30),
    )


def test_the_ticket_page_runs_the_whole_lifecycle(client, rep, tickets):
    ticket = tickets[0]
    client.force_login(rep)
    base = f"/service/tickets/{ticket.pk}/"
    with time_machine.travel(NOW, tick=False):
        assert client.post(base + "respond/", {"body": "已安排"}).status_code == 302
        assert client.post(base + "resolve/", {"body": "已修复"}).status_code == 302
        assert (
            client.post(base + "rate/", {"satisfaction": "4", "comment": "好"}).status_code == 302
        )
        assert client.post(base + "close/").status_code == 302
        page = client.get(base).content.decode()
    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction) == (TicketStatus.CLOSED, 4)
    assert "已安排" in page
    assert "关闭了工单" in page
    assert client.post(base + "reopen/", {"body": ""}).status_code == 422
    assert client.post(base + "explode/").status_code == 404


def test_closing_an_open_ticket_is_refused_with_a_message(client, rep, tickets):
    client.force_login(rep)
    response = client.post(f"/service/tickets/{tickets[0].pk}/close/", follow=True)
    assert "工单当前状态不能执行该操作。" in response.content.decode()
    tickets[0].refresh_from_db()
    assert tickets[0].status == TicketStatus.NEW


def test_the_customer_page_shows_tier_plan_due_actions_and_takes_log_and_evaluation(
    client, rep, vip
):
    services.generate_due_actions(date(2026, 3, 9), customer_ids=[vip.pk])
    due = DueAction.objects.get(customer=vip, action__title="行业报告")
    client.force_login(rep)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/service/customers/{vip.pk}/").content.decode()
        done = client.post(
            f"/service/actions/{due.pk}/done/",
            {"done_on": "2026-03-09", "notes": "发送报告", "feedback": "客户满意"},
        )
        rated = client.post(
            f"/service/customers/{vip.pk}/evaluate/",
            {"year": "2026", "quarter": "1", "rating": "4", "comment": "良好"},
        )
    assert "VIP客户" in page
    assert "VIP客户维护计划" in page
    assert "行业报告" in page
    assert (done.status_code, rated.status_code) == (302, 302)
    due.refresh_from_db()
    assert (due.status, due.feedback, due.done_by) == ("done", "客户满意", rep)
    assert Evaluation.objects.get().rating == 4


def test_the_customer_list_filters_by_tier(client, rep, vip):
    key = make_customer(owner=rep, name="温州示例阀门有限公司")
    set_tier(key, Tier.KEY)
    make_customer(owner=rep, name="未分级客户")
    client.force_login(rep)
    page = client.get("/service/customers/?tier=key").content.decode()
    everyone = client.get("/service/customers/").content.decode()
    assert "温州示例阀门有限公司" in page
    assert "杭州示例机械有限公司" not in page
    assert "未分级客户" not in everyone
    assert "杭州示例机械有限公司" in everyone


def test_a_director_edits_thresholds_sla_and_plans_on_the_pages(client, director):
    client.force_login(director)
    tiers = client.post("/service/settings/", {"form": "tiers", "vip": "600000", "key": "200000"})
    bad = client.post("/service/settings/", {"form": "tiers", "vip": "100000", "key": "200000"})
    sla = {"form": "sla"}
    for tier, (response, resolution) in {"vip": (1, 12), "key": (4, 48), "normal": (4, 72)}.items():
        sla |= {f"{tier}_response": response, f"{tier}_resolution": resolution}
    saved = client.post("/service/settings/", sla)
    plan = client.get("/service/plans/").content.decode()
    vip_plan = PlanAction.objects.filter(plan__tier=Tier.VIP).first().plan_id
    added = client.post(
        f"/service/plans/{vip_plan}/",
        {
            "form": "action",
            "kind": "training",
            "title": "新品培训",
            "frequency": "yearly",
            "owner_rule": "customer_owner",
            "is_active": "on",
        },
    )
    assert (tiers.status_code, bad.status_code, saved.status_code) == (302, 422, 302)
    assert "VIP客户下限须高于重点客户下限。" in bad.content.decode()
    assert SlaPolicy.objects.get(tier="vip").resolution_hours == 12
    assert "VIP客户维护计划" in plan
    assert added.status_code == 302
    assert PlanAction.objects.filter(title="新品培训").count() == 1


def test_a_rep_reads_the_settings_without_a_form(client, rep):
    client.force_login(rep)
    page = client.get("/service/settings/").content.decode()
    assert "tiers-form" not in page
    assert "500000" in page


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_tickets_and_the_log_export_as_excel_and_csv(client, rep, tickets, vip, fmt):
    services.generate_due_actions(date(2026, 3, 9), customer_ids=[vip.pk])
    client.force_login(rep)
    with time_machine.travel(NOW, tick=False):
        ticket_file = client.get(f"/service/tickets/export/?format={fmt}&sla=breached")
        log_file = client.get(f"/service/log/export/?format={fmt}")
    if fmt == "csv":
        body = b"".join(ticket_file.streaming_content).decode()
        assert "打印模块报错" in body
        assert "设备无法启动" not in body
        assert b"".join(log_file.streaming_content).decode().count("杭州示例机械有限公司") == 4
        return
    rows = list(load_workbook(io.BytesIO(b"".join(ticket_file.streaming_content))).active.values)
    assert rows[0][:4] == ("编号", "客户", "客户级别", "主题")
    assert [row[3] for row in rows[1:]] == ["打印模块报错"]
    assert rows[1][12:15] == ("是", "是", "已超时")
    log_rows = list(load_workbook(io.BytesIO(b"".join(log_file.streaming_content))).active.values)
    assert len(log_rows) == 5


def test_an_unknown_export_format_is_refused(client, rep):
    client.force_login(rep)
    assert client.get("/service/tickets/export/?format=pdf").status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/service/",
        "/service/tickets/new/",
        "/service/customers/",
        "/service/log/?overdue=on",
        "/service/plans/",
        "/service/plans/{plan}/",
        "/service/plan-actions/{action}/",
        "/service/settings/",
    ],
)
def test_every_page_renders_for_a_director(client, director, tickets, url):
    action = PlanAction.objects.order_by("pk").first()
    client.force_login(director)
    response = client.get(url.format(plan=action.plan_id, action=action.pk), follow=True)
    assert response.status_code == 200
    assert "服务" in response.content.decode()


def test_a_rep_cannot_edit_a_plan_action(client, rep):
    action = PlanAction.objects.get(plan__tier=Tier.VIP, title="节日问候")
    client.force_login(rep)
    response = client.post(f"/service/plan-actions/{action.pk}/", {"title": "x"})
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.title == "节日问候"


def test_a_ticket_for_a_customer_without_a_tier_is_opened_from_its_page_as_normal(client, rep):
    prospect = make_customer(owner=rep, name="未分级客户")
    client.force_login(rep)
    url = f"/service/tickets/new/?customer={prospect.pk}"
    with time_machine.travel(local(2026, 3, 10, 7, 45), tick=False):
        form = client.get(url).content.decode()
        response = client.post(url, {"customer": prospect.pk, "subject": "咨询", "priority": "low"})
    ticket = Ticket.objects.get()
    assert "未分级客户" in form
    assert response.status_code == 302
    assert (ticket.tier, ticket.response_due) == (Tier.NORMAL, local(2026, 3, 10, 13, 0))
