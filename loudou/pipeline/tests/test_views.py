"""The Kanban board, stage moves from the board and the lead page, opportunity editing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead
from loudou.pipeline.models import StageChange
from loudou.pipeline.services import move_stage, update_opportunity

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
BOARD = "/pipeline/board/"


def _move_url(lead) -> str:
    return reverse("pipeline:move", args=[lead.pk])


def _rows(lead) -> int:
    return StageChange.objects.filter(lead=lead).count()


def _column(html: str, code_name: str) -> str:
    """The HTML of one board column, found by its stage name."""
    start = html.index(f"<h2>{code_name} ")
    return html[start : html.index("</section>", start)]


# the board ---------------------------------------------------------------------------------


def test_board_shows_only_the_leads_the_user_may_see(client, rep, other_team_rep, lead):
    # given a lead of another team's rep
    other = make_lead(actor=other_team_rep, company_name="广州南方电子有限公司")
    client.force_login(rep)
    # when the rep opens the board
    response = client.get(BOARD)
    # then their own card is there and the other team's is not
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="card-{lead.pk}"' in html
    assert f'id="card-{other.pk}"' not in html
    assert '<span class="count" title="线索数">1</span>' in _column(html, "客户资源")


def test_manager_sees_the_team_on_the_board_and_the_director_everyone(
    client, rep, teammate, manager, director, other_team_rep
):
    # given leads of two teams
    ours = [make_lead(actor=rep), make_lead(actor=teammate, phone="13811112222")]
    theirs = make_lead(actor=other_team_rep, phone="13833334444")
    # when the manager and the director open the board
    client.force_login(manager)
    seen_by_manager = client.get(BOARD).content.decode()
    client.force_login(director)
    seen_by_director = client.get(BOARD).content.decode()
    # then the manager sees the team's cards only; the director sees all three
    assert all(f'id="card-{x.pk}"' in seen_by_manager for x in ours)
    assert f'id="card-{theirs.pk}"' not in seen_by_manager
    assert all(f'id="card-{x.pk}"' in seen_by_director for x in [*ours, theirs])


def test_board_columns_count_and_sum_amounts(client, rep, stages):
    # given two opportunities of 120,000 and 30,500 yuan and one lead in the first stage
    for amount, phone in [(Decimal(120000), "13800000001"), (Decimal("30500"), "13800000002")]:
        lead = make_lead(actor=rep, phone=phone)
        move_stage(lead=lead, to_stage=stages["opportunity"], actor=rep, via="form")
        update_opportunity(lead=lead, actor=rep, values={"amount": amount})
    make_lead(actor=rep, phone="13800000003")
    client.force_login(rep)
    # when the board is shown
    html = client.get(BOARD).content.decode()
    # then the opportunity column counts two and sums 150,500
    column = _column(html, "意向客户(商机)")
    assert '<span class="count" title="线索数">2</span>' in column
    assert "<span>¥150,500</span>" in column
    assert '<span class="count" title="线索数">1</span>' in _column(html, "客户资源")


def test_board_filters_by_grade_and_rep(client, manager, rep, teammate):
    # given an A lead of the rep and a C lead of the teammate
    a_lead = make_lead(
        actor=rep, need_level="explicit", budget_fit="fits", decision_cycle="1m", employees=300
    )
    c_lead = make_lead(actor=teammate, phone="13811112222")
    assert (a_lead.intent_grade, c_lead.intent_grade) == ("A", "C")
    client.force_login(manager)
    # when the manager filters by grade A, then by the teammate
    by_grade = client.get(BOARD, {"grade": "A"}).content.decode()
    by_rep = client.get(BOARD, {"owner": teammate.pk}).content.decode()
    # then only the matching card is shown each time
    assert f'id="card-{a_lead.pk}"' in by_grade
    assert f'id="card-{c_lead.pk}"' not in by_grade
    assert f'id="card-{c_lead.pk}"' in by_rep
    assert f'id="card-{a_lead.pk}"' not in by_rep


def test_board_queries_stay_bounded_however_many_leads(client, rep, django_assert_max_num_queries):
    # given many leads on the board
    for n in range(25):
        make_lead(actor=rep, phone=f"1380000{n:04d}")
    client.force_login(rep)
    # when the board is rendered, then a fixed number of queries does it
    with django_assert_max_num_queries(14):
        response = client.get(BOARD)
    assert response.content.decode().count('class="board-card"') == 25


def test_board_of_an_unknown_pipeline_is_404(client, rep):
    client.force_login(rep)
    assert client.get(BOARD, {"pipeline": 99999}).status_code == 404


def test_htmx_board_request_gets_only_the_columns(client, rep, lead):
    client.force_login(rep)
    html = client.get(BOARD, **HTMX).content.decode()
    assert html.lstrip().startswith('<div id="board-columns"')
    assert "<header" not in html.split('id="board-columns"')[0]


def test_board_needs_a_login(client):
    response = client.get(BOARD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# moving from the Kanban --------------------------------------------------------------------


def test_dropping_a_card_moves_the_lead_and_rerenders_the_columns(client, rep, lead, stages):
    client.force_login(rep)
    # when the card is dropped on 已分级
    response = client.post(
        _move_url(lead), {"to_stage": stages["graded"].pk, "via": "kanban"}, **HTMX
    )
    # then the lead moved with one kanban ledger row, and the new columns come back
    html = response.content.decode()
    assert response.status_code == 200
    assert list(StageChange.objects.filter(lead=lead).values_list("via", flat=True)) == [
        "form",
        "kanban",
    ]
    assert '<span class="count" title="线索数">1</span>' in _column(html, "已分级")
    assert '<span class="count" title="线索数">0</span>' in _column(html, "客户资源")
    assert 'hx-swap-oob="true"' in html
    assert "“杭州云帆科技有限公司”已移动到“已分级”。" in html


def test_dropping_a_card_keeps_the_board_filters(client, rep, lead, stages):
    client.force_login(rep)
    response = client.post(
        f"{_move_url(lead)}?grade=A", {"to_stage": stages["graded"].pk, "via": "kanban"}, **HTMX
    )
    # the lead is a C lead: under the A filter the re-rendered board leaves it out
    assert f'id="card-{lead.pk}"' not in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).stage == stages["graded"]


def test_dropping_a_card_on_abandoned_asks_for_a_lost_reason(
    client, rep, lead, stages, lost_reason
):
    client.force_login(rep)
    # when the card is dropped on 放弃 without a reason
    refused = client.post(
        _move_url(lead), {"to_stage": stages["abandoned"].pk, "via": "kanban"}, **HTMX
    )
    # then it is refused, the card stays where it was, and a lost-reason form is shown
    html = refused.content.decode()
    assert refused.status_code == 422
    assert _rows(lead) == 1
    assert f'id="card-{lead.pk}"' in _column(html, "客户资源")
    assert 'name="lost_reason"' in html
    assert "放弃客户必须选择放弃原因。" in html
    # when the form is sent with a reason
    done = client.post(
        _move_url(lead),
        {"to_stage": stages["abandoned"].pk, "via": "kanban", "lost_reason": lost_reason.pk},
        **HTMX,
    )
    # then the lead is abandoned with that reason
    assert done.status_code == 200
    assert StageChange.objects.filter(lead=lead).last().lost_reason == lost_reason


def test_a_card_moved_meanwhile_is_refused_with_a_message(
    client, rep, manager, lead, stages, monkeypatch
):
    # given the rep's view of the lead is stale: the manager moved it meanwhile
    stale = Lead.objects.get(pk=lead.pk)
    move_stage(lead=lead, to_stage=stages["contacted"], actor=manager, via="form")
    monkeypatch.setattr("loudou.pipeline.views.access_lead", lambda user, pk: stale)
    client.force_login(rep)
    # when the rep drops the card
    response = client.post(
        _move_url(lead), {"to_stage": stages["graded"].pk, "via": "kanban"}, **HTMX
    )
    # then it is refused with the conflict message and no ledger row
    assert response.status_code == 409
    assert "该线索刚刚已被他人移动，请刷新后重试。" in response.content.decode()
    assert _rows(lead) == 2
    assert Lead.objects.get(pk=lead.pk).stage == stages["contacted"]


# moving from the lead page, and who may move -----------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("rep", True),
        ("teammate", False),
        ("manager", True),
        ("other_team_rep", False),
        ("director", True),
        ("marketing", False),
        ("admin_user", True),
    ],
)
def test_who_may_move_a_reps_lead_in_the_ui(client, cast, lead, stages, who, allowed):
    client.force_login(cast[who])
    # when they move the rep's lead from the lead page and from the board
    form = client.post(_move_url(lead), {"to_stage": stages["graded"].pk})
    board = client.post(
        _move_url(lead), {"to_stage": stages["contacted"].pk, "via": "kanban"}, **HTMX
    )
    # then the allowed ones moved it twice; for the others it does not exist
    if allowed:
        assert (form.status_code, form.url, board.status_code) == (302, f"/leads/{lead.pk}/", 200)
        assert _rows(lead) == 3
    else:
        assert (form.status_code, board.status_code) == (404, 404)
        assert _rows(lead) == 1
        assert Lead.objects.get(pk=lead.pk).stage == stages["resource"]


def test_moving_from_the_lead_page_records_via_form_and_the_factors(
    client, rep, lead, stages, win_factors
):
    client.force_login(rep)
    response = client.post(
        _move_url(lead),
        {
            "to_stage": stages["signed"].pk,
            "reason": "签约",
            "win_factors": [f.pk for f in win_factors],
        },
        follow=True,
    )
    change = StageChange.objects.filter(lead=lead).last()
    assert (change.via, change.reason, change.win_factors) == (
        "form",
        "签约",
        [f.pk for f in win_factors],
    )
    assert "阶段已变更为“签约客户”。" in response.content.decode()


def test_abandoning_from_the_lead_page_without_a_reason_shows_the_form_again(
    client, rep, lead, stages
):
    client.force_login(rep)
    response = client.post(_move_url(lead), {"to_stage": stages["abandoned"].pk})
    assert response.status_code == 422
    assert "放弃客户必须选择放弃原因。" in response.content.decode()
    assert _rows(lead) == 1


def test_move_accepts_only_post(client, rep, lead):
    client.force_login(rep)
    assert client.get(_move_url(lead)).status_code == 405


# the lead page panel and the opportunity fields -------------------------------------------


def test_lead_page_shows_stage_time_criteria_and_the_move_form(client, rep, lead):
    client.force_login(rep)
    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert '<strong id="current-stage">客户资源</strong>' in html
    assert "已停留 0.0 天" in html
    assert "从网上、展会、广告、企业数据库等来源收集整理的潜在客户" in html
    assert "电话直销方式" in html
    assert f'action="{_move_url(lead)}"' in html
    assert 'id="opportunity"' not in html


def test_lead_page_shows_the_opportunity_from_the_opportunity_stage_on(client, rep, lead, stages):
    # given the lead at the opportunity stage with an amount
    move_stage(lead=lead, to_stage=stages["opportunity"], actor=rep, via="form")
    update_opportunity(lead=lead, actor=rep, values={"amount": Decimal("880000")})
    client.force_login(rep)
    # when the lead page is shown
    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    # then the opportunity card shows the amount and its edit form
    assert '<dd id="opportunity-amount">¥880,000</dd>' in html
    assert f'action="{reverse("pipeline:opportunity", args=[lead.pk])}"' in html


def test_opportunity_form_saves_and_logs_the_fields(client, rep, lead, stages):
    # given a contact of the lead's own customer
    contact = lead.contact
    client.force_login(rep)
    # when the rep saves the opportunity fields
    response = client.post(
        reverse("pipeline:opportunity", args=[lead.pk]),
        {
            "amount": "250000",
            "currency": "CNY",
            "expected_close_date": "2026-12-31",
            "competitors": "用友、金蝶",
            "probability": "40",
            "technical_contact": contact.pk,
        },
    )
    # then they are stored and the lead page is shown
    stored = Lead.objects.get(pk=lead.pk)
    assert response.status_code == 302
    assert (stored.amount, stored.competitors, stored.probability, stored.technical_contact) == (
        Decimal("250000.00"),
        "用友、金蝶",
        40,
        contact,
    )


def test_opportunity_form_refuses_a_contact_of_another_customer(client, rep, lead):
    # given a contact of another of the rep's leads
    other = make_lead(
        actor=rep, company_name="南京其他公司", contact_name="李雷", phone="13900009999"
    )
    client.force_login(rep)
    # when it is named as the technical decision maker
    response = client.post(
        reverse("pipeline:opportunity", args=[lead.pk]),
        {"currency": "CNY", "technical_contact": other.contact.pk},
    )
    # then it is refused and nothing changed
    assert response.status_code == 422
    assert Lead.objects.get(pk=lead.pk).technical_contact is None


@pytest.mark.parametrize("who", ["teammate", "other_team_rep", "marketing"])
def test_others_cannot_reach_the_opportunity_of_a_reps_lead(client, cast, lead, who):
    client.force_login(cast[who])
    url = reverse("pipeline:opportunity", args=[lead.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"currency": "CNY", "amount": "1"}).status_code == 404
    assert Lead.objects.get(pk=lead.pk).amount is None
