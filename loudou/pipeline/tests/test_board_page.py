"""The Kanban page at scale (issue 14): its filter form lists what the viewer may choose,
its cards read only what they show, and the page costs a fixed number of queries however
many cards, owners and users there are."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from loudou.leads.models import Lead
from loudou.leads.tests.factories import make_lead
from loudou.leads.tests.test_list_page import select_options
from loudou.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BOARD = "/pipeline/board/"


@pytest.mark.parametrize(
    ("viewer", "visible"),
    [
        ("rep", {"rep"}),
        ("manager", {"manager", "rep", "teammate"}),
        ("director", {"rep", "teammate", "manager", "other_team_rep", "director", "marketing"}),
    ],
)
def test_board_owner_select_lists_exactly_the_people_the_viewer_sees(client, cast, viewer, visible):
    # given
    client.force_login(cast[viewer])
    # when
    html = client.get(BOARD).content.decode()
    # then the viewer is offered the people they see, and nobody else of the cast
    offered = {label for _value, label, _selected in select_options(html, "owner")}
    for name, user in cast.items():
        assert (str(user) in offered) == (name in visible or viewer == "director"), name


def test_board_filter_form_keeps_the_chosen_values(client, manager, teammate):
    # given
    client.force_login(manager)
    # when
    html = client.get(BOARD, {"owner": teammate.pk, "grade": "B"}).content.decode()
    # then
    assert [v for v, _label, on in select_options(html, "owner") if on] == [str(teammate.pk)]
    assert [v for v, _label, on in select_options(html, "grade") if on] == ["B"]
    assert [v for v, _label, on in select_options(html, "team") if on] == [""]


def test_a_new_user_shows_in_the_board_owner_select_at_once(client, director):
    # given the director has seen the board once
    client.force_login(director)
    client.get(BOARD)
    # when a user is created
    newcomer = UserFactory(display_name="新来的销售")
    html = client.get(BOARD).content.decode()
    # then
    assert (str(newcomer.pk), "新来的销售", False) in select_options(html, "owner")


def test_card_shows_its_lead_owner_amount_and_links(client, rep, stages):
    # given an opportunity of ¥1,250,000
    lead = make_lead(actor=rep, company_name="杭州云帆科技有限公司")
    Lead.objects.filter(pk=lead.pk).update(amount=Decimal("1250000"), currency="CNY")
    client.force_login(rep)
    # when
    html = client.get(BOARD).content.decode()
    # then the card is what it was: number, grade, company, owner, amount, both links
    card = html[html.index(f'id="card-{lead.pk}"') : html.index("</li>", html.index(lead.number))]
    assert f'data-move-url="{reverse("pipeline:move", args=[lead.pk])}"' in card
    assert f'<a href="{lead.get_absolute_url()}">{lead.number}</a>' in card
    assert f'<span class="badge {lead.intent_grade}">{lead.intent_grade}</span>' in card
    assert '<div class="company">杭州云帆科技有限公司</div>' in card
    assert f'<div class="muted">{rep} · ¥1,250,000</div>' in card


def test_unassigned_card_says_so_in_the_viewers_language(client, director, marketing):
    # given a lead captured by marketing, not assigned yet
    lead = make_lead(actor=marketing)
    assert lead.owner_id is None
    director.language = "en"
    director.save()
    client.force_login(director)
    # when
    html = client.get(BOARD).content.decode()
    # then
    card = html[html.index(f'id="card-{lead.pk}"') :]
    assert card[: card.index("</li>")].count('<div class="muted">Unassigned</div>') == 1


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("viewer", ["rep", "manager", "director"])
def test_board_queries_do_not_grow_with_cards_owners_or_people(
    client, cast, viewer, django_assert_max_num_queries
):
    # given one card of each of two reps, seen once by the viewer
    make_lead(actor=cast["rep"])
    make_lead(actor=cast["teammate"], phone="13811110000")
    client.force_login(cast[viewer])
    client.get(BOARD)
    before = _count_queries(client, BOARD)
    # when 30 more cards of three owners and 10 more people are added
    for n in range(30):
        actor = [cast["rep"], cast["teammate"], cast["other_team_rep"]][n % 3]
        make_lead(actor=actor, phone=f"1390000{n:04d}", company_name=f"公司{n}")
    UserFactory.create_batch(10, team=cast["rep"].team)
    # then the board costs the same queries, and few (the director's column shows its
    # newest 30 of 32 cards)
    assert _count_queries(client, BOARD) == before
    with django_assert_max_num_queries(14):
        html = client.get(BOARD, {"grade": "C"}).content.decode()
    assert html.count('class="board-card"') == {"rep": 11, "manager": 22, "director": 30}[viewer]
