"""Editing assignment rules, pools and the intake mode outside the Django admin: pages
under /assignment/ and /api/assignment/, directors and administrators only, audited."""

import json

import pytest
from django.urls import reverse

from loudou.assignment.choices import IntakeMode, RuleKind
from loudou.assignment.models import AssignmentRule, IntakePolicy, Pool
from loudou.assignment.tests.factories import make_pool, pool_form, pooled_lead
from loudou.core.models import Event
from loudou.org.models import Region
from loudou.org.services import issue_api_token

pytestmark = pytest.mark.django_db

RULE = {"name": "大客户给资深", "kind": "grade_seniority", "settings": {"A": ["senior_rep"]}}
POOL = {"name": "华南公海", "max_claims_per_day": 3, "protection_days_by_grade": {"A": 45}}
REFUSED = ["rep", "manager", "marketing"]
ALLOWED = ["director", "admin_user"]


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=user)}"}


def _api(client, method, url, user, body=None):
    call = getattr(client, method)
    if body is None:
        return call(url, **_auth(user))
    return call(url, json.dumps(body), content_type="application/json", **_auth(user))


def _rule_form(**values) -> dict:
    form = {"name": "按区域", "kind": "specialty", "order": "", "is_active": "on"}
    return {**form, **values}


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", REFUSED)
def test_others_are_refused_every_settings_page(client, request, who):
    # given
    user = request.getfixturevalue(who)
    rule = AssignmentRule.objects.first()
    pool = make_pool()
    client.force_login(user)
    before = (AssignmentRule.objects.count(), Event.objects.count())

    # when
    statuses = [
        client.get(reverse("assignment:rules")).status_code,
        client.get(reverse("assignment:rule_create")).status_code,
        client.post(reverse("assignment:rule_create"), _rule_form()).status_code,
        client.post(reverse("assignment:rule_edit", args=[rule.pk]), _rule_form()).status_code,
        client.post(reverse("assignment:rule_deactivate", args=[rule.pk])).status_code,
        client.post(reverse("assignment:rule_move", args=[rule.pk]), {"to": "up"}).status_code,
        client.post(reverse("assignment:intake"), {"marketing_mode": "rules"}).status_code,
        client.get(reverse("assignment:pool_settings")).status_code,
        client.post(reverse("assignment:pool_create"), pool_form()).status_code,
        client.post(reverse("assignment:pool_deactivate", args=[pool.pk])).status_code,
    ]

    # then
    assert statuses == [403] * 10
    assert (AssignmentRule.objects.count(), Event.objects.count()) == before
    assert AssignmentRule.objects.get(pk=rule.pk).is_active is True
    assert Pool.objects.get(pk=pool.pk).is_active is True


@pytest.mark.parametrize("who", REFUSED)
def test_others_are_refused_every_settings_endpoint(client, request, who):
    # given
    user = request.getfixturevalue(who)
    rule = AssignmentRule.objects.first()
    pool = make_pool()
    ids = list(AssignmentRule.objects.values_list("pk", flat=True))
    before = (AssignmentRule.objects.count(), Pool.objects.count(), Event.objects.count())

    # when
    statuses = [
        _api(client, "get", "/api/assignment/rules", user).status_code,
        _api(client, "post", "/api/assignment/rules", user, RULE).status_code,
        _api(client, "put", f"/api/assignment/rules/{rule.pk}", user, RULE).status_code,
        _api(client, "post", f"/api/assignment/rules/{rule.pk}/deactivate", user).status_code,
        _api(client, "post", "/api/assignment/rules/reorder", user, {"ids": ids[::-1]}).status_code,
        _api(client, "get", "/api/assignment/pools/settings", user).status_code,
        _api(client, "post", "/api/assignment/pools", user, POOL).status_code,
        _api(client, "put", f"/api/assignment/pools/{pool.pk}", user, POOL).status_code,
        _api(client, "post", f"/api/assignment/pools/{pool.pk}/deactivate", user).status_code,
        _api(client, "get", "/api/assignment/intake", user).status_code,
        _api(
            client, "put", "/api/assignment/intake", user, {"marketing_mode": "rules"}
        ).status_code,
    ]

    # then
    assert statuses == [403] * 11
    assert (AssignmentRule.objects.count(), Pool.objects.count(), Event.objects.count()) == before
    assert list(AssignmentRule.objects.values_list("pk", flat=True)) == ids
    assert IntakePolicy.current().marketing_mode == IntakeMode.MARKETING


@pytest.mark.parametrize("who", ALLOWED)
def test_directors_and_administrators_open_the_settings_pages(client, request, who):
    # given
    client.force_login(request.getfixturevalue(who))
    make_pool(name="华东公海")

    # when
    rules = client.get(reverse("assignment:rules"))
    pools = client.get(reverse("assignment:pool_settings"))
    pools_page = client.get(reverse("assignment:pools"))

    # then
    assert rules.status_code == pools.status_code == 200
    assert "按擅长行业/区域" in rules.content.decode()
    assert "A 级：高级销售员" in rules.content.decode()
    assert 'name="marketing_mode"' in rules.content.decode()
    assert "华东公海" in pools.content.decode()
    assert 'id="pool-settings-link"' in pools_page.content.decode()


def test_a_missing_rule_is_404_for_a_director(client, director):
    # given
    client.force_login(director)

    # when / then
    assert client.get(reverse("assignment:rule_edit", args=[9999])).status_code == 404
    assert _api(client, "put", "/api/assignment/rules/9999", director, RULE).status_code == 404


# --- rules --------------------------------------------------------------------------------


def test_director_creates_a_rule_on_the_page_last_in_order_and_audited(client, director):
    # given
    client.force_login(director)
    last = max(AssignmentRule.objects.values_list("order", flat=True))

    # when
    response = client.post(
        reverse("assignment:rule_create"),
        _rule_form(name="大客户给资深", kind="grade_seniority", roles_A=["senior_rep"]),
    )

    # then
    assert (response.status_code, response.url) == (302, reverse("assignment:rules"))
    rule = AssignmentRule.objects.get(name="大客户给资深")
    assert (rule.kind, rule.order, rule.settings) == (
        "grade_seniority",
        last + 10,
        {"A": ["senior_rep"]},
    )
    [event] = Event.objects.for_object(rule)
    assert (event.verb, event.actor) == ("assignment_rule.created", director)


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("grade_seniority", {"roles_A": ["ceo"]}, "ceo"),
        ("round_robin", {"weights": "nobody 2"}, "第 1 行应为“用户名 权重”"),
        ("round_robin", {"weights": "admin_user -1"}, "第 1 行应为“用户名 权重”"),
        ("round_robin", {"weights": "admin_user 2\nadmin_user two"}, "第 2 行"),
    ],
)
def test_invalid_rule_parameters_are_shown_in_the_form_and_nothing_is_written(
    client, admin_user, kind, params, message
):
    # given
    client.force_login(admin_user)
    before = (AssignmentRule.objects.count(), Event.objects.count())

    # when
    response = client.post(reverse("assignment:rule_create"), _rule_form(kind=kind, **params))

    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (AssignmentRule.objects.count(), Event.objects.count()) == before


@pytest.mark.parametrize(
    ("kind", "params", "stored", "shown"),
    [
        (
            "grade_seniority",
            {"roles_A": ["senior_rep"], "roles_C": ["assistant", "junior_rep"]},
            {"A": ["senior_rep"], "C": ["assistant", "junior_rep"]},
            "A 级：高级销售员；C 级：销售助理、初级销售员",
        ),
        ("capacity", {"least_loaded": "on"}, {"least_loaded": True}, "优先分给负载最低者"),
        ("round_robin", {"weights": "admin_user 2"}, None, "×2；其他人 ×1"),
        ("specialty", {"roles_A": ["senior_rep"]}, {}, "—"),
    ],
)
def test_rule_parameters_are_form_fields_stored_as_settings_and_listed_in_words(
    client, admin_user, kind, params, stored, shown
):
    # given
    client.force_login(admin_user)
    # when
    response = client.post(
        reverse("assignment:rule_create"), _rule_form(name="新规则", kind=kind, **params)
    )
    page = client.get(reverse("assignment:rules")).content.decode()
    listed = page[page.index('<table id="rules">') : page.index("</table>")]
    rule = AssignmentRule.objects.get(name="新规则")
    edit_form = client.get(reverse("assignment:rule_edit", args=[rule.pk])).content.decode()
    # then
    assert response.status_code == 302
    expected = stored if stored is not None else {"weights": {str(admin_user.pk): 2}}
    assert rule.settings == expected
    assert shown in listed
    assert "{&quot;" not in listed
    assert '{"' not in listed
    if kind == "round_robin":
        assert "admin_user 2</textarea>" in edit_form


def test_invalid_rule_through_the_api_is_422_with_the_field(client, admin_user):
    # given
    before = AssignmentRule.objects.count()

    # when
    response = _api(
        client, "post", "/api/assignment/rules", admin_user, {**RULE, "settings": {"Z": []}}
    )

    # then
    assert response.status_code == 422
    assert "未知的等级" in response.json()["errors"]["settings"][0]
    assert AssignmentRule.objects.count() == before


def test_director_edits_and_deactivates_a_rule_through_the_api(client, director):
    # given
    created = _api(client, "post", "/api/assignment/rules", director, RULE).json()

    # when
    edited = _api(
        client,
        "put",
        f"/api/assignment/rules/{created['id']}",
        director,
        {**RULE, "name": "A级给资深", "order": 5},
    )
    off = _api(client, "post", f"/api/assignment/rules/{created['id']}/deactivate", director)

    # then
    assert (edited.status_code, edited.json()["name"], edited.json()["order"]) == (
        200,
        "A级给资深",
        5,
    )
    assert (off.status_code, off.json()["is_active"]) == (200, False)
    rule = AssignmentRule.objects.get(pk=created["id"])
    verbs = list(Event.objects.for_object(rule).order_by("pk").values_list("verb", flat=True))
    assert verbs == [
        "assignment_rule.created",
        "assignment_rule.updated",
        "assignment_rule.deactivated",
    ]


def test_deactivate_button_switches_the_rule_off(client, admin_user):
    # given
    client.force_login(admin_user)
    rule = AssignmentRule.objects.get(kind=RuleKind.CAPACITY)

    # when
    response = client.post(reverse("assignment:rule_deactivate", args=[rule.pk]))

    # then
    assert response.status_code == 302
    assert AssignmentRule.objects.get(pk=rule.pk).is_active is False


def test_reorder_through_the_api_sets_the_new_order(client, director):
    # given
    ids = list(AssignmentRule.objects.values_list("pk", flat=True))

    # when
    response = _api(client, "post", "/api/assignment/rules/reorder", director, {"ids": ids[::-1]})

    # then
    assert response.status_code == 200
    assert [r["id"] for r in response.json()] == ids[::-1]
    assert list(AssignmentRule.objects.values_list("pk", flat=True)) == ids[::-1]
    assert list(AssignmentRule.objects.values_list("order", flat=True)) == [10, 20, 30, 40]
    assert Event.objects.filter(verb="assignment_rule.reordered").count() == 4


def test_reorder_must_name_every_rule_once(client, director):
    # given
    ids = list(AssignmentRule.objects.values_list("pk", flat=True))
    orders = list(AssignmentRule.objects.values_list("order", flat=True))

    # when
    missing = _api(client, "post", "/api/assignment/rules/reorder", director, {"ids": ids[1:]})
    twice = _api(client, "post", "/api/assignment/rules/reorder", director, {"ids": [*ids, ids[0]]})

    # then
    assert missing.status_code == twice.status_code == 422
    assert "ids" in missing.json()["errors"]
    assert list(AssignmentRule.objects.values_list("order", flat=True)) == orders


def test_move_buttons_move_a_rule_up_and_down(client, director):
    # given
    client.force_login(director)
    first, second, *rest = AssignmentRule.objects.all()

    # when
    client.post(reverse("assignment:rule_move", args=[second.pk]), {"to": "up"})
    after_up = list(AssignmentRule.objects.values_list("pk", flat=True))
    client.post(reverse("assignment:rule_move", args=[second.pk]), {"to": "down"})
    after_down = list(AssignmentRule.objects.values_list("pk", flat=True))

    # then
    assert after_up == [second.pk, first.pk, *[r.pk for r in rest]]
    assert after_down == [first.pk, second.pk, *[r.pk for r in rest]]


# --- pools --------------------------------------------------------------------------------


def test_admin_creates_and_edits_a_pool_on_the_pages(client, admin_user):
    # given
    client.force_login(admin_user)
    region = Region.objects.first()

    # when
    created = client.post(
        reverse("assignment:pool_create"),
        pool_form(region=str(region.pk), protection_days_A="45"),
    )
    pool = Pool.objects.get(name="华南公海")
    edited = client.post(
        reverse("assignment:pool_edit", args=[pool.pk]),
        pool_form(region=str(region.pk), max_claims_per_day="2"),
    )

    # then
    assert created.status_code == edited.status_code == 302
    pool.refresh_from_db()
    assert (pool.region, pool.max_claims_per_day, pool.protection_days_by_grade) == (region, 2, {})
    verbs = list(Event.objects.for_object(pool).order_by("pk").values_list("verb", flat=True))
    assert verbs == ["pool.created", "pool.updated"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"protection_days_A": "0"}, "1"),
        ({"protection_days_C": "4000"}, "3650"),
        ({"cooldown_days": "40"}, "原负责人的冷处理期不能短于所有人的冷处理期"),
        ({"max_claims_per_day": "-1"}, "0"),
    ],
)
def test_invalid_pool_is_shown_in_the_form_and_nothing_is_written(
    client, director, values, message
):
    # given
    client.force_login(director)

    # when
    response = client.post(reverse("assignment:pool_create"), pool_form(**values))

    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Pool.objects.exists()


def test_pool_through_the_api_create_edit_and_errors(client, director):
    # given
    region = Region.objects.first()

    # when
    created = _api(
        client, "post", "/api/assignment/pools", director, {**POOL, "region_id": region.pk}
    )
    pool_id = created.json()["id"]
    edited = _api(
        client, "put", f"/api/assignment/pools/{pool_id}", director, {**POOL, "cooldown_days": 3}
    )
    duplicate = _api(client, "post", "/api/assignment/pools", director, POOL)
    unknown = _api(
        client,
        "post",
        "/api/assignment/pools",
        director,
        {**POOL, "name": "新", "region_id": 99999},
    )
    listed = _api(client, "get", "/api/assignment/pools/settings", director)

    # then
    assert created.status_code == 201
    assert (created.json()["region_id"], created.json()["protection_days_by_grade"]) == (
        region.pk,
        {"A": 45},
    )
    assert (edited.status_code, edited.json()["cooldown_days"]) == (200, 3)
    assert duplicate.status_code == unknown.status_code == 422
    assert "name" in duplicate.json()["errors"]
    assert "region_id" in unknown.json()["errors"]
    assert [p["name"] for p in listed.json()] == ["华南公海"]


def test_a_pool_with_waiting_leads_cannot_be_deactivated(client, director, marketing):
    # given
    pool = make_pool()
    pooled_lead(pool=pool, actor=marketing)
    client.force_login(director)

    # when
    api = _api(client, "post", f"/api/assignment/pools/{pool.pk}/deactivate", director)
    page = client.post(reverse("assignment:pool_deactivate", args=[pool.pk]), follow=True)
    edit = _api(
        client,
        "put",
        f"/api/assignment/pools/{pool.pk}",
        director,
        {**POOL, "name": pool.name, "is_active": False},
    )

    # then
    assert api.status_code == edit.status_code == 422
    assert "还有 1 条线索" in api.json()["errors"]["is_active"][0]
    assert "还有 1 条线索" in page.content.decode()
    assert Pool.objects.get(pk=pool.pk).is_active is True


def test_an_empty_pool_is_deactivated_and_leaves_the_claim_page(client, director, rep):
    # given
    pool = make_pool()

    # when
    response = _api(client, "post", f"/api/assignment/pools/{pool.pk}/deactivate", director)

    # then
    assert (response.status_code, response.json()["is_active"]) == (200, False)
    assert _api(client, "get", "/api/assignment/pools", rep).json() == []
    [event] = Event.objects.for_object(pool).filter(verb="pool.deactivated")
    assert event.changes == [{"field": "is_active", "before": True, "after": False}]


# --- intake mode --------------------------------------------------------------------------


def test_director_sets_the_marketing_intake_mode_on_the_page_and_the_api(client, director):
    # given
    client.force_login(director)

    # when
    page = client.post(reverse("assignment:intake"), {"marketing_mode": "pool"})
    after_page = IntakePolicy.current().marketing_mode
    api = _api(client, "put", "/api/assignment/intake", director, {"marketing_mode": "rules"})
    bad = _api(client, "put", "/api/assignment/intake", director, {"marketing_mode": "boss"})

    # then
    assert page.status_code == 302
    assert after_page == IntakeMode.POOL
    assert (api.status_code, api.json()) == (200, {"marketing_mode": "rules"})
    assert bad.status_code == 422
    assert IntakePolicy.current().marketing_mode == IntakeMode.RULES
    assert _api(client, "get", "/api/assignment/intake", director).json() == {
        "marketing_mode": "rules"
    }
