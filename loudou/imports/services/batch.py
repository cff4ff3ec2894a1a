"""A batch of rows through `loudou.leads.services.bulk.LeadBatch`: the same checks as a
hand-entered lead (and as `rows.process_row`, the row-by-row path), a few queries and bulk
inserts per batch instead of a dozen queries per row."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from loudou.imports.models import ImportJob, RowOutcome
from loudou.imports.services.convert import Converted
from loudou.imports.services.rows import (
    RowResult,
    describe,
    duplicate_reason,
    external_ref,
    historical_path,
    is_closed,
)
from loudou.leads.services.bulk import LeadBatch, Planned


def import_rows(
    job: ImportJob, rows: list[tuple[int, Converted]], known: dict[str, int]
) -> list[RowResult]:
    """Import converted rows (line, converted) in one go; `known` maps the external refs
    already present to lead ids. Returns one result per row, in order."""
    candidates = [c.values for _line, c in rows if not c.errors]
    leads = LeadBatch(actor=job.user, via="import", rows=candidates, on_duplicate="policy")
    results: list[RowResult] = []
    pending: dict[str, Planned] = {}
    for line, converted in rows:
        result = RowResult(
            line=line, fingerprint=converted.fingerprint, outcome=RowOutcome.REJECTED
        )
        results.append(result)
        ref = external_ref(converted.fingerprint)
        if converted.errors:
            result.reason = describe(converted.errors)
        elif ref in known or ref in pending:
            result.outcome, result.lead_id = RowOutcome.DUPLICATE, known.get(ref)
            result.reason = duplicate_reason(converted)
        else:
            try:
                planned, warned = _plan(job, leads, converted, ref)
            except (ValidationError, PermissionDenied) as error:
                result.reason = describe(error)
                continue
            leads.accept(planned)
            pending[ref] = planned
            result.outcome, result.warning = RowOutcome.IMPORTED, "; ".join(warned)
    leads.write()
    for result in results:
        planned = pending.get(external_ref(result.fingerprint))
        if planned is not None and result.outcome != RowOutcome.REJECTED:
            result.lead_id = planned.lead.pk
            known[planned.lead.external_ref] = planned.lead.pk
    return results


def _plan(
    job: ImportJob, leads: LeadBatch, converted: Converted, ref: str
) -> tuple[Planned, list[str]]:
    """rows._create for one row: register, release to the pool, moves, opportunity."""
    extras = converted.extras
    owner = extras.get("owner") or job.owner
    leads.ensure_assignable(owner)
    planned = leads.plan(
        values=converted.values,
        owner=owner,
        captured_at=extras.get("captured_at"),
        external_ref=ref,
        historical=is_closed(extras),
    )
    if job.to_pool and not extras.get("owner") and planned.lead.owner_id is not None:
        leads.release(planned, reason=_("导入公海"))
    warnings = _move(leads, planned, extras)
    opportunity = {k: extras[k] for k in ("amount", "products") if extras.get(k) is not None}
    if opportunity:
        leads.set_opportunity(planned, **opportunity)
    return planned, warnings


def _move(leads: LeadBatch, planned: Planned, extras: dict[str, Any]) -> list[str]:
    path = historical_path(planned.lead, extras, lambda: _default_lost_reason(leads))
    for stage, at, lost_reason in path.moves:
        leads.move(planned, to_stage=stage, at=at, lost_reason=lost_reason)
    return path.warnings


def _default_lost_reason(leads: LeadBatch):
    """ "其他" for a lost stage whose reason was not mapped (read once per batch)."""
    from loudou.pipeline.models import LostReason

    if "lost_reason" not in leads.cache:
        found = LostReason.objects.filter(name="其他", is_active=True).first()
        leads.cache["lost_reason"] = found
    return leads.cache["lost_reason"]
