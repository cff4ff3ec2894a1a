"""/api/health/: the pages' permissions, refusals included (404 hidden, 403 not allowed)."""

import pytest

from loudou.core.models import Event
from loudou.health.choices import CaseStatus
from loudou.health.models import ExceptionCase, HealthReport, Thresholds
from loudou.health.tests.factories import make_case, make_report, new_lead
from loudou.org.services import issue_api_token

pytestmark = pytest.mark.django_db


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


@pytest.fixture
def cases(cast, other_manager):
    """rep's case owned by the manager, teammate's owned by teammate, team B's case."""
    return {
        "rep": make_case(rep=cast["rep"], owner=cast["manager"], rule="high_abandonment"),
        "teammate": make_case(rep=cast["teammate"], owner=cast["teammate"]),
        "other": make_case(rep=cast["other_team_rep"], owner=other_manager),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("rep", {"rep"}),
        ("teammate", {"teammate"}),
        ("manager", {"rep", "teammate"}),
        ("other_manager", {"other"}),
        ("director", {"rep", "teammate", "other"}),
        ("admin_user", {"rep", "teammate", "other"}),
        ("marketing", set()),
    ],
)
def test_case_list_shows_only_visible_cases(request, client, cases, who, expected):
    user = request.getfixturevalue(who)
    ids = {c["id"] for c in client.get("/api/health/cases", **auth(user)).json()}
    assert ids == {cases[name].pk for name in expected}


def test_case_list_filters_by_rule_and_status(client, cases, director):
    cases["teammate"].status = CaseStatus.RESOLVED
    cases["teammate"].save()
    got = client.get("/api/health/cases?status=unresolved", **auth(director)).json()
    assert {c["id"] for c in got} == {cases["rep"].pk, cases["other"].pk}
    got = client.get("/api/health/cases?rule=high_abandonment", **auth(director)).json()
    assert [c["id"] for c in got] == [cases["rep"].pk]
    assert got[0]["suggested_action"].startswith("抽查放弃原因")


@pytest.mark.parametrize("who", ["teammate", "other_team_rep", "other_manager", "marketing"])
def test_hidden_case_is_404(request, client, cases, who):
    user = request.getfixturevalue(who)
    pk = cases["rep"].pk
    assert client.get(f"/api/health/cases/{pk}", **auth(user)).status_code == 404
    response = client.post(
        f"/api/health/cases/{pk}/acknowledge", {}, "application/json", **auth(user)
    )
    assert response.status_code == 404
    assert ExceptionCase.objects.get(pk=pk).status == CaseStatus.OPEN


def test_rep_sees_but_may_not_resolve_a_case_owned_by_the_manager(client, cases, rep):
    pk = cases["rep"].pk
    assert client.get(f"/api/health/cases/{pk}", **auth(rep)).status_code == 200
    response = client.post(
        f"/api/health/cases/{pk}/resolve", {"note": "x"}, "application/json", **auth(rep)
    )
    assert response.status_code == 403
    assert ExceptionCase.objects.get(pk=pk).status == CaseStatus.OPEN
    assert not Event.objects.filter(verb="health.resolve").exists()


def test_manager_acknowledges_then_resolves(client, cases, manager):
    pk = cases["rep"].pk
    url = f"/api/health/cases/{pk}"
    acked = client.post(
        f"{url}/acknowledge", {"note": "已约谈"}, "application/json", **auth(manager)
    )
    done = client.post(f"{url}/resolve", {"note": "已改进"}, "application/json", **auth(manager))
    again = client.post(f"{url}/acknowledge", {}, "application/json", **auth(manager))
    assert acked.json()["status"] == "acknowledged"
    assert acked.json()["acknowledge_note"] == "已约谈"
    assert done.json()["status"] == "resolved"
    assert done.json()["resolved_by_id"] == manager.pk
    assert again.status_code == 422
    assert "errors" in again.json()


def test_owner_rep_resolves_their_own_case(client, cases, teammate):
    pk = cases["teammate"].pk
    response = client.post(
        f"/api/health/cases/{pk}/resolve", {}, "application/json", **auth(teammate)
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("who", "team", "status"),
    [
        ("rep", None, 403),
        ("rep", "team_a", 404),
        ("manager", None, 403),
        ("manager", "team_b", 404),
        ("marketing", None, 403),
    ],
)
def test_sweep_refusals(request, client, who, team, status, team_a, team_b, cast):
    user = request.getfixturevalue(who)
    payload = {"team": request.getfixturevalue(team).pk} if team else {}
    response = client.post("/api/health/sweep", payload, "application/json", **auth(user))
    assert response.status_code == status
    assert not ExceptionCase.objects.exists()


def test_manager_sweeps_their_team(client, clock, manager, rep, team_a):
    new_lead(rep)
    clock.shift(25 * 3600)
    response = client.post(
        "/api/health/sweep", {"team": team_a.pk}, "application/json", **auth(manager)
    )
    assert response.status_code == 200
    assert response.json()["by_rule"]["no_follow_up"] == 1
    assert ExceptionCase.objects.filter(rule="no_follow_up", rep=rep).count() == 1


@pytest.mark.parametrize("who", ["rep", "teammate", "marketing", "other_team_rep"])
def test_reps_may_not_read_thresholds(request, client, who, cast):
    user = request.getfixturevalue(who)
    assert client.get("/api/health/thresholds", **auth(user)).status_code == 403


def test_manager_reads_company_thresholds_but_not_another_teams(client, manager, team_b):
    got = client.get("/api/health/thresholds", **auth(manager)).json()
    assert got["values"]["follow_up_hours"] == 24
    assert got["editable"] is False
    assert (
        client.get(f"/api/health/thresholds?team={team_b.pk}", **auth(manager)).status_code == 404
    )


@pytest.mark.parametrize(
    ("who", "team", "status"),
    [
        ("manager", None, 403),
        ("manager", "team_b", 404),
        ("rep", "team_a", 404),
        ("rep", None, 403),
    ],
)
def test_threshold_update_refusals(request, client, who, team, status, team_a, team_b, cast):
    user = request.getfixturevalue(who)
    payload = {"values": {"follow_up_hours": 12}}
    if team:
        payload["team"] = request.getfixturevalue(team).pk
    response = client.put("/api/health/thresholds", payload, "application/json", **auth(user))
    assert response.status_code == status
    assert list(Thresholds.objects.values_list("team", "follow_up_hours")) == [(None, 24)]
    assert not Event.objects.filter(verb="health.thresholds_changed").exists()


def test_manager_sets_own_team_thresholds_audited(client, manager, team_a):
    payload = {"team": team_a.pk, "values": {"follow_up_hours": 12}}
    response = client.put("/api/health/thresholds", payload, "application/json", **auth(manager))
    assert response.status_code == 200
    assert response.json() == {
        "team_id": team_a.pk,
        "own": True,
        "editable": True,
        "values": {**Thresholds.objects.get(team=None).values(), "follow_up_hours": 12},
    }
    event = Event.objects.get(verb="health.thresholds_changed")
    assert event.actor == manager
    assert {"field": "follow_up_hours", "before": None, "after": 12} in event.changes


def test_director_changes_company_thresholds(client, director):
    payload = {"values": {"abandon_rate_max": 70}}
    response = client.put("/api/health/thresholds", payload, "application/json", **auth(director))
    assert response.status_code == 200
    assert Thresholds.objects.get(team=None).abandon_rate_max == 70
    event = Event.objects.get(verb="health.thresholds_changed")
    assert event.changes == [{"field": "abandon_rate_max", "before": 50, "after": 70}]


@pytest.mark.parametrize(
    "values", [{"abandon_rate_max": 0}, {"unknown": 1}, {"follow_up_hours": -1}]
)
def test_invalid_thresholds_are_422_and_change_nothing(client, director, values):
    response = client.put(
        "/api/health/thresholds", {"values": values}, "application/json", **auth(director)
    )
    assert response.status_code == 422
    assert Thresholds.objects.get(team=None).values()["abandon_rate_max"] == 50


@pytest.fixture
def reports(team_a, team_b):
    return {
        "a": make_report(team=team_a),
        "b": make_report(team=team_b),
        "co": make_report(team=None),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("rep", set()),
        ("marketing", set()),
        ("manager", {"a"}),
        ("other_manager", {"b"}),
        ("director", {"a", "b", "co"}),
    ],
)
def test_report_list_visibility(request, client, reports, cast, other_manager, who, expected):
    user = request.getfixturevalue(who)
    ids = {r["id"] for r in client.get("/api/health/reports", **auth(user)).json()}
    assert ids == {reports[name].pk for name in expected}


@pytest.mark.parametrize("who", ["rep", "other_manager", "marketing"])
@pytest.mark.parametrize("suffix", ["", "/pdf", "/xlsx"])
def test_hidden_report_is_404(request, client, reports, cast, other_manager, who, suffix):
    user = request.getfixturevalue(who)
    response = client.get(f"/api/health/reports/{reports['a'].pk}{suffix}", **auth(user))
    assert response.status_code == 404


def test_manager_downloads_their_report(client, reports, manager):
    pk = reports["a"].pk
    got = client.get(f"/api/health/reports/{pk}", **auth(manager)).json()
    pdf = client.get(f"/api/health/reports/{pk}/pdf", **auth(manager))
    xlsx = client.get(f"/api/health/reports/{pk}/xlsx", **auth(manager))
    assert got["data"]["bottlenecks"][0]["stage"] == "已接触"
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert xlsx.content.startswith(b"PK")


@pytest.mark.parametrize(
    ("who", "team", "status"),
    [("manager", None, 403), ("manager", "team_b", 404), ("rep", None, 403)],
)
def test_report_generation_refusals(request, client, who, team, status, cast, team_b):
    user = request.getfixturevalue(who)
    payload = {"team": request.getfixturevalue(team).pk} if team else {}
    response = client.post("/api/health/reports", payload, "application/json", **auth(user))
    assert response.status_code == status
    assert not HealthReport.objects.exists()


def test_manager_generates_their_team_report_once(client, clock, manager, team_a):
    payload = {"team": team_a.pk, "week": "2026-08-26"}
    first = client.post("/api/health/reports", payload, "application/json", **auth(manager))
    second = client.post("/api/health/reports", payload, "application/json", **auth(manager))
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["period_start"] == "2026-08-24"
    assert first.json()["generated_by_id"] == manager.pk
