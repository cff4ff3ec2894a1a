"""The lead list counts at most COUNT_CAP leads (ADR 0019); its keyset pages still walk
every visible lead once, in every sort, and never another rep's."""

import pytest
from django.urls import reverse

from loudou.core import paging
from loudou.leads.filters import SORTS
from loudou.leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(rep, teammate):
    mine = [
        make_lead(actor=rep, company_name=f"公司{n % 3}号", phone=f"1380000{n:04d}")
        for n in range(7)
    ]
    theirs = [make_lead(actor=teammate, phone=f"1390000{n:04d}") for n in range(2)]
    return mine, theirs


def _walk(client, sort: str) -> list[int]:
    """The ids of every page of the list (3 a page), following the next-page links."""
    import re

    seen, url = [], f"{reverse('leads:list')}?sort={sort}"
    for _ in range(10):
        html = client.get(url).content.decode()
        seen += [int(x) for x in re.findall(r'href="/leads/(\d+)/"', html)]
        found = re.search(r'id="next-page" href="([^"]+)"', html)
        if not found:
            return seen
        url = reverse("leads:list") + found.group(1).replace("&amp;", "&")
    return seen


@pytest.mark.parametrize("sort", list(SORTS))
def test_pages_walk_every_visible_lead_once_in_every_sort(client, rep, leads, sort, monkeypatch):
    # given 7 leads of the rep, 2 of the teammate, pages of 3
    mine, theirs = leads
    monkeypatch.setattr("loudou.leads.views.PAGE_SIZE", 3)
    client.force_login(rep)
    # when the rep walks the pages
    seen = _walk(client, sort)
    # then each of the rep's leads comes once, and no lead of the teammate
    assert sorted(seen) == sorted(x.pk for x in mine)


def test_lead_list_count_is_capped(client, manager, leads, monkeypatch):
    # given 9 leads of the team and a cap of 5
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    client.force_login(manager)
    # when the manager opens the list, unfiltered and filtered to one company
    everything = client.get(reverse("leads:list")).content.decode()
    one = client.get(reverse("leads:list"), {"q": "公司1号"}).content.decode()
    # then the first says 5+, the second counts its 2 leads exactly (n = 1 and 4)
    assert '<span class="muted">(5+)</span>' in everything
    assert '<span class="muted">(2)</span>' in one
