"""/api/targets/: the pages' work through the API, with ADR 0011's input contract."""

import json
from datetime import date

import pytest

from loudou.core.models import Event
from loudou.org.services import issue_api_token
from loudou.targets.models import Milestone, StrategyPlan, Target
from loudou.targets.tests.factories import at, make_target, won_deal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to("2026-06-15 10:00 +0800", tick=False)


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


NEW = {"period": "annual", "start": "2026-01-01", "metric": "revenue", "value": "1000"}


def test_create_read_and_list_a_target_with_its_actual(api, director, rep):
    # given
    won_deal(owner=rep, when=at(2026, 3, 1), amount=250)
    # when
    created = api(director, "post", "/api/targets", {**NEW, "scope_kind": "company"})
    listed = api(director, "get", "/api/targets", {"year": 2026, "metric": "revenue"})
    # then
    body = created.json()
    assert created.status_code == 201
    assert {k: body[k] for k in ("period_label", "end", "value", "actual", "completion_pct")} == {
        "period_label": "2026年",
        "end": "2026-12-31",
        "value": "1000.00",
        "actual": "250.00",
        "completion_pct": 25.0,
    }
    assert (body["rollup_status"], body["can_manage"]) == ("none", True)
    assert listed.json()["count"] == 1
    assert listed.json()["items"][0]["id"] == body["id"]


def test_refused_values_come_back_as_one_422_body(api, director):
    # when
    company = {**NEW, "scope_kind": "company"}
    period = api(director, "post", "/api/targets", {**company, "start": "2026-02-01"})
    oversized = api(director, "post", "/api/targets", {**company, "value": "1e20"})
    unknown = api(director, "post", "/api/targets", {**NEW, "scope_kind": "team", "team_id": 99})
    # then
    assert (period.status_code, period.json()) == (
        422,
        {"errors": {"start": ["年度目标须从1月1日开始。"]}},
    )
    assert (oversized.status_code, list(oversized.json()["errors"])) == (422, ["value"])
    assert (unknown.status_code, unknown.json()) == (
        422,
        {"errors": {"team_id": ["不存在的记录。"]}},
    )
    assert not Target.objects.exists()


def test_a_null_is_refused_where_the_column_is_not_nullable(api, director):
    # given
    target = make_target(actor=director)
    # when
    notes = api(director, "patch", f"/api/targets/{target.pk}", {"notes": None})
    parent = api(director, "patch", f"/api/targets/{target.pk}", {"parent_id": None})
    # then
    assert (notes.status_code, list(notes.json()["errors"])) == (422, ["notes"])
    assert parent.status_code == 200


def test_adjust_then_read_the_history(api, director):
    # given
    target = make_target(actor=director)
    # when
    adjusted = api(
        director, "post", f"/api/targets/{target.pk}/adjust", {"value": 800, "reason": "竞品降价"}
    )
    history = api(director, "get", f"/api/targets/{target.pk}/adjustments")
    no_reason = api(director, "post", f"/api/targets/{target.pk}/adjust", {"value": 700})
    # then
    assert adjusted.status_code == 201
    assert [(a["before"], a["after"], a["reason"], a["actor_id"]) for a in history.json()] == [
        ("1000.00", "800.00", "竞品降价", director.pk)
    ]
    assert (no_reason.status_code, list(no_reason.json()["errors"])) == (422, ["reason"])


def test_split_preview_then_create_with_values_and_read_children_and_rollup(api, director):
    # given
    year = make_target(actor=director, metric="orders", value=10)
    # when
    preview = api(director, "get", f"/api/targets/{year.pk}/split", {"by": "time"})
    created = api(
        director, "post", f"/api/targets/{year.pk}/split", {"by": "time", "values": [4, 3, 2, 2]}
    )
    children = api(director, "get", f"/api/targets/{year.pk}/children")
    parent = api(director, "get", f"/api/targets/{year.pk}")
    # then
    assert [(c["start"], c["value"]) for c in preview.json()] == [
        ("2026-01-01", "3.00"),
        ("2026-04-01", "3.00"),
        ("2026-07-01", "2.00"),
        ("2026-10-01", "2.00"),
    ]
    assert created.status_code == 201
    assert [c["value"] for c in children.json()] == ["4.00", "3.00", "2.00", "2.00"]
    assert parent.json()["rollup_status"] == "unbalanced"
    assert parent.json()["rollup"] == [
        {
            "period": "quarterly",
            "scope_kind": "company",
            "label": "季度 · 全公司",
            "count": 4,
            "total": "11.00",
            "difference": "-1.00",
            "balanced": False,
        }
    ]


def test_a_split_with_the_wrong_number_of_values_writes_nothing(api, director):
    year = make_target(actor=director)
    answer = api(director, "post", f"/api/targets/{year.pk}/split", {"by": "time", "values": [1]})
    assert (answer.status_code, list(answer.json()["errors"])) == (422, ["values"])
    assert Target.objects.count() == 1


def test_the_actual_endpoint_gives_actual_and_completion(api, director, rep):
    # given
    won_deal(owner=rep, when=at(2026, 5, 1), amount=100)
    target = make_target(actor=director, period="quarterly", start=date(2026, 4, 1), value=400)
    # when
    answer = api(director, "get", f"/api/targets/{target.pk}/actual")
    # then
    assert answer.json() == {
        "target_id": target.pk,
        "metric": "revenue",
        "value": "400.00",
        "actual": "100.00",
        "completion_pct": 25.0,
    }


def test_delete_a_target(api, director):
    target = make_target(actor=director)
    assert api(director, "delete", f"/api/targets/{target.pk}").status_code == 204
    assert not Target.objects.exists()
    assert Event.objects.filter(verb="target.deleted").count() == 1


def test_the_export_endpoint_streams_the_filtered_list(api, director):
    # given
    make_target(actor=director)
    make_target(actor=director, start=date(2025, 1, 1))
    # when
    answer = api(director, "get", "/api/targets/export", {"year": 2025, "format": "csv"})
    bad = api(director, "get", "/api/targets/export", {"format": "pdf"})
    # then
    lines = b"".join(answer.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[1].split(",")[1] == "2025年"
    assert (bad.status_code, list(bad.json()["errors"])) == (422, ["format"])


def test_plans_and_milestones_through_the_api(api, manager, team_a, rep):
    # when
    plan = api(
        manager,
        "post",
        "/api/targets/plans",
        {"title": "华东区新品策略", "goal": "新客户30家", "team_id": team_a.pk, "price": "8折"},
    ).json()
    milestone = api(
        manager,
        "post",
        f"/api/targets/plans/{plan['id']}/milestones",
        {"title": "签约经销商", "owner_id": rep.pk, "due_date": "2026-07-01"},
    ).json()
    moved = api(
        manager, "patch", f"/api/targets/milestones/{milestone['id']}", {"due_date": "2026-07-05"}
    )
    done = api(rep, "post", f"/api/targets/milestones/{milestone['id']}/done")
    evaluated = api(
        manager, "patch", f"/api/targets/plans/{plan['id']}", {"evaluation": "新客户32家，达成"}
    )
    # then
    assert moved.json()["due_date"] == "2026-07-05"
    assert (done.json()["status"], done.json()["done_at"]) == ("done", "2026-06-15T02:00:00Z")
    body = evaluated.json()
    assert (body["price"], body["evaluation"], body["can_manage"]) == (
        "8折",
        "新客户32家，达成",
        True,
    )
    assert [(m["title"], m["owner"], m["status"]) for m in body["milestones"]] == [
        ("签约经销商", str(rep), "done")
    ]


def test_a_milestone_in_the_past_century_is_refused(api, director):
    plan = StrategyPlan.objects.create(title="x", goal="y")
    answer = api(
        director,
        "post",
        f"/api/targets/plans/{plan.pk}/milestones",
        {"title": "a", "owner_id": director.pk, "due_date": "1900-01-01"},
    )
    assert (answer.status_code, list(answer.json()["errors"])) == (422, ["due_date"])
    assert not Milestone.objects.exists()
