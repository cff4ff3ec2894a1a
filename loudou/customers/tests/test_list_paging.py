"""The customer list at scale (ADR 0019): pages without a full count, the count capped,
and a rep never sees another's customer on any page."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from loudou.core import paging
from loudou.customers.models import Customer

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _customers(owner, count: int, prefix: str) -> list[Customer]:
    """`count` customers of `owner`, one minute apart (the newest is the last)."""
    made = []
    for n in range(count):
        with time_machine.travel(T0 + timedelta(minutes=n), tick=False):
            made.append(Customer.objects.create(name=f"{prefix}{n:03d}", owner=owner))
    return made


def _names(html: str, prefix: str) -> list[str]:
    return [part[: len(prefix) + 3] for part in html.split(">")[1:] if part.startswith(prefix)]


def test_customer_pages_walk_every_customer_once_with_a_capped_count(
    client, rep, other_team_rep, monkeypatch
):
    # given 120 customers of the rep, 5 of another team's rep, and a count cap of 100
    monkeypatch.setattr(paging, "COUNT_CAP", 100)
    mine = _customers(rep, 120, "甲公司")
    _customers(other_team_rep, 5, "乙公司")
    client.force_login(rep)
    # when the rep walks the list page by page
    pages = [client.get(reverse("customers:list"), {"page": n}).content.decode() for n in (1, 2, 3)]
    # then the pages hold 50, 50 and 20 customers, newest first, none twice, none of the
    # other rep; the header says 100+; only the last page has no "next" link
    seen = [name for html in pages for name in _names(html, "甲公司")]
    assert seen == [c.name for c in reversed(mine)]
    assert all("乙公司" not in html for html in pages)
    assert all("(100+)" in html for html in pages)
    assert ["page=2" in pages[0], "page=3" in pages[1], "page=4" in pages[2]] == [
        True,
        True,
        False,
    ]


def test_customer_count_is_exact_under_the_cap(client, rep):
    # given 3 customers of the rep
    _customers(rep, 3, "丙公司")
    client.force_login(rep)
    # when the list is shown, then it counts 3
    assert "(3)" in client.get(reverse("customers:list")).content.decode()


def test_a_page_number_that_is_not_a_number_shows_the_first_page(client, rep):
    _customers(rep, 2, "丁公司")
    client.force_login(rep)
    html = client.get(reverse("customers:list"), {"page": "x"}).content.decode()
    assert _names(html, "丁公司") == ["丁公司001", "丁公司000"]


@pytest.mark.parametrize("viewer", ["rep", "manager", "director"])
def test_customer_list_costs_the_same_queries_however_many_customers(
    client, cast, viewer, django_assert_num_queries
):
    # given 2 customers of the rep, seen once
    _customers(cast["rep"], 2, "戊公司")
    client.force_login(cast[viewer])
    client.get(reverse("customers:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("customers:list"))
    # when 60 more customers of three owners are added
    for n, owner in enumerate(["rep", "teammate", "other_team_rep"]):
        _customers(cast[owner], 20, f"己{n}公司")
    # then the page (50 rows) costs the same queries
    with django_assert_num_queries(len(few)):
        html = client.get(reverse("customers:list")).content.decode()
    assert html.count('<tr><td><a href="/customers/') == {"rep": 22, "manager": 42}.get(viewer, 50)
