"""On a 390 px phone a rep works the home page, the lead list and a lead (logging a
follow-up), and a director reads the home page, all without sideways scrolling; the menu
opens with its links on one line each. At 1440 px the navigation shows as before.

Set LOUDOU_SHOTS=/some/dir to keep a full-page screenshot of every step."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from loudou.activities.tests.factories import log
from loudou.leads.services.grading import assess_needs
from loudou.leads.tests.factories import make_lead
from loudou.org.models import Region
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
SHOTS = os.environ.get("LOUDOU_SHOTS")


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def fits(page, name: str) -> None:
    """The page is no wider than the viewport (no sideways scroll); keep a screenshot."""
    page.wait_for_load_state("load")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
    assert page_width(page) <= page.viewport_size["width"], name


def nav_link_heights(page) -> list[tuple[float, float]]:
    """(height, line height) of every navigation link, in px."""
    return page.evaluate(
        """[...document.querySelectorAll('#main-nav a')].map(a => [
            a.getBoundingClientRect().height - parseFloat(getComputedStyle(a).paddingTop)
              - parseFloat(getComputedStyle(a).paddingBottom),
            parseFloat(getComputedStyle(a).lineHeight)])"""
    )


def test_rep_and_director_use_the_app_on_a_phone_without_sideways_scrolling(
    phone_page, live_server, rep, director, password
):
    # given a rep's lead with a follow-up and a needs assessment, in a region
    region = Region.objects.order_by("pk").first()
    lead = make_lead(
        actor=rep,
        company_name="广西壮族自治区南宁市青秀区某某智能装备制造集团有限公司",
        region=region,
    )
    make_lead(actor=rep, company_name="宁波海联精密制造有限公司", region=region)
    log(lead=lead, actor=rep, summary="电话沟通，客户想看报价", next_action="发送报价单")
    assess_needs(
        lead=lead,
        actor=rep,
        needs=[{"need": "报表自动推送", "score": 4}, {"need": "销售漏斗分析", "score": 3}],
    )
    page = phone_page
    # when the rep signs in on a phone, then the home page fits
    log_in(page, live_server, "rep", password)
    fits(page, "phone-rep-home")
    # and the menu is folded until opened, with each link on one line
    expect(page.locator("#main-nav")).to_be_hidden()
    page.click("label[for=nav-toggle]")
    expect(page.locator("#main-nav")).to_be_visible()
    heights = nav_link_heights(page)
    assert len(heights) >= 6
    assert all(height < 2 * line for height, line in heights), heights
    fits(page, "phone-rep-menu")
    # when the rep opens the lead list, then it fits, one block per lead
    page.click("#main-nav a[href='/leads/']")
    expect(page.locator("h1")).to_contain_text("线索")
    expect(page.locator(".lead-table tbody tr")).to_have_count(2)
    fits(page, "phone-rep-leads")
    # when the rep opens the lead, then the page and its follow-up form fit
    page.click(f"text={lead.number}")
    expect(page.locator("#follow-up-form")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("报表自动推送 (4分)、销售漏斗分析 (3分)")
    fits(page, "phone-rep-lead")
    # when the rep logs a follow-up there
    page.fill("#fu_summary", "第二次电话，约好下周演示")
    page.click("#follow-up-form button[type=submit]")
    expect(page.locator("#follow-up-list")).to_contain_text("第二次电话，约好下周演示")
    # then the page still fits
    fits(page, "phone-rep-lead-after-follow-up")
    # when the director signs in on the same phone
    page.click("label[for=nav-toggle]")
    page.click("header.top button[type=submit]")
    log_in(page, live_server, "director", password)
    # then the home page fits: its wide tables scroll inside their own cards
    expect(page.locator("#dash-regions table")).to_be_visible()
    expect(page.locator("#dash-board-regions table")).to_be_visible()  # loaded after the page
    fits(page, "phone-director-home")
    for card in ["#dash-funnel", "#dash-regions", "#dash-products", "#dash-targets"]:
        box = page.locator(card).bounding_box()
        assert box["x"] >= 0, card
        assert box["x"] + box["width"] <= PHONE["width"], card


def test_on_a_desktop_the_navigation_shows_without_a_menu_button(page, live_server, rep, password):
    # given a wide window
    page.set_viewport_size(DESKTOP)
    # when the rep signs in
    log_in(page, live_server, "rep", password)
    # then every navigation link shows in the header, and there is no menu button
    expect(page.locator("#main-nav")).to_be_visible()
    expect(page.locator("label[for=nav-toggle]")).to_be_hidden()
    heights = nav_link_heights(page)
    assert all(height < 2 * line for height, line in heights), heights
    box = page.locator("header.top").bounding_box()
    assert box["height"] < 80
    fits(page, "desktop-rep-home")
