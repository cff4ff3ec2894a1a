"""The lead list page at scale (issue 14): its filter form lists exactly what the viewer
may choose, keeps the chosen values, shows a new user at once, and the page costs a fixed
number of queries however many leads and users there are."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loudou.leads.tests.factories import make_lead
from loudou.org.tests.factories import TeamFactory, UserFactory
from loudou.pipeline.models import Stage

pytestmark = pytest.mark.django_db

LIST = "/leads/"


def select_options(html: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each option of the page's select `name`."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select[1])
    return [(value, label, bool(selected)) for value, selected, label in options]


def _labels(html: str, name: str) -> list[str]:
    return [label for _value, label, _selected in select_options(html, name)]


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("rep", ["rep"]),
        ("manager", ["manager", "rep", "teammate"]),
        ("director", ["director", "manager", "other_manager", "other_team_rep", "rep", "teammate"]),
    ],
)
def test_owner_select_lists_exactly_the_people_the_viewer_sees(
    client, cast, other_manager, viewer, expected
):
    # given display names equal to the usernames, for readable assertions
    for user in [*cast.values(), other_manager]:
        user.display_name = user.username
        user.save()
    client.force_login(cast[viewer])
    # when
    html = client.get(LIST).content.decode()
    # then
    expected = expected + (["admin_user", "marketing"] if viewer == "director" else [])
    assert sorted(_labels(html, "owner")[1:]) == sorted(expected)
    assert _labels(html, "owner")[0] == "全部"


def test_rep_sees_no_other_person_anywhere_in_the_form(client, rep, teammate, other_team_rep):
    # given
    client.force_login(rep)
    # when
    html = client.get(LIST).content.decode()
    # then neither the teammate nor the other team's rep is offered
    assert str(teammate) not in html
    assert str(other_team_rep) not in html
    assert select_options(html, "owner") == [("", "全部", True), (str(rep.pk), str(rep), False)]


def test_filter_form_keeps_the_chosen_values(client, manager, teammate):
    # given
    stage = Stage.objects.get(code="opportunity")
    client.force_login(manager)
    params = {
        "owner": teammate.pk,
        "stage": stage.pk,
        "reached": stage.pk,
        "status": "in_progress",
        "intent_grade": "B",
        "sort": "company_name",
        "q": "云帆",
    }
    # when
    html = client.get(LIST, params).content.decode()
    # then each select shows its chosen option, and only that one
    for name, value in params.items():
        if name == "q":
            assert 'name="q" value="云帆"' in html
            continue
        chosen = [v for v, _label, selected in select_options(html, name) if selected]
        assert chosen == [str(value)], name
    assert (str(teammate.pk), str(teammate), True) in select_options(html, "owner")


def test_an_unknown_owner_leaves_the_owner_select_on_all(client, director):
    # given
    client.force_login(director)
    # when
    html = client.get(LIST, {"owner": "99999"}).content.decode()
    # then
    assert [v for v, _label, selected in select_options(html, "owner") if selected] == []
    assert 'aria-invalid="true"' in html


def test_new_user_team_and_stage_name_show_in_the_form_at_once(client, director, pipeline_stage):
    # given the director has seen the list once
    client.force_login(director)
    client.get(LIST)
    # when a user and a team are created and a stage renamed
    newcomer = UserFactory(display_name="新来的销售")
    TeamFactory(name="西北新组")
    pipeline_stage.name = "已初访"
    pipeline_stage.save()
    html = client.get(LIST).content.decode()
    # then the next page offers them
    assert (str(newcomer.pk), "新来的销售", False) in select_options(html, "owner")
    assert "西北新组" in _labels(html, "team")
    assert "已初访" in _labels(html, "stage")
    assert "已初访" in _labels(html, "reached")


@pytest.fixture
def pipeline_stage(db):
    return Stage.objects.get(code="contacted")


def test_filter_form_speaks_the_viewers_language(client, rep):
    # given an English-speaking rep
    rep.language = "en"
    rep.save()
    client.force_login(rep)
    # when
    html = client.get(LIST, {"sort": "-updated_at"}).content.decode()
    # then the labels and options are English, the chosen sort kept
    assert '<label for="id_owner">Owner:</label>' in html
    assert select_options(html, "validity")[0] == ("", "All", True)
    assert ("-updated_at", "Recently updated", True) in select_options(html, "sort")


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("viewer", ["rep", "manager", "director"])
def test_lead_list_queries_do_not_grow_with_leads_or_people(
    client, cast, viewer, django_assert_max_num_queries
):
    # given a lead of each rep, seen once by the viewer
    make_lead(actor=cast["rep"])
    make_lead(actor=cast["teammate"], phone="13811110000")
    client.force_login(cast[viewer])
    client.get(LIST)
    before = _count_queries(client, LIST)
    # when 30 more leads of three owners and 10 more people of the rep's team are added
    for n in range(30):
        actor = [cast["rep"], cast["teammate"], cast["other_team_rep"]][n % 3]
        make_lead(actor=actor, phone=f"1390000{n:04d}", company_name=f"公司{n}")
    UserFactory.create_batch(10, team=cast["rep"].team)
    # then the page costs the same queries, and few
    assert _count_queries(client, LIST) == before
    with django_assert_max_num_queries(16):
        client.get(LIST, {"status": "in_progress", "sort": "company_name"})
