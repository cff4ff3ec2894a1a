"""The lead list: search (phone tail, pinyin initials), filters, sorting, keyset paging,
saved views — the same on the page and the API."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from loudou.leads.models import SavedView
from loudou.leads.tests.factories import make_lead
from loudou.org.services import issue_api_token


def _ids(client, user, **params) -> list[int]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}
    response = client.get(f"/api/leads?{urlencode(params)}", **headers)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def three_leads(rep):
    return [
        make_lead(
            actor=rep, company_name="杭州数智科技有限公司", contact_name="王伟", phone="13812345678"
        ),
        make_lead(
            actor=rep,
            company_name="广州顺达物流股份有限公司",
            contact_name="李娜",
            phone="13987650001",
        ),
        make_lead(
            actor=rep, company_name="北京恒远建设集团", contact_name="张强", phone="010-62345678"
        ),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kjyx", [0]),  # 科技有限 initials
        ("shuzhi", [0]),  # full pinyin
        ("sdwl", [1]),
        ("5678", [0, 2]),  # last 4 digits of two phones
        ("0001", [1]),
        ("13987650001", [1]),  # whole number
        ("139 8765 0001", [1]),
        ("顺达", [1]),
        ("张强", [2]),
        ("zq", [2]),  # contact initials
        ("nothing", []),
    ],
)
def test_search_finds_leads_by_name_phone_tail_and_pinyin(
    client, rep, three_leads, query, expected
):
    # when
    found = _ids(client, rep, q=query)
    # then
    assert sorted(found) == sorted(three_leads[i].pk for i in expected)


def test_search_on_the_page_matches_the_api(client, rep, three_leads):
    # given
    client.force_login(rep)
    # when
    html = client.get(reverse("leads:list"), {"q": "kjyx"}).content.decode()
    # then
    assert three_leads[0].number in html
    assert three_leads[1].number not in html


def test_search_never_reaches_invisible_leads(client, rep, other_team_rep, three_leads):
    # when / then
    assert _ids(client, other_team_rep, q="kjyx") == []
    assert _ids(client, other_team_rep, q="5678") == []


def test_filters_combine_and_sorting_orders(client, rep, teammate, manager, three_leads):
    # given
    make_lead(actor=teammate, company_name="深圳南方电子有限公司")
    # when / then: the manager filters by owner, and sorts by company name
    assert sorted(_ids(client, manager, owner=rep.pk)) == sorted(lead.pk for lead in three_leads)
    by_name = _ids(client, manager, sort="company_name")
    assert len(by_name) == 4
    # ordering by the database's collation of company_name, computed independently
    from loudou.leads.models import Lead

    assert by_name == list(Lead.objects.order_by("company_name", "id").values_list("id", flat=True))


def _api_pages(client, headers: dict, params: dict, most: int = 10) -> list[int]:
    """The lead ids of every page of /api/leads with `params`, following next_cursor."""
    seen, cursor = [], None
    for _ in range(most):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        body = client.get(f"/api/leads?{urlencode(query)}", **headers).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    return seen


def test_keyset_pages_cover_every_lead_once_in_order(client, rep):
    # given 7 leads
    leads = [make_lead(actor=rep, company_name=f"分页测试{i}有限公司") for i in range(7)]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=rep)}"}
    # when paging 3 at a time
    seen = _api_pages(client, headers, {"limit": 3})
    # then: newest first, no repeats, nothing missed
    assert seen == [lead.pk for lead in reversed(leads)]


def test_a_bad_cursor_is_a_clear_422_on_the_api_and_ignored_on_the_page(client, rep):
    # given
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=rep)}"}
    client.force_login(rep)
    # when / then
    response = client.get("/api/leads?cursor=not-a-cursor", **headers)
    assert response.status_code == 422
    assert "cursor" in response.json()["errors"]
    assert client.get(reverse("leads:list"), {"cursor": "%%%"}).status_code == 200


def test_saved_views_belong_to_their_user(client, rep, teammate):
    # given
    client.force_login(rep)
    client.post(
        reverse("leads:saved_view_create"),
        {"name": "我的A类", "query": "intent_grade=A&cursor=abc"},
    )
    view = SavedView.objects.get(user=rep)
    # then: saved without paging noise, listed for rep only
    assert view.query == "intent_grade=A"
    assert "我的A类" in client.get(reverse("leads:list")).content.decode()
    teammate_headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=teammate)}"}
    assert client.get("/api/leads/views", **teammate_headers).json() == []
    # when the teammate tries to delete it
    response = client.delete(f"/api/leads/views/{view.pk}", **teammate_headers)
    # then
    assert response.status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_overdue_filter_lists_leads_with_an_open_next_action_past_due(client, rep, three_leads):
    # given one lead with an overdue action, one with an action due tomorrow, one done
    from datetime import timedelta

    from django.utils import timezone

    from loudou.activities.services import complete_next_action, log_follow_up

    now = timezone.now()
    overdue, upcoming, done = three_leads
    for lead, due in [
        (overdue, now - timedelta(hours=2)),
        (upcoming, now + timedelta(days=1)),
        (done, now - timedelta(hours=2)),
    ]:
        follow_up = log_follow_up(
            lead=lead,
            actor=rep,
            values={"summary": "电话沟通", "next_action": "发报价", "next_action_due": due},
        )
    complete_next_action(follow_up=follow_up, actor=rep, result="done")
    client.force_login(rep)
    # when
    found = _ids(client, rep, overdue="true")
    html = client.get(reverse("leads:list"), {"overdue": "on"}).content.decode()
    # then
    assert found == [overdue.pk]
    assert overdue.number in html
    assert upcoming.number not in html
    assert done.number not in html


@pytest.mark.parametrize("query", ["测试", "分页测试", "fycs"])
def test_a_managers_search_pages_cover_the_teams_matches_once_in_order(
    client, rep, teammate, other_team_rep, manager, query
):
    """A search of 3+ characters reads the text index in one query; a shorter one merges
    the members' ranges (filters.paging_owners): the pages are the same either way."""
    # given matching leads of both team members, interleaved in time, and another team's
    from loudou.leads.filters import LeadFilterForm, paging_owners

    owners = [rep, teammate] * 4
    mine = [
        make_lead(actor=owner, owner=owner, company_name=f"分页测试{i}号公司")
        for i, owner in enumerate(owners)
    ]
    make_lead(actor=other_team_rep, owner=other_team_rep, company_name="分页测试外组公司")
    make_lead(actor=rep, owner=rep, company_name="别的公司")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=manager)}"}
    # when the manager pages through the search 3 at a time
    seen = _api_pages(client, headers, {"q": query, "limit": 3})
    # then: the team's matches, newest first, once each; merged only for the short term
    assert seen == [lead.pk for lead in reversed(mine)]
    form = LeadFilterForm({"q": query}, user=manager)
    assert (paging_owners(form, manager) is None) == (len(query) >= 3)


@pytest.mark.parametrize("sort", ["company_name", "-updated_at", "captured_at", "intent_grade"])
def test_a_managers_pages_in_every_sort_are_the_teams_leads_in_that_order(
    client, rep, teammate, other_team_rep, manager, sort
):
    """Sorts on captured_at, updated_at and company_name merge the members' ranges of the
    (owner, field, id) indexes (filters.keyset_page); ties are broken by id either way."""
    from loudou.leads.models import Lead

    # given the team's leads with repeated names (ties), interleaved owners, and another team's
    names = ["乙公司", "甲公司", "乙公司", "丙公司", "甲公司", "丁公司", "乙公司"]
    for i, name in enumerate(names):
        owner = [rep, teammate][i % 2]
        make_lead(actor=owner, owner=owner, company_name=name)
    make_lead(actor=other_team_rep, owner=other_team_rep, company_name="甲公司")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=manager)}"}
    # when the manager pages 2 at a time
    seen = _api_pages(client, headers, {"sort": sort, "limit": 2})
    # then: the order the database gives the whole team's leads in one sorted query
    order = [sort, "-id"] if sort.startswith("-") else [sort, "id"]
    team = Lead.objects.filter(owner__in=[rep, teammate]).order_by(*order)
    assert seen == list(team.values_list("id", flat=True))
    assert len(seen) == len(names)
