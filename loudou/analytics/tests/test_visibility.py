"""A rep's and a manager's analytics equal the same figures over only the leads they may
see, and asking for a team or rep they may not see is refused."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from loudou.analytics.services.conversion import conversion
from loudou.analytics.services.funnel import funnel
from loudou.analytics.services.process import process_indicators
from loudou.analytics.services.scope import Scope
from loudou.analytics.tests import fixtures
from loudou.analytics.tests.fixtures import NOW
from loudou.leads.models import Lead
from loudou.pipeline import metrics
from loudou.pipeline.models import Pipeline

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
FIGURES = ("reached", "current", "dropoff_pct", "median_days", "p75_days", "move_rate", "held")


@pytest.fixture
def month(rep, teammate, other_team_rep, director):
    return fixtures.build(rep, teammate, other_team_rep)


def _figures(result):
    return [{k: row[k] for k in FIGURES} for row in result["stages"]]


def _agrees_with_metrics(result, leads):
    pipeline = Pipeline.objects.get(is_default=True)
    durations = metrics.stage_durations(pipeline, leads, NOW)
    rates = metrics.move_rates(pipeline, leads, fixtures.at(3, 1, 0), fixtures.at(4, 1, 0))
    for row, spent, rate in zip(result["stages"], durations, rates, strict=True):
        assert (row["median_days"], row["p75_days"]) == (spent["median_days"], spent["p75_days"])
        if row["kind"] == "open":
            assert row["move_rate"] == rate["rate"]


def test_a_reps_funnel_covers_only_their_own_leads(month, rep):
    # given
    own = Lead.objects.filter(owner=rep)
    # when
    result = funnel(Scope.build(rep, **MARCH), now=NOW)
    # then
    assert result["stages"][0]["reached"] == 2
    _agrees_with_metrics(result, own)
    assert [r["rep_id"] for r in result["reps"]] == [rep.pk]


def test_a_managers_funnel_equals_the_directors_view_of_the_team(month, manager, director):
    # given
    team = manager.managed_teams.get()
    # when
    mine = funnel(Scope.build(manager, **MARCH), now=NOW)
    theirs = funnel(Scope.build(director, team=team, **MARCH), now=NOW)
    # then
    assert _figures(mine) == _figures(theirs)
    assert mine["stages"][0]["reached"] == 3
    _agrees_with_metrics(mine, Lead.objects.filter(owner__team=team))


def test_a_managers_conversion_and_process_equal_the_directors_view_of_the_team(
    month, manager, director
):
    # given
    team = manager.managed_teams.get()
    mine, theirs = Scope.build(manager, **MARCH), Scope.build(director, team=team, **MARCH)
    # when / then
    strip = lambda rows: [{k: v for k, v in r.items() if k != "drill"} for r in rows]  # noqa: E731
    assert strip(conversion(mine, by="source")) == strip(conversion(theirs, by="source"))
    assert process_indicators(mine, now=NOW) == process_indicators(theirs, now=NOW)
    assert conversion(mine, by="source")[-1]["leads"] == 3


def test_a_reps_conversion_counts_only_their_own_leads(month, rep):
    # when
    rows = conversion(Scope.build(rep, **MARCH), by="source")
    # then
    assert [(r["label"], r["leads"], r["deals"]) for r in rows] == [("展会", 2, 1), ("合计", 2, 1)]


@pytest.mark.parametrize(
    ("viewer", "asks"),
    [
        ("rep", {"rep": "teammate"}),
        ("rep", {"team": "team_a"}),
        ("manager", {"team": "team_b"}),
        ("manager", {"rep": "other_team_rep"}),
        ("marketing", {"team": "team_a"}),
    ],
)
def test_asking_for_a_team_or_rep_out_of_sight_is_refused(request, cast, viewer, asks):
    # given
    args = {k: request.getfixturevalue(v) for k, v in asks.items()}
    # when / then
    with pytest.raises(PermissionDenied):
        Scope.build(cast[viewer], **args)


def test_the_director_may_ask_for_any_team_or_rep(cast, team_b):
    # when
    scope = Scope.build(cast["director"], team=team_b, rep=cast["other_team_rep"])
    # then
    assert (scope.team, scope.rep) == (team_b, cast["other_team_rep"])
