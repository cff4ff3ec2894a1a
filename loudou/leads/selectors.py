"""Protected reads of leads: the one place lead visibility is decided."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from loudou.leads.models import Lead
from loudou.org.models import User
from loudou.org.selectors import visibility_q


def visible_leads(user: User) -> QuerySet[Lead]:
    q = visibility_q(user, owner="owner", captured_by="captured_by")
    return Lead.objects.filter(q).select_related("owner", "source", "industry", "region", "stage")


def access_lead(user: User, pk: int) -> Lead:
    """The lead, or Http404 when it is missing or not visible to `user`."""
    lead = visible_leads(user).filter(pk=pk).first()
    if lead is None:
        raise Http404
    return lead


def search_leads(leads: QuerySet[Lead], text: str) -> QuerySet[Lead]:
    """Narrow `leads` by number, company, contact, phone (whole number or its last 4 digits)
    or pinyin (initials `kjyx` or full `keji`)."""
    from loudou.compliance.phones import normalise_phone

    text = (text or "").strip()[:100]
    if not text:
        return leads
    q = Q(number__iexact=text) | Q(company_name__icontains=text) | Q(contact_name__icontains=text)
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 4 and len(text) <= 5:
        q |= Q(phone__endswith=digits)
    elif len(digits) >= 7:
        q |= Q(phone=normalise_phone(text) or text) | Q(phone__contains=digits)
    if text.isascii() and text.replace(" ", "").isalpha():
        q |= Q(search_key__contains=text.lower().replace(" ", ""))
    return leads.filter(q)


_VERBS = {
    "lead.created": _("登记线索"),
    "lead.updated": _("修改线索"),
    "lead.grade_override": _("人工调整等级"),
    "lead.needs_assessed": _("需求匹配评估"),
    "lead.duplicates_kept": _("疑似重复（仍登记）"),
    "lead.merged": _("合并线索"),
    "lead.merged_into": _("被合并"),
}
_MASKED_FIELDS = {"phone": "phone", "email": "email", "wechat": "text"}


def _label_value(field, value, visible: bool):
    from loudou.compliance.masking import mask
    from loudou.compliance.phones import display_phone

    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if field is not None and field.choices and not field.is_relation:
        value = dict(field.flatchoices).get(value, value)
    if field is not None and field.name == "phone":
        value = display_phone(value)
    if field is not None and field.name in _MASKED_FIELDS:
        value = mask(str(value), kind=_MASKED_FIELDS[field.name], visible=visible)
    return value


def lead_timeline(lead: Lead, viewer: User) -> list[dict]:
    """Every recorded change of `lead`, newest first, labelled and masked for `viewer`."""
    from loudou.core.audit import history
    from loudou.org.selectors import owns

    visible = owns(viewer, owner_id=lead.owner_id, captured_by_id=lead.captured_by_id)
    fields = {f.name: f for f in Lead._meta.fields}
    entries = []
    for event in history(lead):
        changes = []
        for change in event.changes:
            field = fields.get(change["field"])
            changes.append(
                {
                    "label": field.verbose_name if field else change["field"],
                    "before": _label_value(field, change["before"], visible),
                    "after": _label_value(field, change["after"], visible),
                }
            )
        label = _VERBS.get(event.verb, event.verb)
        entries.append({"event": event, "label": label, "changes": changes})
    return entries
