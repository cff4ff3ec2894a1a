"""Recording and reading consent (PIPL): per contact and purpose, newest first."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.compliance.choices import ConsentSource, Purpose
from loudou.compliance.models import ConsentRecord
from loudou.compliance.validation import refuse_sensitive
from loudou.core import audit


@transaction.atomic
def record_consent(
    *,
    contact,
    purpose: str,
    granted: bool,
    source: str,
    actor,
    evidence: str = "",
    at=None,
) -> ConsentRecord:
    """Record that `contact` granted (or withdrew) consent to `purpose`, given by `source`
    (a web-form tick, a call, a letter…). Also an audit event `contact.consent` on the
    contact. ValidationError (nothing written) for an unknown purpose or source, or an
    evidence text with a control character or an ID/bank-card number."""
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("未知的用途。")})
    if source not in ConsentSource.values:
        raise ValidationError({"source": _("未知的同意方式。")})
    evidence = (evidence or "").strip()[:500]
    refuse_sensitive({"evidence": evidence}, {"evidence": _("凭据")})
    record = ConsentRecord.objects.create(
        contact=contact,
        purpose=purpose,
        granted=granted,
        source=source,
        evidence=evidence,
        recorded_by=actor,
        recorded_at=at or timezone.now(),
    )
    audit.record(
        obj=contact,
        actor=actor,
        verb="contact.consent",
        changes=[{"field": purpose, "before": None, "after": granted}],
        reason=source,
    )
    return record


def consent_state(contact) -> list[dict]:
    """Each purpose with the record in force for `contact` (None: never asked)."""
    latest: dict[str, ConsentRecord] = {}
    for record in contact.consents.order_by("-recorded_at", "-id"):
        latest.setdefault(record.purpose, record)
    return [
        {"purpose": value, "label": label, "record": latest.get(value)}
        for value, label in Purpose.choices
    ]
