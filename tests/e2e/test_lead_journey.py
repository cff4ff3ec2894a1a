"""A rep registers a lead and follows it; another team's rep cannot reach it."""

import re

import pytest
from playwright.sync_api import expect

from loudou.leads.models import Lead
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_rep_registers_a_lead_sees_it_graded_and_another_team_gets_404(
    page, live_server, rep, other_team_rep, password
):
    # given a rep logged in
    log_in(page, live_server, "rep", password)
    # when they register a lead
    page.goto(f"{live_server.url}/leads/new/")
    page.fill("#id_company_name", "宁波海联精密制造有限公司")
    page.fill("#id_contact_name", "陈静")
    page.fill("#id_contact_title", "采购经理")
    page.fill("#id_phone", "139 1234 5678")
    page.fill("#id_employees", "320")
    page.select_option("#id_need_level", "explicit")
    page.select_option("#id_budget_fit", "fits")
    page.select_option("#id_decision_cycle", "1m")
    page.fill("#id_need_description", "车间排产依赖 Excel，想上线生产管理系统")
    page.click("#lead-form button[type=submit]")
    # then the lead page shows its number and grades
    expect(page.locator("h1")).to_contain_text(re.compile(r"LX\d{10}"))
    expect(page.locator("#intent-grade")).to_have_text("A")
    expect(page.locator("#rating")).to_have_text("A")
    expect(page.locator("#lead-phone")).to_have_text("13912345678")
    lead = Lead.objects.get(company_name="宁波海联精密制造有限公司")
    # and it is in the list, from which it opens with its timeline
    page.goto(f"{live_server.url}/leads/")
    page.click(f"text={lead.number}")
    # (registration, then entry into the default pipeline's first stage)
    expect(page.locator("#timeline li")).to_have_count(2)
    expect(page.locator("#timeline li", has_text="登记线索")).to_have_count(1)
    expect(page.locator("#timeline li", has_text="客户资源")).to_have_count(1)
    # when another team's rep opens the same lead
    page.click("header.top button[type=submit]")
    log_in(page, live_server, "other_team_rep", password)
    response = page.goto(f"{live_server.url}/leads/{lead.pk}/")
    # then it does not exist for them
    assert response.status == 404
