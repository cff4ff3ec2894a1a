"""Administrators configure pipelines in the Django admin; saves go through the services."""

import pytest
from django.urls import reverse

from loudou.core import audit
from loudou.pipeline.models import Stage

pytestmark = pytest.mark.django_db


def _inline_data(pipeline, stages, **changes) -> dict:
    """The admin change form as posted back, with `changes` as {code: {field: value}}."""
    data = {
        "name": pipeline.name,
        "name_en": pipeline.name_en,
        "product_line": "",
        "is_default": "on",
        "is_active": "on",
        "stages-TOTAL_FORMS": str(len(stages)),
        "stages-INITIAL_FORMS": str(len(stages)),
        "stages-MIN_NUM_FORMS": "0",
        "stages-MAX_NUM_FORMS": "1000",
    }
    for i, stage in enumerate(sorted(stages.values(), key=lambda s: s.order)):
        row = {
            "id": stage.pk,
            "pipeline": pipeline.pk,
            "position": stage.order,
            "code": stage.code,
            "name": stage.name,
            "name_en": stage.name_en,
            "kind": stage.kind,
            "probability": stage.probability,
            "entry_criteria": stage.entry_criteria,
            "work_standards": stage.work_standards,
            "sales_methods": stage.sales_methods,
            "ideal_days": stage.ideal_days or "",
            "ideal_move_rate": stage.ideal_move_rate or "",
            "ideal_count_per_rep": stage.ideal_count_per_rep or "",
        }
        if stage.is_opportunity:
            row["is_opportunity"] = "on"
        row.update(changes.get(stage.code, {}))
        data.update({f"stages-{i}-{k}": v for k, v in row.items()})
    return data


def test_admin_edits_ideal_days_and_swaps_two_stages_in_the_admin(
    client, admin_user, pipeline, stages
):
    # given the administrator on the pipeline's change page
    client.force_login(admin_user)
    url = reverse("admin:pipeline_pipeline_change", args=[pipeline.pk])
    assert client.get(url).status_code == 200
    # when they change 已接触's ideal days and swap 已分级 with 已接触
    data = _inline_data(
        pipeline,
        stages,
        graded={"position": 3},
        contacted={"position": 2, "ideal_days": 6},
    )
    response = client.post(url, data)
    # then the admin saved through the services: new values, new order, logged
    assert response.status_code == 302, response.content.decode()[:2000]
    codes = list(pipeline.stages.order_by("order").values_list("code", flat=True))
    assert codes[:3] == ["resource", "contacted", "graded"]
    assert Stage.objects.get(pk=stages["contacted"].pk).ideal_days == 6
    assert [e.verb for e in audit.history(stages["contacted"])] == ["stage.updated"]
    assert [e.verb for e in audit.history(pipeline)] == ["pipeline.stages_reordered"]


def test_a_rep_cannot_open_the_pipeline_admin(client, rep, pipeline):
    client.force_login(rep)
    response = client.get(reverse("admin:pipeline_pipeline_change", args=[pipeline.pk]))
    assert response.status_code == 302


def test_admin_adds_a_stage_in_the_middle(client, admin_user, pipeline, stages):
    # given the change form with one extra stage placed second
    client.force_login(admin_user)
    data = _inline_data(pipeline, stages)
    extra = len(stages)
    data["stages-TOTAL_FORMS"] = str(extra + 1)
    new = {"position": 2, "code": "screened", "name": "已筛选", "kind": "open", "probability": 2}
    data.update({f"stages-{extra}-{k}": v for k, v in new.items()})
    # when it is saved
    response = client.post(reverse("admin:pipeline_pipeline_change", args=[pipeline.pk]), data)
    # then the new stage sits second and the others moved down by one
    assert response.status_code == 302
    codes = list(pipeline.stages.order_by("order").values_list("code", flat=True))
    assert codes[:3] == ["resource", "screened", "graded"]
    assert list(pipeline.stages.order_by("order").values_list("order", flat=True)) == list(
        range(1, 10)
    )
    created = Stage.objects.get(code="screened")
    assert [e.verb for e in audit.history(created)] == ["stage.created"]
