"""A rep drags a card across the Kanban, logs a follow-up whose next action is already
overdue, the worker runs, and the bell shows the reminder."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from loudou.leads.tests.factories import make_lead
from loudou.notifications.models import Notification
from loudou.pipeline.models import Stage, StageChange
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def drag(page, card, column):
    """Drag with real mouse moves (SortableJS listens to the browser's drag events)."""
    card.hover()
    page.mouse.down()
    box = column.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40, steps=12)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 50, steps=4)
    page.mouse.up()


def test_rep_moves_a_card_logs_an_overdue_action_and_the_bell_rings(
    page, live_server, rep, password
):
    # given a lead of the rep's in the first stage
    lead = make_lead(actor=rep, company_name="常州远航机械有限公司", phone="13611112222")
    graded = Stage.objects.get(pipeline=lead.pipeline, code="graded")
    log_in(page, live_server, "rep", password)
    expect(page.locator("#bell-count")).to_have_text("0")
    # when the rep drags its card to 已分级 on the board
    page.goto(f"{live_server.url}/pipeline/board/")
    drag(
        page,
        page.locator(f"#card-{lead.pk}"),
        page.locator(f'.board-cards[data-stage="{graded.pk}"]'),
    )
    # then the card sits in that column, counted, and the ledger has the move
    expect(page.locator(f'.board-cards[data-stage="{graded.pk}"] #card-{lead.pk}')).to_be_visible()
    expect(page.locator(f'section[data-stage="{graded.pk}"] .count')).to_have_text("1")
    move = StageChange.objects.get(lead=lead, to_stage=graded)
    assert (move.via, move.actor_id) == ("kanban", rep.pk)
    # when the rep logs a follow-up whose next action was due an hour ago
    due = timezone.localtime() - timedelta(hours=1)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    page.fill("#fu_summary", "电话沟通，客户想看报价")
    page.fill("#fu_next_action", "发送报价单")
    page.fill("#fu_next_action_due", due.strftime("%Y-%m-%dT%H:%M"))
    page.click("#follow-up-form button[type=submit]")
    expect(page.locator("#follow-up-list")).to_contain_text("发送报价单")
    expect(page.locator("#timeline")).to_contain_text("电话沟通，客户想看报价")
    # and the worker runs
    call_command("worker", "--once")
    # then the bell shows the reminder, and it opens to it
    page.reload()
    expect(page.locator("#bell-count")).to_have_text("1")
    page.click("#bell")
    expect(page.locator("main")).to_contain_text("发送报价单")
    assert Notification.objects.filter(user=rep, kind="next_action_overdue").count() == 1
