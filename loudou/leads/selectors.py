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


def table_leads(user: User) -> QuerySet[Lead]:
    """The leads `user` sees, joined to what a row of the leads table shows (owner, source,
    stage; leads/_table.html): the industry and region joins cost a page ≈ 5 ms."""
    return visible_leads(user).select_related(None).select_related("owner", "source", "stage")


def access_lead(user: User, pk: int) -> Lead:
    """The lead, or Http404 when it is missing or not visible to `user`."""
    lead = visible_leads(user).filter(pk=pk).first()
    if lead is None:
        raise Http404
    return lead


def phone_digits(text: str) -> str:
    """The digits of a search that looks for a whole phone number (7 or more), else ""."""
    digits = "".join(ch for ch in (text or "")[:100] if ch.isdigit())
    return digits if len(digits) >= 7 else ""


def search_leads(leads: QuerySet[Lead], text: str, viewer: User | None = None) -> QuerySet[Lead]:
    """Narrow `leads` by number, company, contact, phone (whole number or its last 4 digits)
    or pinyin (initials `kjyx` or full `keji`).

    A whole phone number finds only the leads whose phone `viewer` sees unmasked, unless
    they may reveal contact details (then the list logs each masked hit as a reveal:
    compliance.reveal.log_search_reveals): a manager cannot confirm the hidden digits of a
    team member's lead by guessing them. The last 4 digits, shown anyway, find any lead.

    The text predicates read a trigram index (ADR 0021): pg_trgm GIN indexes serve them on
    PostgreSQL; on SQLite the FTS5 table narrows them to its candidates
    (search.trigram_candidates), which they recheck. Terms shorter than 3 characters
    (and the pinyin of "a b") have no trigram: they scan the visible leads in list order."""
    from loudou.compliance.phones import normalise_phone
    from loudou.leads.search import trigram_candidates

    text = (text or "").strip()[:100]
    if not text:
        return leads
    # numbers are upper case (LX…): an equality the unique index answers, where iexact
    # reads every row
    exact = Q(number=text.upper())
    found = Q(company_name__icontains=text) | Q(contact_name__icontains=text)
    fragments = [text]  # what the index must find: each predicate's search term
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 4 and len(text) <= 5:
        found |= Q(phone__endswith=digits)
        fragments.append(digits)
    elif phone_digits(text):
        shown = Q()
        if viewer is not None and not viewer.may_reveal_contacts:
            shown = Q(owner=viewer) | Q(owner__isnull=True, captured_by=viewer)
        exact |= Q(phone=normalise_phone(text) or text) & shown  # the phone index answers
        found |= Q(phone__contains=digits) & shown
        fragments.append(digits)
    if text.isascii() and text.replace(" ", "").isalpha():
        key = text.lower().replace(" ", "")
        found |= Q(search_key__contains=key)
        fragments.append(key)
    candidates = trigram_candidates(fragments, using=leads.db)
    if candidates is not None:
        found &= candidates
    return leads.filter(exact | found)


_VERBS = {
    "lead.created": _("登记线索"),
    "lead.updated": _("修改线索"),
    "lead.grade_override": _("人工调整等级"),
    "lead.needs_assessed": _("需求匹配评估"),
    "lead.duplicates_kept": _("疑似重复（仍登记）"),
    "lead.merged": _("合并线索"),
    "lead.merged_into": _("被合并"),
    "contact.revealed": _("查看完整联系方式"),
}


def lead_timeline(lead: Lead, viewer: User) -> list[dict]:
    """Every recorded change of `lead`, newest first, labelled and masked for `viewer`."""
    from loudou.core.audit import history
    from loudou.leads.change_text import change_label, change_value
    from loudou.org.selectors import owns

    visible = owns(viewer, owner_id=lead.owner_id, captured_by_id=lead.captured_by_id)
    entries = []
    for event in history(lead):
        changes = [
            {
                "label": change_label(event.verb, change["field"]),
                "before": change_value(change["field"], change["before"], visible=visible),
                "after": change_value(change["field"], change["after"], visible=visible),
            }
            for change in event.changes
        ]
        label = _VERBS.get(event.verb, event.verb)
        entries.append({"event": event, "label": label, "changes": changes})
    return entries
