"""Stage moves: the only code that writes a lead's pipeline, stage and stage_entered_at,
and the only code that appends to the stage-change ledger."""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.compliance.validation import refuse_sensitive
from loudou.core import audit
from loudou.leads.models import Lead
from loudou.org.models import User
from loudou.pipeline.choices import MoveVia, StageKind
from loudou.pipeline.exceptions import StageMoveConflict
from loudou.pipeline.models import LostReason, Pipeline, Stage, StageChange, WinFactor


def _check_target(lead: Lead, to_stage: Stage, at: datetime) -> None:
    if not lead.is_valid:
        raise ValidationError({"to_stage": _("无效线索不能进入销售漏斗。")}, code="invalid_lead")
    if lead.pipeline_id is not None and to_stage.pipeline_id != lead.pipeline_id:
        raise ValidationError(
            {"to_stage": _("该阶段不属于线索所在的销售漏斗。")}, code="other_pipeline"
        )
    if to_stage.pk == lead.stage_id:
        raise ValidationError({"to_stage": _("线索已在该阶段。")}, code="same_stage")
    if lead.stage_entered_at is not None and at < lead.stage_entered_at:
        raise ValidationError({"at": _("变更时间不能早于进入当前阶段的时间。")}, code="backwards")


def _lost_reason(to_stage: Stage, lost_reason: LostReason | int | None) -> LostReason | None:
    if to_stage.kind != StageKind.LOST:
        if lost_reason is not None:
            raise ValidationError({"lost_reason": _("只有放弃时才填写放弃原因。")})
        return None
    if lost_reason is None:
        raise ValidationError({"lost_reason": _("放弃客户必须选择放弃原因。")}, code="required")
    pk = lost_reason.pk if isinstance(lost_reason, LostReason) else lost_reason
    found = LostReason.objects.filter(pk=pk, is_active=True).first()
    if found is None:
        raise ValidationError({"lost_reason": _("不存在的放弃原因。")}, code="invalid")
    return found


def _win_factor_ids(to_stage: Stage, factors: Iterable[int | str | WinFactor]) -> list[int]:
    """The ids of the named or numbered win factors; all must exist and be active."""
    wanted = [f.pk if isinstance(f, WinFactor) else f for f in factors or ()]
    if not wanted:
        return []
    if to_stage.kind != StageKind.WON:
        raise ValidationError({"win_factors": _("只有成交时才填写赢单因素。")})
    ids = {w for w in wanted if isinstance(w, int)}
    names = {str(w).strip() for w in wanted if not isinstance(w, int)}
    found = {
        row["pk"]: row["name"]
        for row in WinFactor.objects.filter(is_active=True).values("pk", "name")
        if row["pk"] in ids or row["name"] in names
    }
    missing = (ids - set(found)) | (names - set(found.values()))
    if missing:
        unknown = "、".join(sorted(str(m) for m in missing))
        raise ValidationError({"win_factors": _("不存在的赢单因素：{names}").format(names=unknown)})
    return sorted(found)


def _event_reason(reason: str, lost_reason: LostReason | None) -> str:
    if lost_reason is None:
        return reason
    return f"{lost_reason.name}：{reason}" if reason else lost_reason.name


def _claim_move(lead: Lead, to_stage: Stage, at: datetime) -> None:
    """Move the lead with a conditional UPDATE on the stage it was seen in."""
    previous = (lead.pipeline, lead.stage, lead.stage_entered_at, lead.status)
    lead.pipeline, lead.stage, lead.stage_entered_at = to_stage.pipeline, to_stage, at
    lead.status = lead.derive_status()
    moved = Lead.objects.filter(pk=lead.pk, stage_id=previous[1].pk if previous[1] else None)
    from loudou.activities.services.contacts import since_expression  # kept count: ADR 0009

    count = moved.update(
        pipeline=to_stage.pipeline,
        stage=to_stage,
        stage_entered_at=at,
        stage_follow_ups=since_expression(at),
        status=lead.status,
        updated_at=timezone.now(),
    )
    if count != 1:
        lead.pipeline, lead.stage, lead.stage_entered_at, lead.status = previous
        raise StageMoveConflict(lead.pk)


@transaction.atomic
def move_stage(
    *,
    lead: Lead,
    to_stage: Stage,
    actor: User | None,
    via: str,
    reason: str = "",
    lost_reason: LostReason | int | None = None,
    win_factors: Iterable[int | str | WinFactor] = (),
    at: datetime | None = None,
) -> StageChange:
    """Move `lead` to `to_stage` and append one ledger row and one audit event.

    Refuses (ValidationError, nothing written) an invalid lead, a stage of another
    pipeline, the current stage, abandoning without a lost reason, unknown win factors.
    Raises StageMoveConflict (nothing written) when the lead left the stage it was in
    when `lead` was read: of two concurrent moves from the same stage exactly one wins.
    """
    at = at or timezone.now()
    reason = (reason or "").strip()
    if via not in MoveVia.values:
        raise ValidationError({"via": _("未知的变更途径。")})
    refuse_sensitive({"reason": reason}, {"reason": _("原因")})
    _check_target(lead, to_stage, at)
    lost = _lost_reason(to_stage, lost_reason)
    factor_ids = _win_factor_ids(to_stage, win_factors)
    from_stage = lead.stage if lead.stage_id else None
    _claim_move(lead, to_stage, at)
    change = StageChange.objects.create(
        lead=lead,
        pipeline=to_stage.pipeline,
        from_stage=from_stage,
        to_stage=to_stage,
        at=at,
        actor=actor,
        owner_id=lead.owner_id,
        reason=reason,
        via=via,
        lost_reason=lost,
        win_factors=factor_ids,
    )
    from loudou.analytics.projections import record_stage_change  # hook: ADR 0009

    record_stage_change(change)
    audit.record(
        obj=lead,
        actor=actor,
        verb="lead.stage_changed",
        changes=[{"field": "stage", "before": _name(from_stage), "after": _name(to_stage)}],
        reason=_event_reason(reason, lost),
    )
    return change


def _name(stage: Stage | None) -> str | None:
    return None if stage is None else stage.name


def default_pipeline() -> Pipeline | None:
    return Pipeline.objects.filter(is_default=True, is_active=True).first()


def first_stage(pipeline: Pipeline) -> Stage | None:
    """Where new engagements enter: the open stage with the lowest order."""
    return pipeline.stages.filter(kind=StageKind.OPEN).order_by("order").first()


def place_new_lead(
    *, lead: Lead, actor: User | None, via: str, at: datetime | None = None
) -> StageChange | None:
    """Put a valid lead that is in no stage yet into the default pipeline's first stage.

    Does nothing (returns None) for invalid leads, leads already placed, or when there
    is no active default pipeline with an open stage.
    """
    if not lead.is_valid or lead.stage_id is not None:
        return None
    pipeline = default_pipeline()
    stage = first_stage(pipeline) if pipeline else None
    if stage is None:
        return None
    return move_stage(lead=lead, to_stage=stage, actor=actor, via=via, at=at)
