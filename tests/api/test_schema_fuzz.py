"""Property-based API tests from the OpenAPI schema (schemathesis), bounded for CI.

Every operation is called with generated path ids, queries and bodies, as an admin: no
answer may be a server error, and every answer whose status the schema declares (422
included) must match the declared body schema."""

import io
import re
from datetime import date

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import strategies as st
from schemathesis import checks

from loudou.activities.tests.factories import log
from loudou.assignment.tests.factories import make_pool
from loudou.commerce.tests.factories import example_ids as commerce_ids
from loudou.health.tests.factories import make_case, make_report
from loudou.imports.services import create_job
from loudou.leads.models import GradeRule, SavedView, SourceChannel
from loudou.leads.tests.factories import make_lead
from loudou.notifications.tests.factories import make_robot
from loudou.org.services import issue_api_token
from loudou.pipeline.models import Pipeline
from loudou.service.tests.factories import example_ids as service_ids
from loudou.targets.tests.factories import make_action, make_milestone, make_plan, make_target
from loudou.teamwork.tests.factories import example_ids
from loudou.webforms.models import WebForm

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
EXAMPLES = 12
CHECKS = [checks.not_a_server_error, checks.response_schema_conformance]


def _import_job(actor):
    upload = io.BytesIO("公司名称,手机\n杭州测试有限公司,13700000000\n".encode())
    return create_job(actor=actor, upload=upload, original_name="leads.csv")


@pytest.fixture
def world(admin_user, rep, director, settings, tmp_path):
    """A token, and one real record per kind of path id, so that generated cases also
    reach records that exist. The WSGI app runs inside the test's transaction: it must
    not close the connection after each request (as Django's test client arranges)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.DATA_DIR = tmp_path
    lead = make_lead(actor=rep, email="fuzz@example.com")
    pipeline = Pipeline.objects.get(is_default=True)
    ids = {
        "lead_id": lead.pk,
        "customer_id": lead.customer_id,
        "contact_id": lead.contact_id,
        "user_id": rep.pk,
        "team_id": rep.team_id,
        "pipeline_id": pipeline.pk,
        "stage_id": pipeline.stages.order_by("order").first().pk,
        "follow_up_id": log(lead=lead, actor=rep).pk,
        "pool_id": make_pool().pk,
        "robot_id": make_robot(team=rep.team, url="https://qyapi.weixin.qq.com/x").pk,
        "form_id": WebForm.objects.create(
            name="官网表单", channel=SourceChannel.objects.first()
        ).pk,
        "view_id": SavedView.objects.create(user=admin_user, name="我的", query="q=a").pk,
        "rule_id": GradeRule.objects.order_by("pk").first().pk,
        "job_id": _import_job(admin_user).pk,
        "case_id": make_case(rep=rep, owner=rep.team.manager, lead_ids=[lead.pk]).pk,
        "report_id": make_report(team=rep.team).pk,
    }
    ids.update(example_ids(admin=admin_user, rep=rep))
    ids.update(service_ids(admin=admin_user, rep=rep))
    ids.update(commerce_ids(admin=admin_user, rep=rep))
    plan = make_plan(actor=director)
    ids["target_id"] = make_target(actor=director).pk
    ids["plan_id"] = plan.pk
    ids["milestone_id"] = make_milestone(
        plan=plan, actor=director, owner=rep, due_date=date(2026, 7, 1)
    ).pk
    ids["action_id"] = make_action(actor=director, owner=rep, deadline=date(2026, 7, 1)).pk
    yield {"token": issue_api_token(user=admin_user), "ids": ids}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@schema.given(real_ids=st.booleans())
@hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(hypothesis.HealthCheck),
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)
@pytest.mark.django_db
def test_no_operation_answers_a_server_error_or_an_undeclared_body(case, real_ids, world):
    # given
    if real_ids and case.path_parameters:
        for name in case.path_parameters:
            if name in world["ids"]:
                case.path_parameters[name] = world["ids"][name]
    # when
    response = case.call(headers={"Authorization": f"Bearer {world['token']}"})
    # then
    case.validate_response(response, checks=CHECKS)


def _nullable(prop: dict) -> bool:
    options = prop.get("anyOf", [prop])
    return any(option.get("type") == "null" for option in options) or prop.get("nullable", False)


def _body_fields() -> list[tuple[str, str, str, bool]]:
    """(method, path, property, nullable) for every property of every JSON request body."""
    found = []
    raw = schema.raw_schema
    components = raw.get("components", {}).get("schemas", {})
    for path, operations in raw["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema", {})
            if "$ref" in body:
                body = components[body["$ref"].rsplit("/", 1)[1]]
            for name, prop in body.get("properties", {}).items():
                found.append((method.upper(), path, name, _nullable(prop)))
    return found


def _real_path(path: str, ids: dict[str, int]) -> str:
    for name, pk in ids.items():
        path = path.replace("{" + name + "}", str(pk))
    return path.replace("{", "").replace("}", "")


@pytest.mark.parametrize(("method", "path", "field", "nullable"), _body_fields())
def test_a_null_is_accepted_only_where_the_schema_declares_it(
    client, world, method, path, field, nullable
):
    # given
    url = _real_path(path, world["ids"])
    headers = {"Authorization": f"Bearer {world['token']}"}
    # when
    response = client.generic(
        method, url, data=f'{{"{field}": null}}', content_type="application/json", headers=headers
    )
    # then
    assert response.status_code < 500, response.content[:300]
    if not nullable:
        assert response.status_code == 422, response.content[:300]
        assert field in response.json()["errors"]


def _id_paths() -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, operations in schema.raw_schema["paths"].items()
        for method in operations
        if "{" in path
    ]


@pytest.mark.parametrize("bad_id", ["9" * 30, str(2**63), "0", "-1"])
@pytest.mark.parametrize(("method", "path"), _id_paths())
def test_an_id_out_of_range_finds_nothing(client, world, method, path, bad_id):
    # given
    url = re.sub(r"\{\w+\}", bad_id, path)
    headers = {"Authorization": f"Bearer {world['token']}"}
    # when
    response = client.generic(
        method, url, data="{}", content_type="application/json", headers=headers
    )
    # then
    assert response.status_code in {404, 422}, response.content[:300]


def test_no_two_schemas_share_a_name():
    """The OpenAPI document keys schemas by class name: two classes of one name would be
    documented as one of them (the other operation's answers then violate it)."""
    # given
    from collections import defaultdict

    from ninja import Schema

    modules = defaultdict(set)

    def walk(cls):
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("loudou."):
                modules[sub.__name__].add(sub.__module__)
            walk(sub)

    # when
    walk(Schema)
    # then
    assert {name: sorted(m) for name, m in modules.items() if len(m) > 1} == {}


def _paged() -> list[tuple[str, str]]:
    found = []
    for path, operations in schema.raw_schema["paths"].items():
        params = operations.get("get", {}).get("parameters", [])
        for name in sorted(
            {p["name"] for p in params if p.get("in") == "query"} & {"limit", "offset"}
        ):
            found.append((path, name))
    return found


@pytest.mark.parametrize("value", ["-1", str(10**19), "99999999999"])
@pytest.mark.parametrize(("path", "name"), _paged())
def test_a_limit_or_offset_out_of_range_is_refused_with_422(client, world, path, name, value):
    # given
    url = _real_path(path, world["ids"])
    headers = {"Authorization": f"Bearer {world['token']}"}
    # when
    response = client.get(url, {name: value}, headers=headers)
    # then
    assert response.status_code == 422, response.content[:300]
    assert list(response.json()["errors"]) == [name]
