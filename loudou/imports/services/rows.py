"""One data row through the same path as a hand-entered lead: register_lead, then the
stages it went through (move_stage, so history lands in the ledger) and the opportunity."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.core import audit
from loudou.customers.models import Customer
from loudou.imports.models import ImportJob, RowOutcome
from loudou.imports.services.convert import Converted
from loudou.leads.models import Lead
from loudou.leads.services import register_lead
from loudou.org.selectors import ensure_assignable


@dataclass
class RowResult:
    line: int
    fingerprint: str
    outcome: str
    lead_id: int | None = None
    reason: str = ""
    customer_id: int | None = None
    contact_id: int | None = None
    warning: str = ""


def external_ref(fingerprint: str) -> str:
    return f"import:{fingerprint}"


def describe(error: ValidationError | PermissionDenied | dict, model=Lead) -> str:
    """'公司名称：请填写公司名称。; 邮箱：…' — field labels (of `model`), then messages."""
    if isinstance(error, PermissionDenied):
        return str(error) or _("无权限")
    errors = error if isinstance(error, dict) else getattr(error, "message_dict", None)
    if errors is None:
        return "; ".join(str(m) for m in error.messages)
    labels = {f.name: str(f.verbose_name) for f in model._meta.fields}
    parts = []
    for name, messages in errors.items():
        label = labels.get(name, name) if name != "__all__" else ""
        text = " ".join(str(m) for m in messages)
        parts.append(f"{label}：{text}" if label else text)
    return "; ".join(parts)


def duplicate_reason(converted: Converted) -> str:
    """Why a row was not imported again: its external id, or the same row, was before."""
    if converted.external_id:
        return _("外部编号“{value}”已导入过，未重复导入。").format(value=converted.external_id)
    return _("这一行已导入过，未重复导入。")


def is_closed(extras: dict) -> bool:
    """A row whose mapped stage is won or lost: closed history (ADR 0012)."""
    stage = extras.get("stage")
    return stage is not None and stage.kind in {"won", "lost"}


def process_row(job: ImportJob, line: int, converted: Converted, known: dict[str, int]):
    """Import one converted row; `known` maps external refs already present to lead ids."""
    ref = external_ref(converted.fingerprint)
    result = RowResult(line=line, fingerprint=converted.fingerprint, outcome=RowOutcome.REJECTED)
    if converted.errors:
        result.reason = describe(converted.errors)
        return result
    if ref in known:
        result.outcome, result.lead_id = RowOutcome.DUPLICATE, known[ref]
        result.reason = duplicate_reason(converted)
        return result
    try:
        with transaction.atomic():
            lead, warnings = _create(job, converted, ref)
    except (ValidationError, PermissionDenied) as error:
        result.reason = describe(error)
        return result
    if lead.external_ref != ref:
        result.outcome, result.lead_id = RowOutcome.MERGED, lead.pk
        return result
    known[ref] = lead.pk
    result.outcome, result.lead_id = RowOutcome.IMPORTED, lead.pk
    result.warning = "; ".join(warnings)
    return result


def _create(job: ImportJob, converted: Converted, ref: str) -> tuple[Lead, list[str]]:
    extras = converted.extras
    owner = extras.get("owner") or job.owner
    ensure_assignable(job.user, owner)
    lead = register_lead(
        actor=job.user,
        values=converted.values,
        owner=owner,
        captured_at=extras.get("captured_at"),
        external_ref=ref,
        via="import",
        on_duplicate="policy",
        historical=is_closed(extras),
    )
    if lead.external_ref != ref:  # merged into an existing lead by the de-dup rule
        return lead, []
    if job.to_pool and not extras.get("owner") and lead.owner_id is not None:
        _release_to_pool(lead, job)
    path = historical_path(lead, extras, _default_lost_reason)
    for stage, at, lost_reason in path.moves:
        from loudou.pipeline.services import move_stage

        move_stage(
            lead=lead, to_stage=stage, actor=job.user, via="import", at=at, lost_reason=lost_reason
        )
    opportunity = {k: extras[k] for k in ("amount", "products") if extras.get(k) is not None}
    if opportunity:
        from loudou.pipeline.services import update_opportunity

        update_opportunity(lead=lead, actor=job.user, values=opportunity)
    return lead, path.warnings


def _default_lost_reason():
    from loudou.pipeline.models import LostReason

    return LostReason.objects.filter(name="其他", is_active=True).first()


def _release_to_pool(lead: Lead, job: ImportJob) -> None:
    """register_lead makes a seller the owner of what they enter; an import into the pool
    (公海) takes the lead and its new customer back to no owner."""
    Lead.objects.filter(pk=lead.pk).update(owner=None, assigned_at=None)
    Customer.objects.filter(pk=lead.customer_id, owner=lead.owner_id).update(owner=None)
    changes = [{"field": "owner", "before": str(lead.owner), "after": None}]
    lead.owner, lead.assigned_at = None, None
    audit.record(
        obj=lead, actor=job.user, verb="lead.updated", changes=changes, reason=_("导入公海")
    )


@dataclass
class Path:
    """The moves a new lead makes after its placement, (stage, at, lost reason) each, and
    what the row's data made the import decide."""

    moves: list[tuple] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def historical_path(lead: Lead, extras: dict, default_lost_reason) -> Path:
    """Where a row's stage columns take a new lead, in the pipeline's order: each stage it
    entered at a mapped date (`stage_dates`, open stages: before the row's stage when that
    one is open, all of them when it is closed — a lost deal that was engaged reached the
    engaged stage), then the row's stage at its won/lost date, else the time it was
    entered, else its own date column, else the previous move's time.

    The ledger never goes back in time: a date before the previous move's (a deal won
    before its first contact) is recorded at the previous move's time, with a warning. A
    lost stage without a mapped reason gets `default_lost_reason()`. A lead without any
    contact method that is not closed history is imported invalid and enters no stage
    (its stages are named in a warning)."""
    path, stage = Path(), extras.get("stage")
    dates = dict(extras.get("stage_dates") or {})
    if lead.is_historical:
        path.warnings.append(_("无任何有效联系方式：已结束的商机，作为历史记录导入。"))
    if not lead.is_valid:
        if stage is not None or dates:
            path.warnings.append(_("无任何有效联系方式：作为无效线索导入，未进入销售漏斗。"))
        return path
    steps = _steps(lead, stage, dates, extras, path)
    previous = lead.stage_entered_at or lead.captured_at or timezone.now()
    for to_stage, at in steps:
        if at is None:
            at = previous
        elif at < previous:
            path.warnings.append(_backwards(to_stage, at, previous))
            at = previous
        lost_reason = extras.get("lost_reason") if to_stage == stage else None
        if to_stage.kind == "lost" and lost_reason is None:
            lost_reason = default_lost_reason()
        path.moves.append((to_stage, at, lost_reason))
        previous = at
    return path


def _steps(lead: Lead, stage, dates: dict, extras: dict, path: Path) -> list[tuple]:
    """(stage, date or None) in the pipeline's order, the row's stage last."""
    steps = []
    for dated in sorted(dates, key=lambda s: s.order):
        if dated == stage or dated.pk == lead.stage_id:
            continue
        if stage is not None and stage.kind == "open" and dated.order > stage.order:
            path.warnings.append(
                _("“{stage}”的日期未记录：该行的阶段在它之前。").format(stage=dated)
            )
            continue
        steps.append((dated, dates[dated]))
    if stage is not None and stage.pk != lead.stage_id:
        at = extras.get("stage_entered_at") or dates.get(stage)
        if stage.kind in {"won", "lost"} and extras.get("closed_at"):
            at = extras["closed_at"]
        steps.append((stage, at))
    return steps


def _backwards(stage, at: datetime, previous: datetime) -> str:
    return _("“{stage}”的日期 {date} 早于上一步（{previous}），按 {previous} 记录。").format(
        stage=stage,
        date=timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
        previous=timezone.localtime(previous).strftime("%Y-%m-%d %H:%M"),
    )
