"""The score on the lead list, the lead page and the lead API: shown beside the rule
grade, only on leads the viewer may see, and "—" with a reason when there is no model."""

import pytest
import time_machine

from loudou.scoring import services
from loudou.scoring.models import LeadScore, ScoringModel
from loudou.scoring.selectors import scores_for
from loudou.scoring.tests.factories import CLOSED, PLAN, history, lead_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(CLOSED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def scored(clock, rep, other_team_rep):
    """Team A's history; an open referral lead of `rep`, an open website lead of the other
    team; trained."""
    n = history(rep, PLAN)
    mine = lead_from("customer_referral", rep, n)
    theirs = lead_from("website", other_team_rep, n + 1)
    services.retrain_lead_score()
    return {"mine": mine, "theirs": theirs}


def _percent(lead) -> str:
    return f"{round(LeadScore.objects.get(lead=lead).probability * 100)}%"


def test_the_lead_list_shows_each_visible_leads_predicted_rate(client, scored, rep):
    # given
    client.force_login(rep)
    # when
    page = client.get("/leads/?q=customer_referral").content.decode()
    # then
    assert "预测成交率" in page
    assert scored["mine"].number in page
    assert f"{_percent(scored['mine'])}</span>" in page
    assert scored["theirs"].number not in page


def test_the_lead_page_shows_the_rate_and_the_factor_that_drives_it(client, scored, rep):
    # given
    client.force_login(rep)
    # when
    page = client.get(f"/leads/{scored['mine'].pk}/").content.decode()
    # then
    assert f"<strong>{_percent(scored['mine'])}</strong>" in page
    assert "线索来源：客户转介绍 — ▲ 提高成交率" in page


def test_the_lead_api_gives_the_stored_score_to_whoever_sees_the_lead(client, scored, rep):
    # given
    client.force_login(rep)
    stored = LeadScore.objects.get(lead=scored["mine"])
    # when
    mine = client.get(f"/api/leads/{scored['mine'].pk}")
    theirs = client.get(f"/api/leads/{scored['theirs'].pk}")
    # then
    assert mine.status_code == 200
    score = mine.json()["predicted_score"]
    assert score["probability"] == stored.probability
    assert score["model_version"] == stored.model_id
    assert score["factors"][0]["feature"] == "source"
    assert score["factors"][0]["value"] == "customer_referral"
    assert theirs.status_code == 404


def test_the_other_team_sees_its_own_leads_score_and_not_ours(client, scored, other_team_rep):
    # given
    client.force_login(other_team_rep)
    # when
    page = client.get(f"/leads/{scored['theirs'].pk}/").content.decode()
    refused = client.get(f"/leads/{scored['mine'].pk}/")
    # then
    assert f"<strong>{_percent(scored['theirs'])}</strong>" in page
    assert "线索来源：官网表单 — ▼ 降低成交率" in page
    assert refused.status_code == 404


def test_a_lead_registered_after_training_is_scored_on_its_page_without_storing(
    client, scored, rep
):
    # given
    fresh = lead_from("customer_referral", rep, 900)
    client.force_login(rep)
    # when
    page = client.get(f"/leads/{fresh.pk}/").content.decode()
    api = client.get(f"/api/leads/{fresh.pk}").json()
    # then
    assert "即时计算" in page
    assert f"<strong>{_percent(scored['mine'])}</strong>" in page  # same features, same score
    assert api["predicted_score"] is None
    assert not LeadScore.objects.filter(lead=fresh).exists()


def test_without_enough_history_the_list_shows_a_dash_with_the_reason(client, clock, rep):
    # given
    lead = lead_from("website", rep, 1)
    services.retrain_lead_score()
    client.force_login(rep)
    # when
    page = client.get("/leads/").content.decode()
    detail = client.get(f"/leads/{lead.pk}/").content.decode()
    # then
    reason = "历史数据不足：已成交 0 个、已放弃 0 个，各需至少 30 个和 30 个。"
    assert f'<span class="muted" title="{reason}">—</span>' in page
    assert reason in detail


def test_scores_of_a_page_cost_three_queries_however_many_leads(
    scored, rep, django_assert_num_queries
):
    # given: ten leads registered since the training (scored on the spot) and a stored one
    leads = [lead_from("website", rep, 500 + i) for i in range(10)] + [scored["mine"]]
    scores_for(leads[:1])  # the model is unpickled once per process
    # when
    with django_assert_num_queries(3):
        views = scores_for(leads)
    # then
    assert [v.on_demand for v in views.values()] == [True] * 10 + [False]
    assert len({v.percent for v in views.values()}) == 2


def test_a_model_from_another_scikit_learn_is_not_used_for_new_leads(client, scored, rep):
    # given: the stored model was pickled by another scikit-learn version
    ScoringModel.objects.update(sklearn_version="0.0")
    fresh = lead_from("customer_referral", rep, 901)
    client.force_login(rep)
    # when
    page = client.get(f"/leads/{fresh.pk}/").content.decode()
    stored = client.get(f"/leads/{scored['mine'].pk}/").content.decode()
    # then
    assert "模型等待重新训练。" in page
    assert f"<strong>{_percent(scored['mine'])}</strong>" in stored
