"""Pipeline and stage configuration: admin only, audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from loudou.core import audit
from loudou.core.models import Event
from loudou.pipeline.models import Pipeline, Stage
from loudou.pipeline.services import reorder_stages, save_pipeline, save_stage

pytestmark = pytest.mark.django_db


def test_admin_edits_the_ideal_state_and_it_is_logged(admin_user, stages):
    # when the admin changes the contacted stage's ideal days and move rate
    stage = save_stage(
        actor=admin_user,
        stage=stages["contacted"],
        values={"ideal_days": 7, "ideal_move_rate": 45, "work_standards": "每周至少两次电话"},
    )
    # then the stage holds them and the change is logged before → after
    stored = Stage.objects.get(pk=stage.pk)
    assert (stored.ideal_days, stored.ideal_move_rate, stored.work_standards) == (
        7,
        45,
        "每周至少两次电话",
    )
    event = audit.history(stage).get()
    assert (event.verb, event.actor) == ("stage.updated", admin_user)
    assert {"field": "ideal_days", "before": 5, "after": 7} in event.changes


@pytest.mark.parametrize("who", ["rep", "manager", "director", "marketing"])
def test_only_admins_configure(cast, pipeline, stages, who):
    events = Event.objects.count()
    with pytest.raises(PermissionDenied):
        save_stage(actor=cast[who], stage=stages["graded"], values={"ideal_days": 9})
    with pytest.raises(PermissionDenied):
        save_pipeline(actor=cast[who], pipeline=None, values={"name": "新漏斗"})
    with pytest.raises(PermissionDenied):
        reorder_stages(actor=cast[who], pipeline=pipeline, stage_ids=[])
    assert Event.objects.count() == events
    assert Stage.objects.get(pk=stages["graded"].pk).ideal_days == 1


def test_a_new_default_pipeline_unmarks_the_old_one(admin_user, pipeline):
    new = save_pipeline(
        actor=admin_user, pipeline=None, values={"name": "大客户漏斗", "is_default": True}
    )
    assert list(Pipeline.objects.filter(is_default=True)) == [new]
    assert audit.history(pipeline).get().changes == [
        {"field": "is_default", "before": True, "after": False}
    ]


def test_a_stage_order_already_taken_is_refused(admin_user, pipeline):
    with pytest.raises(ValidationError):
        save_stage(
            actor=admin_user,
            stage=None,
            pipeline=pipeline,
            values={"code": "demo", "name": "演示", "order": 3},
        )
    assert not Stage.objects.filter(code="demo").exists()


def test_a_new_stage_goes_last_unless_placed(admin_user, pipeline):
    stage = save_stage(
        actor=admin_user, stage=None, pipeline=pipeline, values={"code": "renewal", "name": "续约"}
    )
    assert stage.order == 9


def test_unknown_stage_fields_are_refused(admin_user, stages):
    with pytest.raises(ValidationError) as refused:
        save_stage(actor=admin_user, stage=stages["graded"], values={"pipeline": None})
    assert list(refused.value.message_dict) == ["pipeline"]


def test_reordering_swaps_stages_and_logs_the_new_order(admin_user, pipeline, stages):
    order = ["resource", "contacted", "graded", "lead_customer", "opportunity", "signed"]
    order += ["implemented", "abandoned"]
    reorder_stages(actor=admin_user, pipeline=pipeline, stage_ids=[stages[c].pk for c in order])
    assert list(pipeline.stages.order_by("order").values_list("code", flat=True)) == order
    event = audit.history(pipeline).get()
    assert event.verb == "pipeline.stages_reordered"
    assert event.changes[0]["after"] == order
