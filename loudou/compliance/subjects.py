"""A data subject's rights (PIPL 个人信息保护法 §44-47): find a person's records, export
them, erase them; and retention limits that erase what is no longer needed.

A person is found by phone, e-mail or WeChat (or by a contact record) across contacts
and leads. Erasure anonymises: names become 已匿名, contact details and free-text notes
are emptied, follow-up texts and audit-log values of those fields are replaced. Nothing
is deleted that a figure counts: leads keep their stage, ledger, amounts, grades and
validity; follow-ups keep their dates, channels and results; so funnel, conversion and
timeliness figures are the same before and after (tests/test_subjects.py compares them).

This module reaches later apps (customers, leads, activities, imports, webforms) with
function-level imports (ADR 0007)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from loudou.compliance.phones import normalise_phone
from loudou.core import audit
from loudou.core.models import Event

ANONYMISED = "（已匿名）"
#: Fields that hold a person's data, per record kind; the audit log's values of these
#: fields are erased too.
CONTACT_FIELDS = ("name", "title", "phone", "email", "wechat", "notes")
LEAD_FIELDS = ("contact_name", "contact_title", "phone", "email", "wechat", "notes")
FOLLOW_UP_FIELDS = ("summary", "feedback_text", "objection_handling")
#: Fields that must stay non-empty: they get ANONYMISED instead of "".
_NAMED = {"name", "contact_name", "summary"}


@dataclass
class Subject:
    """The records of one person."""

    contacts: list = field(default_factory=list)
    leads: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.contacts or self.leads)


def may_handle_subjects(user) -> bool:
    """Exports and erasure are for organisation administrators (the 个人信息保护负责人)."""
    return user.is_authenticated and user.is_active and user.is_org_admin


def _ensure(actor) -> None:
    if not may_handle_subjects(actor):
        raise PermissionDenied(_("只有系统管理员可以处理个人信息请求。"))


def find_subject(*, phone: str = "", email: str = "", wechat: str = "", contact=None) -> Subject:
    """Every contact and lead with this phone, e-mail or WeChat (or this contact record,
    and the leads that point at it)."""
    from loudou.customers.models import Contact
    from loudou.leads.models import Lead

    keys = Q(pk__in=[])
    number = normalise_phone(phone) if phone else None
    if number:
        keys |= Q(phone=number)
    if email.strip():
        keys |= Q(email__iexact=email.strip())
    if wechat.strip():
        keys |= Q(wechat=wechat.strip())
    contacts = Contact.objects.filter(keys)
    if contact is not None:
        contacts = contacts | Contact.objects.filter(pk=contact.pk)
    contacts = list(contacts.select_related("customer").distinct().order_by("pk"))
    leads = Lead.objects.filter(keys | Q(contact__in=contacts)).distinct().order_by("pk")
    return Subject(contacts=contacts, leads=list(leads.select_related("stage")))


def export_subject(*, subject: Subject, actor) -> dict[str, Any]:
    """Everything stored about the person, as plain data (JSON-ready); logged as
    `subject.exported` on each record."""
    from loudou.activities.models import FollowUp

    _ensure(actor)
    follow_ups = FollowUp.objects.filter(lead__in=subject.leads).order_by("occurred_at")
    data = {
        "exported_at": timezone.now().isoformat(),
        "contacts": [
            {
                "id": c.pk,
                "company": c.customer.name,
                **{name: getattr(c, name) for name in CONTACT_FIELDS},
                "purpose": c.get_purpose_display(),
                "consents": [
                    {
                        "purpose": r.get_purpose_display(),
                        "granted": r.granted,
                        "source": r.get_source_display(),
                        "evidence": r.evidence,
                        "at": r.recorded_at.isoformat(),
                    }
                    for r in c.consents.order_by("recorded_at")
                ],
            }
            for c in subject.contacts
        ],
        "leads": [
            {
                "number": lead.number,
                "company": lead.company_name,
                **{name: getattr(lead, name) for name in LEAD_FIELDS},
                "stage": str(lead.stage) if lead.stage_id else "",
                "captured_at": lead.captured_at.isoformat(),
            }
            for lead in subject.leads
        ],
        "follow_ups": [
            {
                "lead": f.lead.number,
                "at": f.occurred_at.isoformat(),
                "channel": f.get_channel_display(),
                **{name: getattr(f, name) for name in FOLLOW_UP_FIELDS},
            }
            for f in follow_ups.select_related("lead")
        ],
    }
    for record in [*subject.contacts, *subject.leads]:
        audit.record(obj=record, actor=actor, verb="subject.exported")
    return data


@transaction.atomic
def erase_subject(*, subject: Subject, actor, reason: str) -> dict[str, int]:
    """Anonymise the person's records (see the module's docstring); `subject.erased` on
    each record, with `reason`. Idempotent. Returns counts per kind."""
    _ensure(actor)
    reason = (reason or "").strip()[:500]
    if not reason:
        from django.core.exceptions import ValidationError

        raise ValidationError({"reason": _("请填写删除原因（例如：本人于某日提出删除请求）。")})
    counts = anonymise(contacts=subject.contacts, leads=subject.leads)
    for record in [*subject.contacts, *subject.leads]:
        audit.record(obj=record, actor=actor, verb="subject.erased", reason=reason)
    return counts


def _blanked(obj, names) -> list[str]:
    changed = []
    for name in names:
        value = getattr(obj, name)
        target = ANONYMISED if name in _NAMED else ""
        if value and value != target:
            setattr(obj, name, target)
            changed.append(name)
    return changed


def anonymise(*, contacts, leads) -> dict[str, int]:
    """Empty the personal fields of `contacts` and `leads` and of what mirrors them
    (follow-up texts, audit-log values, import rows, refused web-form posts), keeping
    every field a figure counts. Returns how many of each were changed."""
    from loudou.activities.models import FollowUp
    from loudou.imports.models import ImportRow
    from loudou.webforms.models import SpamSubmission

    now = timezone.now()
    details = {v for r in [*contacts, *leads] for v in (r.phone, r.email, r.wechat) if v}
    counts = {"contacts": 0, "leads": 0, "follow_ups": 0, "events": 0, "import_rows": 0}
    for contact in contacts:
        changed = _blanked(contact, CONTACT_FIELDS)
        if changed or contact.anonymised_at is None:
            contact.anonymised_at = now
            contact.save(update_fields=[*changed, "anonymised_at", "updated_at"])
            counts["contacts"] += 1
    for lead in leads:
        changed = _blanked(lead, LEAD_FIELDS)
        if changed:  # validity, stage, grades untouched: the figures stay as they were
            lead.save(update_fields=[*changed, "updated_at"])
            counts["leads"] += 1
    for follow_up in FollowUp.objects.filter(lead__in=leads):
        changed = _blanked(follow_up, FOLLOW_UP_FIELDS)
        if changed:
            follow_up.save(update_fields=changed)
            counts["follow_ups"] += 1
    counts["events"] = Event.objects.erase_values(
        objects=[*contacts, *leads], fields={*CONTACT_FIELDS, *LEAD_FIELDS}, value=ANONYMISED
    )
    rows = ImportRow.objects.filter(Q(lead__in=leads) | Q(contact__in=contacts)).exclude(values={})
    counts["import_rows"] = rows.update(values={})
    _delete_spam_with(SpamSubmission, details)
    return counts


def _delete_spam_with(model, details: set[str]) -> None:
    """Refused web-form posts that hold one of the person's contact details."""
    for detail in details:
        bare = detail.removeprefix("+86")
        model.objects.filter(Q(payload__icontains=detail) | Q(payload__icontains=bare)).delete()


def _closed() -> Q:
    return Q(is_valid=False) | Q(stage__kind="lost")


def expired_leads(now: datetime):
    """Lost or invalid leads untouched for longer than LOUDOU_RETENTION_DAYS that still
    hold personal data."""
    from loudou.leads.models import Lead

    cutoff = now - timedelta(days=settings.LOUDOU_RETENTION_DAYS)
    personal = ~Q(phone="") | ~Q(email="") | ~Q(wechat="") | ~Q(contact_name__in=["", ANONYMISED])
    return Lead.objects.filter(_closed(), personal, updated_at__lt=cutoff)


def purge_expired_personal_data(*, now: datetime, batch: int = 500) -> int:
    """Anonymise, batch by batch, the leads past the retention limit, and their contacts
    unless another lead of the contact is still open or recently touched. Returns how
    many leads were anonymised."""
    from loudou.customers.models import Contact
    from loudou.leads.models import Lead

    cutoff = now - timedelta(days=settings.LOUDOU_RETENTION_DAYS)
    still_needed = Lead.objects.filter(~_closed() | Q(updated_at__gte=cutoff))
    done = 0
    while leads := list(expired_leads(now).order_by("pk")[:batch]):
        with transaction.atomic():
            contacts = Contact.objects.filter(leads__in=leads).exclude(leads__in=still_needed)
            anonymise(contacts=list(contacts.distinct()), leads=leads)
            for lead in leads:
                audit.record(obj=lead, actor=None, verb="subject.erased", reason="retention")
        done += len(leads)
    return done
