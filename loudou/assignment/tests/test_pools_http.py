import pytest

from loudou.assignment.models import Assignment, PoolEntry
from loudou.assignment.tests.factories import make_pool, pooled_lead
from loudou.leads.tests.factories import make_lead
from loudou.org.services import issue_api_token


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


def test_pool_page_lists_pooled_leads_masked_with_claims_left(client, rep, marketing):
    # given
    pool = make_pool(max_claims_per_day=3)
    pooled_lead(pool=pool, actor=marketing, company_name="公海公司", phone="13812345678")
    client.force_login(rep)

    # when
    response = client.get("/assignment/pools/")

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "公海公司" in html
    assert "138****5678" in html
    assert "13812345678" not in html
    assert "今日还可领取 3 / 3 条" in html


def test_claim_button_claims_the_lead_through_htmx(client, rep, marketing):
    # given
    lead = pooled_lead(pool=make_pool(), actor=marketing)
    client.force_login(rep)

    # when
    response = client.post(f"/assignment/leads/{lead.pk}/claim/", HTTP_HX_REQUEST="true")

    # then
    assert response.status_code == 200
    assert "已领取" in response.content.decode()
    lead.refresh_from_db()
    assert lead.owner == rep


def test_claim_button_shows_the_refusal(client, rep, marketing):
    # given
    pool = make_pool(max_claims_per_day=0)
    lead = pooled_lead(pool=pool, actor=marketing)
    client.force_login(rep)

    # when
    response = client.post(f"/assignment/leads/{lead.pk}/claim/", HTTP_HX_REQUEST="true")

    # then
    assert "今天已从华东公海领取 0 条线索，达到每日上限。" in response.content.decode()
    lead.refresh_from_db()
    assert lead.owner is None


def test_api_lists_pools_and_their_leads_masked(client, rep, marketing):
    # given
    pool = make_pool(max_claims_per_day=4)
    lead = pooled_lead(pool=pool, actor=marketing, email="wang@example.com")

    # when
    pools = client.get("/api/assignment/pools", **_auth(rep)).json()
    leads = client.get(f"/api/assignment/pools/{pool.pk}/leads", **_auth(rep)).json()

    # then
    assert [(p["name"], p["lead_count"], p["claims_left_today"]) for p in pools] == [
        ("华东公海", 1, 4)
    ]
    assert [(row["id"], row["phone"], row["email"]) for row in leads] == [
        (lead.pk, "138****5678", "w***@example.com")
    ]


def test_api_claim_then_second_claim_is_refused(client, rep, teammate, marketing):
    # given
    lead = pooled_lead(pool=make_pool(), actor=marketing)

    # when
    first = client.post(f"/api/assignment/leads/{lead.pk}/claim", **_auth(rep))
    second = client.post(f"/api/assignment/leads/{lead.pk}/claim", **_auth(teammate))

    # then
    assert first.status_code == 200
    assert first.json()["owner_id"] == rep.pk
    assert second.status_code == 404
    assert Assignment.objects.filter(lead=lead).count() == 1


def test_api_claim_beyond_the_cap_is_422_and_writes_nothing(client, rep, marketing):
    # given
    lead = pooled_lead(pool=make_pool(max_holding=0), actor=marketing)

    # when
    response = client.post(f"/api/assignment/leads/{lead.pk}/claim", **_auth(rep))

    # then
    assert response.status_code == 422
    assert response.json() == {"errors": {"__all__": ["您已持有 0 条线索，达到上限 0。"]}}
    lead.refresh_from_db()
    assert lead.owner is None
    assert not Assignment.objects.exists()


def test_api_release_of_own_lead(client, rep):
    # given
    pool = make_pool()
    lead = make_lead(actor=rep)

    # when
    response = client.post(
        f"/api/assignment/leads/{lead.pk}/release",
        {"pool_id": pool.pk},
        content_type="application/json",
        **_auth(rep),
    )

    # then
    assert response.status_code == 200
    assert PoolEntry.objects.get(lead=lead).previous_owner == rep


@pytest.mark.parametrize("who", ["teammate", "other_team_rep", "other_manager"])
def test_api_release_of_an_invisible_lead_is_404(client, request, rep, who):
    # given
    pool = make_pool()
    lead = make_lead(actor=rep)
    user = request.getfixturevalue(who)

    # when
    response = client.post(
        f"/api/assignment/leads/{lead.pk}/release",
        {"pool_id": pool.pk},
        content_type="application/json",
        **_auth(user),
    )

    # then
    assert response.status_code == 404
    lead.refresh_from_db()
    assert lead.owner == rep
    assert not PoolEntry.objects.exists()


def test_release_page_refuses_invisible_lead(client, rep, teammate):
    # given
    pool = make_pool()
    lead = make_lead(actor=teammate)
    client.force_login(rep)

    # when
    response = client.post(f"/assignment/leads/{lead.pk}/release/", {"pool": pool.pk})

    # then
    assert response.status_code == 404
    assert not PoolEntry.objects.exists()


def test_reps_see_pool_leads_but_not_other_owned_leads(client, rep, teammate, marketing):
    # given
    pool = make_pool()
    pooled = pooled_lead(pool=pool, actor=marketing, company_name="池中")
    owned = make_lead(actor=teammate, company_name="已有人")

    # when
    leads = client.get(f"/api/assignment/pools/{pool.pk}/leads", **_auth(rep)).json()
    detail = client.get(f"/api/leads/{owned.pk}", **_auth(rep))

    # then
    assert [row["id"] for row in leads] == [pooled.pk]
    assert detail.status_code == 404


def test_marketing_sees_no_pools(client, marketing):
    # given
    pool = make_pool()
    pooled_lead(pool=pool, actor=marketing)

    # when
    pools = client.get("/api/assignment/pools", **_auth(marketing))
    leads = client.get(f"/api/assignment/pools/{pool.pk}/leads", **_auth(marketing))

    # then
    assert pools.json() == []
    assert leads.status_code == 404


def test_api_claim_of_an_owned_lead_is_404(client, rep, teammate):
    # given
    make_pool()
    lead = make_lead(actor=teammate)

    # when
    response = client.post(f"/api/assignment/leads/{lead.pk}/claim", **_auth(rep))

    # then
    assert response.status_code == 404
    lead.refresh_from_db()
    assert lead.owner == teammate
    assert not Assignment.objects.exists()


def test_pool_page_query_count_does_not_grow_with_leads(
    client, rep, marketing, django_assert_max_num_queries
):
    # given
    pool = make_pool()
    for i in range(15):
        pooled_lead(pool=pool, actor=marketing, company_name=f"公司{i}")
    client.force_login(rep)

    # when
    with django_assert_max_num_queries(15):
        response = client.get(f"/assignment/pools/?pool={pool.pk}")

    # then
    assert response.content.decode().count('id="pool-lead-') == 15


def test_handover_page_is_refused_to_reps_and_open_to_managers(client, rep, manager):
    # given
    client.force_login(rep)

    # when
    refused = client.get("/assignment/handover/")
    client.force_login(manager)
    opened = client.get("/assignment/handover/")

    # then
    assert refused.status_code == 403
    assert opened.status_code == 200
    assert 'name="successors"' in opened.content.decode()
