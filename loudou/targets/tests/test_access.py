"""Who sees and who changes targets and plans, on the pages and the API alike:
hidden is 404, visible but not one's to change is 403, and a refusal writes nothing."""

import json
import re
from datetime import date

import pytest
from django.urls import reverse

from loudou.core.models import Event
from loudou.org.models import Region
from loudou.org.services import issue_api_token
from loudou.targets.choices import MilestoneStatus
from loudou.targets.models import Milestone, StrategyPlan, Target, TargetAdjustment
from loudou.targets.tests.factories import make_milestone, make_plan, make_target

pytestmark = pytest.mark.django_db

EVERYONE = ["rep", "teammate", "manager", "other_manager", "other_team_rep", "director"]
EVERYONE += ["admin_user", "marketing"]


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to("2026-06-15 10:00 +0800", tick=False)


@pytest.fixture
def world(cast, other_manager, team_a, team_b):
    director = cast["director"]
    east = Region.objects.get(name="华东")
    targets = {
        "company": make_target(actor=director),
        "region": make_target(actor=director, scope_kind="region", region=east),
        "team_a": make_target(actor=director, scope_kind="team", team=team_a),
        "team_b": make_target(actor=director, scope_kind="team", team=team_b),
    }
    for name in ("rep", "teammate", "manager", "other_team_rep"):
        targets[name] = make_target(actor=director, scope_kind="person", person=cast[name])
    return targets


def _user(request, who):
    return request.getfixturevalue(who)


def _api(client, user, method, path, body=None):
    headers = {"Authorization": f"Bearer {issue_api_token(user=user)}"}
    if method == "get":
        return client.get(path, headers=headers)
    data = json.dumps(body or {})
    return client.generic(
        method.upper(), path, data=data, content_type="application/json", headers=headers
    )


VISIBLE = {
    "director": {"company", "region", "team_a", "team_b", "rep", "teammate", "manager"}
    | {"other_team_rep"},
    "admin_user": {"company", "region", "team_a", "team_b", "rep", "teammate", "manager"}
    | {"other_team_rep"},
    "manager": {"company", "region", "team_a", "rep", "teammate", "manager"},
    "other_manager": {"company", "region", "team_b", "other_team_rep"},
    "rep": {"rep", "team_a"},
    "teammate": {"teammate", "team_a"},
    "other_team_rep": {"other_team_rep", "team_b"},
    "marketing": set(),
}


@pytest.mark.parametrize("who", EVERYONE)
def test_the_target_list_shows_what_each_role_may_see_on_page_and_api(request, client, world, who):
    # given
    user = _user(request, who)
    expected = {world[name].pk for name in VISIBLE[who]}
    client.force_login(user)
    # when
    page = client.get(reverse("targets:list"))
    answer = _api(client, user, "get", "/api/targets?limit=500")
    # then
    shown = {int(pk) for pk in re.findall(r'id="target-(\d+)"', page.content.decode())}
    assert shown == expected
    assert {t["id"] for t in answer.json()["items"]} == expected


@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("rep", "teammate"),
        ("rep", "company"),
        ("rep", "team_b"),
        ("manager", "team_b"),
        ("manager", "other_team_rep"),
        ("other_team_rep", "region"),
        ("marketing", "company"),
    ],
)
def test_a_hidden_target_is_404_on_page_and_api(request, client, world, who, name):
    # given
    user, pk = _user(request, who), world[name].pk
    client.force_login(user)
    # when
    pages = [
        client.get(reverse("targets:detail", args=[pk])),
        client.post(reverse("targets:adjust", args=[pk]), {"value": 1, "reason": "x"}),
    ]
    answers = [
        _api(client, user, "get", f"/api/targets/{pk}"),
        _api(client, user, "post", f"/api/targets/{pk}/adjust", {"value": 1, "reason": "x"}),
        _api(client, user, "get", f"/api/targets/{pk}/children"),
    ]
    # then
    assert [r.status_code for r in pages + answers] == [404] * 5
    assert not TargetAdjustment.objects.exists()


@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("manager", "company"),
        ("manager", "region"),
        ("manager", "manager"),  # a manager's own target is set above them
        ("rep", "rep"),
        ("rep", "team_a"),
    ],
)
def test_a_target_seen_read_only_is_403_to_change_on_page_and_api(
    request, client, world, who, name
):
    # given
    user, target = _user(request, who), world[name]
    client.force_login(user)
    before = Event.objects.count()
    # when
    page = client.get(reverse("targets:detail", args=[target.pk]))
    refused = [
        client.post(reverse("targets:adjust", args=[target.pk]), {"value": 1, "reason": "x"}),
        client.get(reverse("targets:edit", args=[target.pk])),
        client.post(reverse("targets:delete", args=[target.pk])),
        _api(client, user, "post", f"/api/targets/{target.pk}/adjust", {"value": 1, "reason": "x"}),
        _api(client, user, "patch", f"/api/targets/{target.pk}", {"notes": "x"}),
        _api(client, user, "delete", f"/api/targets/{target.pk}"),
    ]
    # then
    assert page.status_code == 200
    assert b'id="adjust"' not in page.content
    assert [r.status_code for r in refused] == [403] * 6
    assert Target.objects.get(pk=target.pk).value == target.value
    assert Event.objects.count() == before


@pytest.mark.parametrize("name", ["team_a", "rep", "teammate"])
def test_a_manager_adjusts_the_targets_of_the_team_and_its_people(client, world, manager, name):
    # given
    target = world[name]
    client.force_login(manager)
    # when
    page = client.post(
        reverse("targets:adjust", args=[target.pk]), {"value": 700, "reason": "页面调整"}
    )
    answer = _api(
        client,
        manager,
        "post",
        f"/api/targets/{target.pk}/adjust",
        {"value": 800, "reason": "接口"},
    )
    # then
    assert (page.status_code, answer.status_code) == (302, 201)
    assert [a.after for a in target.adjustments.order_by("at", "pk")] == [700, 800]


def _new(**scope) -> dict:
    return {"period": "annual", "start": "2026-01-01", "metric": "orders", "value": 5, **scope}


@pytest.mark.parametrize(
    ("who", "scope"),
    [
        ("manager", {"scope_kind": "company"}),
        ("manager", {"scope_kind": "team", "team": "team_b"}),
        ("manager", {"scope_kind": "person", "person": "other_team_rep"}),
        ("manager", {"scope_kind": "person", "person": "manager"}),
        ("rep", {"scope_kind": "person", "person": "rep"}),
        ("marketing", {"scope_kind": "company"}),
    ],
)
def test_setting_a_target_one_may_not_set_is_refused_on_page_and_api(
    request, client, world, who, scope
):
    # given
    user = _user(request, who)
    client.force_login(user)
    body, form = _new(scope_kind=scope["scope_kind"]), _new(scope_kind=scope["scope_kind"])
    for key in ("team", "person"):
        if key in scope:
            body[f"{key}_id"] = form[key] = request.getfixturevalue(scope[key]).pk
    before = Target.objects.count()
    # when
    page = client.post(reverse("targets:create"), form)
    answer = _api(client, user, "post", "/api/targets", body)
    # then  the page offers no such choice (or refuses), the API answers 403
    assert page.status_code in (200, 403)
    assert answer.status_code == 403
    assert Target.objects.count() == before


def test_a_manager_sets_a_target_for_a_rep_of_the_team_on_page_and_api(client, world, manager, rep):
    # given
    client.force_login(manager)
    # when
    page = client.post(
        reverse("targets:create"),
        _new(scope_kind="person", person=rep.pk, period="quarterly", start="2026-04-01"),
    )
    answer = _api(
        client,
        manager,
        "post",
        "/api/targets",
        _new(scope_kind="person", person_id=rep.pk, metric="new_customers"),
    )
    # then
    assert (page.status_code, answer.status_code) == (302, 201)
    assert Target.objects.filter(person=rep, created_by=manager).count() == 2


# plans ----------------------------------------------------------------------------------------


@pytest.fixture
def plans(cast, other_manager, team_a, team_b):
    director, manager = cast["director"], cast["manager"]
    company = make_plan(actor=director, title="全公司复购提升计划")
    plan_a = make_plan(actor=manager, team=team_a)
    plan_b = make_plan(actor=other_manager, team=team_b, title="华南渠道拓展")
    # team B's plan has a milestone owned by marketing
    make_milestone(
        plan=plan_b, actor=other_manager, owner=cast["marketing"], due_date=date(2026, 6, 15)
    )
    milestone = make_milestone(
        plan=plan_a, actor=manager, owner=cast["rep"], due_date=date(2026, 6, 15)
    )
    return {"company": company, "a": plan_a, "b": plan_b, "milestone": milestone}


PLANS_SEEN = {
    "director": {"company", "a", "b"},
    "admin_user": {"company", "a", "b"},
    "manager": {"company", "a"},
    "other_manager": {"company", "b"},
    "rep": {"a"},
    "teammate": {"a"},
    "other_team_rep": {"b"},
    "marketing": {"b"},
}


@pytest.mark.parametrize("who", EVERYONE)
def test_the_plan_list_shows_what_each_role_may_see_on_page_and_api(request, client, plans, who):
    # given
    user = _user(request, who)
    client.force_login(user)
    expected = {plans[name].pk for name in PLANS_SEEN[who]}
    # when
    page = client.get(reverse("targets:plans"))
    answer = _api(client, user, "get", "/api/targets/plans")
    # then
    assert {int(pk) for pk in re.findall(r'id="plan-(\d+)"', page.content.decode())} == expected
    assert {p["id"] for p in answer.json()} == expected


@pytest.mark.parametrize(("who", "name"), [("rep", "b"), ("rep", "company"), ("manager", "b")])
def test_a_hidden_plan_is_404_on_page_and_api(request, client, plans, who, name):
    # given
    user, pk = _user(request, who), plans[name].pk
    client.force_login(user)
    # when
    codes = [
        client.get(reverse("targets:plan", args=[pk])).status_code,
        client.post(reverse("targets:plan_delete", args=[pk])).status_code,
        _api(client, user, "get", f"/api/targets/plans/{pk}").status_code,
        _api(client, user, "delete", f"/api/targets/plans/{pk}").status_code,
    ]
    # then
    assert codes == [404] * 4
    assert StrategyPlan.objects.filter(pk=pk).exists()


@pytest.mark.parametrize(
    ("who", "name"), [("rep", "a"), ("manager", "company"), ("marketing", "b")]
)
def test_a_plan_seen_read_only_is_403_to_change_on_page_and_api(request, client, plans, who, name):
    # given
    user, plan = _user(request, who), plans[name]
    client.force_login(user)
    milestone = {"title": "新节点", "owner": user.pk, "due_date": "2026-07-01"}
    # when
    codes = [
        client.get(reverse("targets:plan_edit", args=[plan.pk])).status_code,
        client.post(reverse("targets:milestone_add", args=[plan.pk]), milestone).status_code,
        client.post(reverse("targets:plan_delete", args=[plan.pk])).status_code,
        _api(client, user, "patch", f"/api/targets/plans/{plan.pk}", {"title": "改"}).status_code,
        _api(
            client,
            user,
            "post",
            f"/api/targets/plans/{plan.pk}/milestones",
            {"title": "新节点", "owner_id": user.pk, "due_date": "2026-07-01"},
        ).status_code,
    ]
    # then
    assert codes == [403] * 5
    assert StrategyPlan.objects.get(pk=plan.pk).title == plan.title
    assert not Milestone.objects.filter(title="新节点").exists()


def test_only_the_plans_managers_and_the_owner_mark_a_milestone_done(client, plans, teammate, rep):
    # given  teammate sees team A's plan; rep owns the milestone
    pk = plans["milestone"].pk
    client.force_login(teammate)
    # when
    refused = [
        client.post(reverse("targets:milestone_done", args=[pk])).status_code,
        _api(client, teammate, "post", f"/api/targets/milestones/{pk}/done").status_code,
    ]
    client.force_login(rep)
    done = client.post(reverse("targets:milestone_done", args=[pk]), HTTP_HX_REQUEST="true")
    # then
    assert refused == [403, 403]
    assert done.status_code == 200
    assert Milestone.objects.get(pk=pk).status == MilestoneStatus.DONE


@pytest.mark.parametrize(
    ("who", "team"), [("manager", None), ("manager", "team_b"), ("rep", "team_a")]
)
def test_a_plan_for_a_team_one_does_not_lead_is_refused_on_api_and_not_made_on_page(
    request, client, world, who, team
):
    # given
    user = _user(request, who)
    team_id = request.getfixturevalue(team).pk if team else None
    client.force_login(user)
    body = {"title": "越权策略", "goal": "目标"}
    # when
    page = client.post(reverse("targets:plan_create"), {**body, "team": team_id or ""})
    answer = _api(client, user, "post", "/api/targets/plans", {**body, "team_id": team_id})
    # then
    assert page.status_code in (200, 403)
    assert answer.status_code == 403
    assert not StrategyPlan.objects.exists()
