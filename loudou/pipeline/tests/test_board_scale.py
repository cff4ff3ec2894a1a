"""The Kanban board at scale (ADR 0019): the cards read through the owner partitions are
exactly those of the former window over every visible lead; counts are capped at
COUNT_CAP (exact figures on demand); a rep never sees another's lead."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from loudou.leads.models import Lead, SourceChannel
from loudou.leads.selectors import visible_leads
from loudou.org.services import issue_api_token
from loudou.org.tests.factories import UserFactory
from loudou.pipeline import board
from loudou.pipeline.selectors import board_columns, filter_board_leads

pytestmark = pytest.mark.django_db

BOARD = "/pipeline/board/"
API_BOARD = "/api/pipeline/board"


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        yield


def window_cards(user, pipeline, filters) -> dict[int, list[int]]:
    """The former implementation: ROW_NUMBER over every visible lead of the board."""
    leads = visible_leads(user).filter(pipeline=pipeline, merged_into=None)
    ranked = (
        filter_board_leads(leads, filters)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("stage_id")],
                order_by=[F("stage_entered_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=board.CARDS_PER_COLUMN)
        .order_by("stage_id", "rank")
    )
    cards: dict[int, list[int]] = {}
    for lead in ranked:
        cards.setdefault(lead.stage_id, []).append(lead.pk)
    return cards


def _bulk_leads(pipeline, owners, count: int, seed: int) -> list[Lead]:
    """`count` leads spread over the stages and owners (some unassigned), with many ties on
    stage_entered_at (six distinct times, a few empty) and a few merged away."""
    rng = random.Random(seed)
    stages = list(pipeline.stages.all())
    sources = list(SourceChannel.objects.all()[:3])
    times = [T0 + timedelta(hours=h) for h in (0, 1, 1, 5, 9, 30)] + [None]
    leads = [
        Lead(
            number=f"LT{seed:02d}{n:05d}",
            company_name=f"测试公司{n}",
            captured_at=T0,
            pipeline=pipeline,
            stage=rng.choice(stages),
            stage_entered_at=rng.choice(times),
            owner=rng.choice([*owners, None]),
            intent_grade=rng.choice("ABC"),
            source=rng.choice(sources),
            amount=rng.choice([None, Decimal("1000.50"), Decimal(20000)]),
        )
        for n in range(count)
    ]
    created = Lead.objects.bulk_create(leads)
    merged = rng.sample(created[1:], 15)
    Lead.objects.filter(pk__in=[x.pk for x in merged]).update(merged_into=created[0])
    return created


def _cards(columns) -> dict[int, list[int]]:
    return {c.stage.pk: [x.pk for x in c.cards] for c in columns if c.cards}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_board_cards_are_those_of_the_window_for_every_role_and_filter(
    seed, pipeline, rep, teammate, manager, other_team_rep, director, marketing
):
    # given 700 random leads with ties on the time they entered their stage
    owners = [rep, teammate, manager, other_team_rep]
    _bulk_leads(pipeline, owners, 700, seed)
    source = SourceChannel.objects.first()
    cases = [
        (director, {}),
        (director, {"team": rep.team}),
        (director, {"owner": teammate}),
        (director, {"grade": "A", "source": source}),
        (manager, {}),
        (manager, {"owner": rep, "grade": "B"}),
        (manager, {"team": other_team_rep.team}),
        (rep, {}),
        (rep, {"grade": "C"}),
        (marketing, {}),
    ]
    for user, filters in cases:
        # when the board is read the new way
        columns = board_columns(user, pipeline, filters)
        # then each column shows exactly the window's cards, in its order
        assert _cards(columns) == window_cards(user, pipeline, filters), (user, filters)


def test_director_board_without_owner_partition_matches_the_window_too(
    pipeline, rep, teammate, director, monkeypatch
):
    # given more (stage, owner) pairs than the union may hold: the database sorts
    _bulk_leads(pipeline, [rep, teammate], 300, 7)
    monkeypatch.setattr(board, "MAX_BRANCHES", 1)
    # when the manager-like filter by team is read, then the cards are the window's
    filters = {"team": rep.team}
    assert _cards(board_columns(director, pipeline, filters)) == window_cards(
        director, pipeline, filters
    )


def _place(pipeline, owner, stage_code: str, amounts: list[Decimal | None]) -> None:
    stage = pipeline.stages.get(code=stage_code)
    Lead.objects.bulk_create(
        Lead(
            number=f"LC{stage_code[:3]}{owner.pk}{n:04d}",
            company_name="计数公司",
            captured_at=T0,
            pipeline=pipeline,
            stage=stage,
            stage_entered_at=T0,
            owner=owner,
            amount=amount,
        )
        for n, amount in enumerate(amounts)
    )


def test_counts_are_capped_and_exact_on_demand(pipeline, rep, manager, monkeypatch):
    # given a cap of 20, 25 opportunities of 100 yuan and 3 signed leads of 100 and 250.50
    monkeypatch.setattr(board, "COUNT_CAP", 20)
    _place(pipeline, rep, "opportunity", [Decimal(100)] * 25)
    _place(pipeline, rep, "signed", [Decimal(100), Decimal("250.50"), None])
    # when the manager reads the board, capped and then exact
    capped = {c.stage.code: c for c in board_columns(manager, pipeline, {})}
    exact = {c.stage.code: c for c in board_columns(manager, pipeline, {}, exact=True)}
    # then the big column says "20+" without amounts, the small one is exact
    assert (capped["opportunity"].count, capped["opportunity"].capped) == (20, True)
    assert capped["opportunity"].amounts == {}
    assert len(capped["opportunity"].cards) == 25  # all of them: fewer than 30
    assert (capped["signed"].count, capped["signed"].capped) == (3, False)
    assert capped["signed"].amounts == {"CNY": Decimal("350.50")}
    assert capped["abandoned"].count == 0
    # and the exact figures count and sum everything
    assert (exact["opportunity"].count, exact["opportunity"].capped) == (25, False)
    assert exact["opportunity"].amounts == {"CNY": Decimal(2500)}
    assert exact["signed"].amounts == {"CNY": Decimal("350.50")}


def test_a_column_is_capped_over_its_owners_together(pipeline, rep, teammate, manager, monkeypatch):
    # given a cap of 20: 12 + 12 opportunities of two reps, 5 + 4 signed leads of 10 yuan
    monkeypatch.setattr(board, "COUNT_CAP", 20)
    _place(pipeline, rep, "opportunity", [Decimal(100)] * 12)
    _place(pipeline, teammate, "opportunity", [Decimal(100)] * 12)
    _place(pipeline, rep, "signed", [Decimal(10)] * 5)
    _place(pipeline, teammate, "signed", [Decimal(10)] * 4)
    # when their manager reads the board (PostgreSQL: one LATERAL read of the owners)
    columns = {c.stage.code: c for c in board_columns(manager, pipeline, {})}
    # then 24 opportunities show as capped, the 9 signed leads exactly with their sum
    assert (columns["opportunity"].count, columns["opportunity"].capped) == (20, True)
    assert columns["opportunity"].amounts == {}
    assert (columns["signed"].count, columns["signed"].capped) == (9, False)
    assert columns["signed"].amounts == {"CNY": Decimal(90)}


def test_board_page_shows_a_capped_count_and_the_exact_link(client, pipeline, rep, monkeypatch):
    # given 25 opportunities of the rep and a cap of 20
    monkeypatch.setattr(board, "COUNT_CAP", 20)
    _place(pipeline, rep, "opportunity", [Decimal(100)] * 25)
    client.force_login(rep)
    # when the board is shown, then again with exact=1
    capped = client.get(BOARD).content.decode()
    exact = client.get(BOARD, {"exact": "1"}).content.decode()
    # then the column says 20+ with a link to exact figures; exact shows 25 and 2,500 yuan
    column = capped[capped.index("<h2>意向客户(商机) ") :]
    assert '<span class="count" title="线索数">20+</span>' in column[:200]
    assert "exact=1" in column[:1000]
    column = exact[exact.index("<h2>意向客户(商机) ") :]
    assert '<span class="count" title="线索数">25</span>' in column[:200]
    assert "<span>¥2,500</span>" in column[:1000]


def test_api_board_reports_capped_columns(client, pipeline, rep, monkeypatch):
    # given 25 opportunities of the rep and a cap of 20
    monkeypatch.setattr(board, "COUNT_CAP", 20)
    _place(pipeline, rep, "opportunity", [Decimal(100)] * 25)
    # when the API's board is read, capped and exact
    capped = client.get(API_BOARD, **_auth(rep)).json()["columns"]
    exact = client.get(API_BOARD, {"exact": "true"}, **_auth(rep)).json()["columns"]
    # then the opportunity column is capped at 20 first, exact (25, 2500) on demand
    first = next(c for c in capped if c["stage"] == "意向客户(商机)")
    assert (first["count"], first["capped"], first["amounts"]) == (20, True, {})
    second = next(c for c in exact if c["stage"] == "意向客户(商机)")
    assert (second["count"], second["capped"]) == (25, False)
    assert Decimal(second["amounts"]["CNY"]) == Decimal(2500)


@pytest.mark.parametrize("exact", [False, True])
def test_rep_never_sees_another_reps_lead_on_the_board(
    client, pipeline, rep, teammate, other_team_rep, exact
):
    # given leads of the teammate and of another team in every column, one lead of the rep
    for other in (teammate, other_team_rep):
        for stage in pipeline.stages.all():
            _place(pipeline, other, stage.code, [Decimal(10)])
    _place(pipeline, rep, "opportunity", [Decimal(5)])
    mine = Lead.objects.get(owner=rep)
    # when the rep reads the board, also asking for the teammate's leads
    columns = board_columns(rep, pipeline, {}, exact=exact)
    client.force_login(rep)
    page = client.get(BOARD, {"owner": teammate.pk}).content.decode()
    api = client.get(API_BOARD, {"owner_id": teammate.pk}, **_auth(rep))
    # then only the rep's own lead is shown or counted
    assert [x.pk for c in columns for x in c.cards] == [mine.pk]
    assert sum(c.count for c in columns) == 1
    assert page.count('class="board-card"') == 1
    assert f'id="card-{mine.pk}"' in page
    assert api.status_code == 422


def test_a_lead_of_a_user_outside_every_team_stays_off_the_managers_board(pipeline, manager, rep):
    # given a lead of the rep and one of a rep in no team
    loner = UserFactory(username="loner", role="senior_rep", team=None)
    _place(pipeline, rep, "opportunity", [Decimal(1)])
    _place(pipeline, loner, "opportunity", [Decimal(2)])
    # when the manager reads the board
    columns = board_columns(manager, pipeline, {})
    # then only the team's lead is there
    owners = {x.owner_id for c in columns for x in c.cards}
    assert owners == {rep.pk}
    assert sum(c.count for c in columns) == 1
