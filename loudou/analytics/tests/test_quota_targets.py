"""The quota (定额) reads the stored targets and splits per rep by their own targets and
their own conversion, on the hand-built month (fixtures.py; hand counts in comments).

Ideal move rates: resource 100 %, graded 90 %, contacted 50 %, lead customer 30 %,
opportunity 10 %. Measured in March (company): 100, 50, 100, 100, 100; per rep: rep
(L1, L2) 100, 50, 100, —, —; teammate (L3) 100, 0 (falls back), —, —, —; other_team_rep
(L4) 100 at every stage. Deals in Q1: L1 (rep, 100), L4 (other_team_rep, 300).
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from loudou.analytics.services.quota import reverse_funnel, stored_target
from loudou.analytics.services.scope import Scope
from loudou.analytics.tests import fixtures
from loudou.org.services import issue_api_token
from loudou.targets.tests.factories import make_target

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
Q1 = {"period": "quarterly", "start": date(2026, 1, 1)}


@pytest.fixture
def month(rep, teammate, other_team_rep, director):
    return fixtures.build(rep, teammate, other_team_rep)


def _cells(quota) -> dict[str, list]:
    return {r["name"]: [c["needed"] for c in r["cells"]] for r in quota["reps"]}


def test_without_a_typed_number_the_quota_reads_the_stored_target_still_to_reach(month, director):
    # given  a year of 20 and Q1 of 6 orders: Q1 is the shortest covering March; 2 signed
    make_target(actor=director, metric="orders", value=20)
    q1 = make_target(actor=director, metric="orders", value=6, **Q1)
    scope = Scope.build(director, **MARCH)
    # when
    quota = reverse_funnel(scope, basis="ideal")
    # then  4 to go: opportunity 4/10% = 40; 40/30% → 134; /50% = 268; /90% → 298; 298
    assert stored_target(scope) == q1
    assert quota["target_deals"] == 4
    assert quota["source"] == {
        "kind": "stored",
        "target_id": q1.pk,
        "label": str(q1),
        "metric": "orders",
        "value": Decimal("6.00"),
        "actual": Decimal(2),
        "deals_to_go": 4,
    }
    assert [s["needed"] for s in quota["stages"]] == [298, 298, 268, 134, 40]


def test_a_revenue_target_to_go_is_divided_by_the_average_deal(month, director):
    # given  Q1 revenue 1000, reached 400; the average deal is (100 + 300) / 2 = 200
    make_target(actor=director, value=1000, **Q1)
    # when
    quota = reverse_funnel(Scope.build(director, **MARCH), basis="ideal")
    # then  600 / 200 = 3
    assert (quota["target_deals"], str(quota["average_deal"])) == (3, "200.00")


def test_a_typed_number_overrides_the_stored_target(month, director):
    # given
    make_target(actor=director, metric="orders", value=6, **Q1)
    # when
    quota = reverse_funnel(Scope.build(director, **MARCH), target_deals=2, basis="ideal")
    # then
    assert (quota["target_deals"], quota["source"]) == (2, {"kind": "typed"})


def test_reps_with_their_own_target_take_it_and_the_others_share_the_rest(
    month, director, rep, teammate, other_team_rep
):
    # given  company Q1 6 orders (4 to go); rep's own Q1 3 orders, 1 signed: 2 to go;
    # teammate and other_team_rep share 4 - 2 = 2: one each
    make_target(actor=director, metric="orders", value=6, **Q1)
    make_target(actor=director, metric="orders", value=3, scope_kind="person", person=rep, **Q1)
    # when
    quota = reverse_funnel(Scope.build(director, **MARCH), basis="ideal")
    # then  2 deals: 20, 66.7 → 67, 133.3 → 134, 148.1 → 149, 149; 1 deal: 10, 33.3 → 34,
    # 66.7 → 67, 74.1 → 75, 75
    rows = {r["name"]: (r["deals"], r["basis"]) for r in quota["reps"]}
    assert rows == {
        str(rep): (2.0, "own_target"),
        str(teammate): (1.0, "split"),
        str(other_team_rep): (1.0, "split"),
    }
    assert _cells(quota) == {
        str(rep): [149, 149, 134, 67, 20],
        str(teammate): [75, 75, 67, 34, 10],
        str(other_team_rep): [75, 75, 67, 34, 10],
    }


def test_each_rep_needs_leads_by_their_own_measured_conversion(
    month, director, rep, teammate, other_team_rep
):
    # given  2 deals typed, no rep target: 2/3 each
    scope = Scope.build(director, **MARCH)
    # when
    quota = reverse_funnel(scope, target_deals=2)
    # then  rep: opportunity and lead customer at the company's 100 %, contacted own
    # 100 % → 1 each; graded own 50 % → 4/3 → 2; resource 100 % → 2. teammate's graded
    # rate is 0 %: the company's 50 % instead. other_team_rep converts at 100 % everywhere
    # and needs one lead per stage where the even split asked two at the first stages.
    assert _cells(quota) == {
        str(rep): [2, 2, 1, 1, 1],
        str(teammate): [2, 2, 1, 1, 1],
        str(other_team_rep): [1, 1, 1, 1, 1],
    }
    bases = {r["name"]: [c["rate_basis"] for c in r["cells"]] for r in quota["reps"]}
    assert bases[str(rep)] == ["own", "own", "own", "scope", "scope"]
    assert bases[str(teammate)] == ["own", "scope", "scope", "scope", "scope"]
    assert bases[str(other_team_rep)] == ["own"] * 5


def test_a_manager_reads_their_teams_target(month, manager, director, team_a):
    # given  the company's target and team A's
    make_target(actor=director, metric="orders", value=50, **Q1)
    team = make_target(
        actor=director, metric="orders", value=5, scope_kind="team", team=team_a, **Q1
    )
    # when
    found = stored_target(Scope.build(manager, **MARCH))
    # then
    assert found == team


def test_the_quota_page_and_api_use_the_stored_target_when_none_is_typed(client, month, director):
    # given
    q1 = make_target(actor=director, metric="orders", value=6, **Q1)
    client.force_login(director)
    query = {"start": "2026-03-01", "end": "2026-03-31", "basis": "ideal"}
    # when
    page = client.get(reverse("analytics:quota"), query)
    answer = client.get(
        "/api/analytics/quota",
        query,
        headers={"Authorization": f"Bearer {issue_api_token(user=director)}"},
    )
    # then
    html = page.content.decode()
    assert page.context["quota"]["target_deals"] == 4
    assert f'href="/targets/{q1.pk}/"' in html
    assert "还需签约 4 个" in html
    assert (answer.status_code, answer.json()["source"]["deals_to_go"]) == (200, 4)


def test_the_quota_page_says_what_to_do_without_any_target(client, month, director):
    client.force_login(director)
    response = client.get(reverse("analytics:quota"), {"start": "2026-03-01", "end": "2026-03-31"})
    assert response.context["quota"] is None
    assert "先设定本期的订单数或销售额目标" in response.content.decode()
