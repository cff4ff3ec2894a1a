"""Training on the organisation's won/lost history and scoring the open leads."""

import numpy as np
import pytest
import time_machine
from sklearn.linear_model import LogisticRegression

from loudou.scoring import services, tasks
from loudou.scoring.models import LeadScore, ModelStatus, ScoringModel
from loudou.scoring.tests.factories import CLOSED, PLAN, close, history, lead_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(CLOSED, tick=False) as traveller:
        yield traveller


def _independent_probabilities() -> tuple[float, float]:
    """The same history as a plain logistic regression on the source alone (the other
    features are equal for every lead, so they cannot move the score): referral, website."""
    x = np.array([[1, 0]] * 20 + [[0, 1]] * 60)
    y = np.array([1] * 20 + [1] * 20 + [0] * 40)
    model = LogisticRegression(C=1.0).fit(x, y)
    referral, website = model.predict_proba(np.array([[1, 0], [0, 1]]))[:, 1]
    return referral, website


def test_a_source_that_always_wins_ranks_its_open_leads_higher_and_is_their_top_factor(clock, rep):
    # given
    n = history(rep, PLAN)
    referred, web = lead_from("customer_referral", rep, n), lead_from("website", rep, n + 1)
    # when
    model = services.retrain_lead_score()
    # then
    assert (model.status, model.won, model.lost) == (ModelStatus.TRAINED, 40, 40)
    scores = {s.lead_id: s for s in LeadScore.objects.all()}
    assert set(scores) == {referred.pk, web.pk}
    expected_referral, expected_website = _independent_probabilities()
    assert scores[referred.pk].probability == pytest.approx(expected_referral, abs=1e-3)
    assert scores[web.pk].probability == pytest.approx(expected_website, abs=1e-3)
    assert scores[referred.pk].probability > 0.6 > 0.4 > scores[web.pk].probability
    [factor] = scores[referred.pk].factors
    assert (factor["feature"], factor["value"]) == ("source", "customer_referral")
    assert factor["effect"] > 0
    assert scores[web.pk].factors[0]["effect"] < 0


def test_retraining_on_the_same_history_changes_nothing(clock, rep):
    # given
    n = history(rep, PLAN)
    lead_from("website", rep, n)
    first = services.retrain_lead_score()
    before = list(LeadScore.objects.values())
    # when
    clock.shift(3600)
    again = tasks.retrain_lead_score.call()
    # then
    assert again == first.pk
    assert ScoringModel.objects.count() == 1
    assert list(LeadScore.objects.values()) == before


def test_a_changed_history_gives_a_new_version_and_rescores(clock, rep):
    # given
    n = history(rep, PLAN)
    open_lead = lead_from("website", rep, n)
    first = services.retrain_lead_score()
    close(lead_from("website", rep, n + 1), won=True)
    # when
    second = services.retrain_lead_score()
    # then
    assert second.pk != first.pk
    assert (second.won, second.lost) == (41, 40)
    assert list(LeadScore.objects.values_list("lead_id", "model_id")) == [(open_lead.pk, second.pk)]


def test_too_little_history_leaves_no_model_and_no_scores(clock, rep):
    # given: 29 won leads, one short of the minimum
    n = history(rep, {"customer_referral": (9, 0), "website": (20, 40)})
    lead_from("website", rep, n)
    # when
    model = services.retrain_lead_score()
    again = services.retrain_lead_score()
    # then
    assert (model.status, model.won, model.lost, model.blob) == (
        ModelStatus.INSUFFICIENT,
        29,
        40,
        None,
    )
    assert again.pk == model.pk
    assert LeadScore.objects.count() == 0


def test_the_daily_retraining_is_on_the_worker_schedule(settings):
    assert dict(settings.LOUDOU_PERIODIC_TASKS)["loudou.scoring.tasks.retrain_lead_score"] == (
        24 * 3600
    )


def test_scores_are_withdrawn_when_the_history_no_longer_suffices(clock, rep, monkeypatch):
    # given
    n = history(rep, PLAN)
    lead_from("website", rep, n)
    services.retrain_lead_score()
    assert LeadScore.objects.count() == 1
    # when: the minimum is raised above the 40 won leads
    monkeypatch.setattr(services, "MIN_WON", 41)
    model = services.retrain_lead_score()
    # then
    assert (model.status, model.won, model.lost) == (ModelStatus.INSUFFICIENT, 40, 40)
    assert LeadScore.objects.count() == 0
    assert ScoringModel.objects.count() == 2
