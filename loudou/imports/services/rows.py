"""One data row through the same path as a hand-entered lead: register_lead, then the
stage it was in (move_stage, so history lands in the ledger) and the opportunity."""

from dataclasses import dataclass

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


def process_row(job: ImportJob, line: int, converted: Converted, known: dict[str, int]):
    """Import one converted row; `known` maps external refs already present to lead ids."""
    ref = external_ref(converted.fingerprint)
    result = RowResult(line=line, fingerprint=converted.fingerprint, outcome=RowOutcome.REJECTED)
    if converted.errors:
        result.reason = describe(converted.errors)
        return result
    if ref in known:
        result.outcome, result.lead_id = RowOutcome.DUPLICATE, known[ref]
        return result
    try:
        with transaction.atomic():
            lead = _create(job, converted, ref)
    except (ValidationError, PermissionDenied) as error:
        result.reason = describe(error)
        return result
    if lead.external_ref != ref:
        result.outcome, result.lead_id = RowOutcome.MERGED, lead.pk
        return result
    known[ref] = lead.pk
    result.outcome, result.lead_id = RowOutcome.IMPORTED, lead.pk
    return result


def _create(job: ImportJob, converted: Converted, ref: str) -> Lead:
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
    )
    if lead.external_ref != ref:  # merged into an existing lead by the de-dup rule
        return lead
    if job.to_pool and not extras.get("owner") and lead.owner_id is not None:
        _release_to_pool(lead, job)
    if extras.get("stage") is not None:
        _move(lead, job, extras)
    opportunity = {k: extras[k] for k in ("amount", "products") if extras.get(k) is not None}
    if opportunity:
        from loudou.pipeline.services import update_opportunity

        update_opportunity(lead=lead, actor=job.user, values=opportunity)
    return lead


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


def historical_move(lead: Lead, extras: dict, default_lost_reason) -> tuple | None:
    """Where a row's stage columns put a new lead: (stage, at, lost reason), or None when it
    is already there. The time is the won/lost date for a closed stage, else the time the
    stage was entered, else the capture time; a lost stage without a mapped reason gets
    `default_lost_reason()`. An invalid lead may not enter the funnel."""
    stage = extras["stage"]
    if stage.pk == lead.stage_id:
        return None
    if not lead.is_valid:
        raise ValidationError({"stage": _("无效线索不能进入销售漏斗。")})
    at = extras.get("stage_entered_at")
    if stage.kind in {"won", "lost"} and extras.get("closed_at"):
        at = extras["closed_at"]
    lost_reason = extras.get("lost_reason")
    if stage.kind == "lost" and lost_reason is None:
        lost_reason = default_lost_reason()
    return stage, at or lead.captured_at or timezone.now(), lost_reason


def _move(lead: Lead, job: ImportJob, extras: dict) -> None:
    from loudou.pipeline.models import LostReason
    from loudou.pipeline.services import move_stage

    move = historical_move(
        lead, extras, lambda: LostReason.objects.filter(name="其他", is_active=True).first()
    )
    if move is None:
        return
    stage, at, lost_reason = move
    move_stage(
        lead=lead, to_stage=stage, actor=job.user, via="import", at=at, lost_reason=lost_reason
    )
