"""Pipeline and stage configuration (admin only, audited): names, order, probabilities,
entry criteria, work standards, recommended methods and the ideal state (理想状态)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from loudou.core import audit
from loudou.org.models import User
from loudou.pipeline.models import Pipeline, Stage

PIPELINE_FIELDS = ["name", "name_en", "product_line", "is_default", "is_active"]
STAGE_FIELDS = [
    "code",
    "name",
    "name_en",
    "order",
    "kind",
    "probability",
    "entry_criteria",
    "work_standards",
    "sales_methods",
    "ideal_days",
    "ideal_move_rate",
    "ideal_count_per_rep",
    "is_opportunity",
]
#: Offset used while renumbering, so that (pipeline, order) stays unique at every step.
_PARKING = 10_000


def _require_admin(actor: User) -> None:
    if not actor.is_org_admin:
        raise PermissionDenied(_("只有系统管理员可以配置销售漏斗。"))


def _only(values: dict[str, Any], allowed: list[str]) -> dict[str, Any]:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError({name: _("不可编辑的字段。") for name in sorted(unknown)})
    return values


@transaction.atomic
def save_pipeline(*, actor: User, pipeline: Pipeline | None, values: dict[str, Any]) -> Pipeline:
    """Create or edit a pipeline. Making one the default unmarks the previous default."""
    _require_admin(actor)
    pipeline = pipeline or Pipeline()
    verb = "pipeline.created" if pipeline.pk is None else "pipeline.updated"
    values = _only(values, PIPELINE_FIELDS)
    audit.save_with_audit(obj=pipeline, actor=actor, verb=verb, values=values)
    if pipeline.is_default:
        for other in Pipeline.objects.filter(is_default=True).exclude(pk=pipeline.pk):
            audit.save_with_audit(
                obj=other, actor=actor, verb="pipeline.updated", values={"is_default": False}
            )
    return pipeline


@transaction.atomic
def save_stage(
    *, actor: User, stage: Stage | None, values: dict[str, Any], pipeline: Pipeline | None = None
) -> Stage:
    """Create a stage in `pipeline` (appended last unless `order` is given) or edit one."""
    _require_admin(actor)
    values = dict(_only(values, STAGE_FIELDS))
    if stage is None:
        if pipeline is None:
            raise ValidationError({"pipeline": _("请选择销售漏斗。")})
        stage = Stage(pipeline=pipeline)
        if values.get("order") is None:
            last = pipeline.stages.order_by("-order").values_list("order", flat=True).first()
            values["order"] = (last or 0) + 1
    verb = "stage.created" if stage.pk is None else "stage.updated"
    audit.save_with_audit(obj=stage, actor=actor, verb=verb, values=values)
    return stage


@transaction.atomic
def reorder_stages(*, actor: User, pipeline: Pipeline, stage_ids: list[int]) -> list[Stage]:
    """Give the pipeline's stages the order of `stage_ids` (which must list each once)."""
    _require_admin(actor)
    stages = {s.pk: s for s in pipeline.stages.all()}
    if sorted(stage_ids) != sorted(stages):
        raise ValidationError({"stage_ids": _("必须按新顺序列出该漏斗的全部阶段，每个一次。")})
    before = [stages[pk].code for pk in sorted(stages, key=lambda pk: stages[pk].order)]
    for position, pk in enumerate(stage_ids, start=1):
        Stage.objects.filter(pk=pk).update(order=_PARKING + position)
    for position, pk in enumerate(stage_ids, start=1):
        Stage.objects.filter(pk=pk).update(order=position)
        stages[pk].order = position
    after = [stages[pk].code for pk in stage_ids]
    if before != after:
        audit.record(
            obj=pipeline,
            actor=actor,
            verb="pipeline.stages_reordered",
            changes=[{"field": "stages", "before": before, "after": after}],
        )
    return [stages[pk] for pk in stage_ids]
