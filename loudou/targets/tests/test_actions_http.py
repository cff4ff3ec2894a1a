"""Improvement actions through the API and the pages: the services' rules, so hidden is
404, visible but not theirs to change is 403, bad input 422."""

import json
from datetime import date

import pytest

from loudou.org.services import issue_api_token
from loudou.targets.choices import ActionStatus
from loudou.targets.models import ImprovementAction
from loudou.targets.tests.factories import make_action

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to("2026-04-10 10:00 +0800", tick=False)


@pytest.fixture
def api(client):
    def call(user, method, path, body=None):
        headers = {"Authorization": f"Bearer {issue_api_token(user=user)}"}
        if method == "get":
            return client.get(path, body or {}, headers=headers)
        return client.generic(
            method.upper(),
            path,
            data=json.dumps(body or {}),
            content_type="application/json",
            headers=headers,
        )

    return call


@pytest.fixture
def action(manager, team_a, rep):
    return make_action(actor=manager, owner=rep, team=team_a, deadline=date(2026, 4, 30))


def _new(owner, team):
    return {
        "variance_reason": "新客户数不足",
        "action": "每周两场线上讲座",
        "owner_id": owner.pk,
        "deadline": "2026-04-30",
        "period": "monthly",
        "period_start": "2026-04-01",
        "team_id": team.pk,
    }


def test_a_manager_adds_an_action_for_their_team(api, manager, team_a, rep):
    answer = api(manager, "post", "/api/targets/actions", _new(rep, team_a))
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["owner_id"], body["team_id"], body["status"], body["period_label"]) == (
        rep.pk,
        team_a.pk,
        "open",
        "2026年4月",
    )
    assert (body["can_manage"], body["may_complete"]) == (True, True)


def test_a_rep_may_not_add_an_action(api, rep, team_a):
    answer = api(rep, "post", "/api/targets/actions", _new(rep, team_a))
    assert answer.status_code == 403
    assert not ImprovementAction.objects.exists()


def test_without_a_target_the_period_is_required(api, manager, team_a, rep):
    body = {k: v for k, v in _new(rep, team_a).items() if k != "period"}
    answer = api(manager, "post", "/api/targets/actions", body)
    assert answer.status_code == 422
    assert "period" in answer.json()["errors"]


def test_null_where_a_value_is_required_is_422(api, manager, action):
    answer = api(manager, "patch", f"/api/targets/actions/{action.pk}", {"period": None})
    assert answer.status_code == 422
    action.refresh_from_db()
    assert action.period == "monthly"


def test_another_teams_manager_does_not_see_it(api, other_manager, action):
    assert api(other_manager, "get", f"/api/targets/actions/{action.pk}").status_code == 404
    answer = api(other_manager, "post", f"/api/targets/actions/{action.pk}/done")
    assert answer.status_code == 404
    assert api(other_manager, "get", "/api/targets/actions").json()["count"] == 0


def test_the_owner_marks_it_done_but_may_not_change_or_reopen_it(api, rep, action):
    done = api(rep, "post", f"/api/targets/actions/{action.pk}/done")
    assert (done.status_code, done.json()["status"]) == (200, "done")
    assert done.json()["can_manage"] is False
    patch = api(rep, "patch", f"/api/targets/actions/{action.pk}", {"action": "改"})
    assert patch.status_code == 403
    assert api(rep, "post", f"/api/targets/actions/{action.pk}/reopen").status_code == 403
    assert api(rep, "delete", f"/api/targets/actions/{action.pk}").status_code == 403
    action.refresh_from_db()
    assert (action.status, action.action) == (
        ActionStatus.DONE,
        "推出企业版限时折扣并加强老客户拜访",
    )


def test_the_manager_changes_reopens_and_deletes_it(api, manager, rep, action):
    patch = api(manager, "patch", f"/api/targets/actions/{action.pk}", {"deadline": "2026-05-15"})
    assert (patch.status_code, patch.json()["deadline"]) == (200, "2026-05-15")
    assert api(manager, "delete", f"/api/targets/actions/{action.pk}").status_code == 204
    assert not ImprovementAction.objects.exists()


def test_the_list_filters_by_status(api, director, manager, rep, action, team_a):
    other = make_action(actor=manager, owner=rep, team=team_a, deadline=date(2026, 5, 1))
    api(rep, "post", f"/api/targets/actions/{other.pk}/done")
    answer = api(director, "get", "/api/targets/actions", {"status": "open"})
    assert [item["id"] for item in answer.json()["items"]] == [action.pk]


def test_the_performance_page_adds_an_action_and_lists_it(client, manager, team_a, rep):
    client.force_login(manager)
    page = client.get("/analytics/performance/")
    assert page.status_code == 200
    assert 'action="/targets/actions/new/"' in page.content.decode()
    form = {
        "variance_reason": "新客户数不足",
        "action": "每周两场线上讲座",
        "owner": rep.pk,
        "deadline": "2026-04-30",
        "period": "monthly",
        "period_start": "2026-04-01",
        "team": team_a.pk,
        "next": "/analytics/performance/",
    }
    answer = client.post("/targets/actions/new/", form)
    added = ImprovementAction.objects.get()
    assert answer.status_code == 302
    assert answer.url == f"/analytics/performance/#action-{added.pk}"
    assert "每周两场线上讲座" in client.get("/analytics/performance/").content.decode()


def test_a_rep_has_no_add_form_and_is_refused(client, rep, team_a):
    client.force_login(rep)
    assert (
        'action="/targets/actions/new/"'
        not in client.get("/analytics/performance/").content.decode()
    )
    form = {
        "variance_reason": "x",
        "action": "y",
        "owner": rep.pk,
        "deadline": "2026-04-30",
        "period": "monthly",
        "period_start": "2026-04-01",
        "team": team_a.pk,
    }
    client.post("/targets/actions/new/", form)
    assert not ImprovementAction.objects.exists()


def test_the_owner_marks_it_done_from_the_row(client, rep, action):
    client.force_login(rep)
    answer = client.post(f"/targets/actions/{action.pk}/done/", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert f'id="action-{action.pk}"' in answer.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_the_detail_page_is_hidden_from_others(client, other_team_rep, rep, action):
    client.force_login(other_team_rep)
    assert client.get(f"/targets/actions/{action.pk}/").status_code == 404
    client.force_login(rep)
    assert client.get(f"/targets/actions/{action.pk}/").status_code == 200
