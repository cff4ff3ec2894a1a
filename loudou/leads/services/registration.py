"""Registering and editing leads (线索登记): validation, grading, linking, audit."""

import re
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from loudou.compliance.validation import clean_contact_fields, refuse_sensitive
from loudou.core import audit
from loudou.customers.models import Contact, Customer
from loudou.customers.services import follow_lead_owner
from loudou.leads.models import Lead
from loudou.leads.services.grading import apply_grades
from loudou.leads.services.numbering import next_lead_numbers
from loudou.org.choices import Role
from loudou.org.models import User
from loudou.org.selectors import ensure_assignable

#: Fields a user edits on the registration sheet.
LEAD_FIELDS = [
    "company_name",
    "industry",
    "employees",
    "annual_revenue",
    "region",
    "contact_name",
    "contact_title",
    "phone",
    "email",
    "wechat",
    "source",
    "need_description",
    "pain_point",
    "expected_purchase_date",
    "budget_min",
    "budget_max",
    "decision_cycle",
    "need_level",
    "budget_fit",
    "customer_type",
    "purchasing_power",
    "notes",
]
#: Derived fields whose changes also appear in the timeline.
DERIVED_FIELDS = ["intent_grade_auto", "intent_grade", "rating_auto", "rating", "is_valid"]

#: Fields `_prepare` may derive beside the tracked ones (written when they change).
_DERIVED_STORED = ["invalid_reason", "assigned_at"]

_WECHAT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{5,19}")


def _labels() -> dict[str, str]:
    return _labels_in(get_language())


@lru_cache(maxsize=8)
def _labels_in(language: str | None) -> dict[str, str]:
    return {f.name: str(f.verbose_name) for f in Lead._meta.fields}


def _clean_wechat(value: str) -> tuple[str, str | None]:
    text = (value or "").strip()
    if not text or _WECHAT_ID.fullmatch(text):
        return text, None
    from loudou.compliance.phones import normalise_phone

    if normalise_phone(text):
        return text, None
    return "", _(
        "“{value}”不是有效的微信号（6-20位字母、数字、下划线或减号，以字母开头，或手机号）。"
    ).format(value=text[:40])


def _validate_contacts(lead: Lead) -> None:
    """Normalise phone/email/WeChat in place; refuse malformed ones; set validity."""
    phone, email, problems = clean_contact_fields(lead.phone, lead.email)
    wechat, wechat_problem = _clean_wechat(lead.wechat)
    if wechat_problem:
        problems["wechat"] = wechat_problem
    if problems:
        raise ValidationError(problems, code="invalid_contact")
    lead.phone, lead.email, lead.wechat = phone, email, wechat
    lead.is_valid = lead.has_contact or lead.is_historical  # ADR 0012
    lead.invalid_reason = "" if lead.is_valid else _("无任何有效联系方式")


def _prepare(
    lead: Lead, values: dict[str, Any], *, rules: dict | None = None, preloaded: bool = False
) -> None:
    """Set `values` on `lead`, validate, normalise and grade it (nothing is written).

    `rules` are the active grade rules by kind (read once per batch by bulk callers);
    `preloaded` says the related objects in `values` were just read from the database and
    the external reference was checked by the caller, so full_clean skips those lookups."""
    unknown = set(values) - set(LEAD_FIELDS)
    if unknown:
        raise ValidationError({name: _("不可编辑的字段。") for name in sorted(unknown)})
    refuse_sensitive(values, _labels())
    for name, value in values.items():
        setattr(lead, name, value.strip() if isinstance(value, str) else value)
    if not (lead.company_name or "").strip():
        raise ValidationError({"company_name": _("请填写公司名称。")})
    _validate_contacts(lead)
    exclude = ["number", "captured_at", "customer", "contact"]
    if preloaded:
        exclude += [f.name for f in Lead._meta.concrete_fields if f.is_relation]
    lead.full_clean(exclude=exclude, validate_unique=not preloaded)
    apply_grades(lead, rules=rules)


def default_owner(actor: User, owner: User | None) -> User | None:
    """Sellers own what they register unless they name another owner; marketing's leads
    wait unowned for assignment."""
    if owner is None and actor.role != Role.MARKETING:
        return actor
    return owner


def new_lead(
    *,
    actor: User,
    values: dict[str, Any],
    owner: User | None,
    customer: Customer | None = None,
    captured_at=None,
    external_ref: str | None = None,
    now=None,
    rules: dict | None = None,
    preloaded: bool = False,
    historical: bool = False,
) -> Lead:
    """An unsaved lead from the registration sheet: validated, normalised and graded.

    `historical`: the row is closed history (an imported won or lost deal); without any
    contact method it is kept valid and flagged `is_historical` (ADR 0012), graded as a
    lead without a contact."""
    now = now or timezone.now()
    lead = Lead(
        owner=owner,
        captured_by=actor,
        captured_at=captured_at or now,
        assigned_at=now if owner else None,
        customer=customer,
        external_ref=external_ref,
    )
    _prepare(lead, values, rules=rules, preloaded=preloaded)
    if historical and not lead.is_valid:
        lead.is_valid, lead.is_historical, lead.invalid_reason = True, True, ""
    return lead


def created_changes(lead: Lead) -> list[dict[str, Any]]:
    """The changes recorded with `lead.created`: every field of the sheet from nothing
    (and the historical flag, when set)."""
    extra = ["is_historical"] if lead.is_historical else []
    return audit.diff({}, audit.snapshot(lead, [*LEAD_FIELDS, *DERIVED_FIELDS, "owner", *extra]))


def new_customer(lead: Lead, actor: User) -> Customer:
    """The (unsaved) customer record a new lead stands for."""
    return Customer(
        name=lead.company_name,
        industry=lead.industry,
        region=lead.region,
        employees=lead.employees,
        annual_revenue=lead.annual_revenue,
        owner=lead.owner,
        captured_by=actor,
        # the bulk path inserts without save(); the lead's key is the customer's (same name)
        company_key=lead.company_key,
    )


def new_contact(lead: Lead) -> Contact:
    """The (unsaved) contact record of a new lead's contact person."""
    return Contact(
        customer=lead.customer,
        name=lead.contact_name,
        title=lead.contact_title,
        phone=lead.phone,
        email=lead.email,
        wechat=lead.wechat,
    )


def _link_customer(lead: Lead, actor: User) -> None:
    """Create the customer and contact records a new lead stands for, unless given."""
    if lead.customer_id is None:
        lead.customer = new_customer(lead, actor)
        lead.customer.save()
        audit.record(obj=lead.customer, actor=actor, verb="customer.created")
    if lead.contact_id is None and lead.contact_name:
        lead.contact = new_contact(lead)
        lead.contact.save()
        audit.record(obj=lead.contact, actor=actor, verb="contact.created")


@transaction.atomic
def register_lead(
    *,
    actor: User,
    values: dict[str, Any],
    owner: User | None = None,
    customer: Customer | None = None,
    captured_at=None,
    external_ref: str | None = None,
    via: str = "form",
    on_duplicate: str = "keep",
    duplicate_of: Lead | None = None,
    historical: bool = False,
) -> Lead:
    """Register a lead. `customer`, when given, must already be visible to `actor`.
    `historical` (imports): closed history, kept valid without a contact (see new_lead).

    Duplicates (撞单, see loudou.leads.dedupe) by `on_duplicate`: "check" raises
    DuplicateLead when any exists; "policy" resolves to check/keep by DedupePolicy for
    `via` (api, import); "keep" creates and records the matches; "link" creates under
    `duplicate_of`'s customer; "merge" creates nothing and fills `duplicate_of`'s empty
    fields instead (returns it). `duplicate_of` must be visible to `actor`.

    Sellers own what they register unless they name another owner; marketing's leads
    wait unowned for assignment. A valid lead enters the default pipeline's first stage
    (`via` is the path recorded in the stage ledger: form, api, import…).
    Raises ValidationError (nothing written) on bad input.
    """
    owner = default_owner(actor, owner)
    ensure_assignable(actor, owner)
    refuse_sensitive(values, _labels())  # before any lookup: NUL bytes, ID/bank cards
    matches, action = _duplicates(actor, values, via, on_duplicate, duplicate_of)
    if action == "merge":
        from loudou.leads.services.merge import merge_values_into

        return merge_values_into(lead=duplicate_of, values=values, actor=actor)
    if action == "link":
        customer = duplicate_of.customer
    lead = new_lead(
        actor=actor,
        values=values,
        owner=owner,
        customer=customer,
        captured_at=captured_at,
        external_ref=external_ref,
        historical=historical,
    )
    lead.number = next_lead_numbers(timezone.localtime(lead.captured_at).year)[0]
    _link_customer(lead, actor)
    lead.save()
    audit.record(obj=lead, actor=actor, verb="lead.created", changes=created_changes(lead))
    if matches:
        _record_duplicates(lead, matches, actor, action)
    from loudou.pipeline.services import place_new_lead

    place_new_lead(lead=lead, actor=actor, via=via, at=lead.captured_at)
    return lead


_ON_DUPLICATE = {"check", "policy", "keep", "link", "merge"}


def _duplicates(actor, values, via, on_duplicate, duplicate_of) -> tuple[list, str]:
    """(matches, action) for a lead about to be registered; raises DuplicateLead on check."""
    from loudou.leads.dedupe import find_duplicates
    from loudou.leads.exceptions import DuplicateLead
    from loudou.leads.models import DedupePolicy
    from loudou.leads.selectors import access_lead

    if on_duplicate not in _ON_DUPLICATE:
        raise ValidationError({"on_duplicate": _("未知的查重处理方式。")})
    if on_duplicate in {"link", "merge"}:
        if duplicate_of is None:
            raise ValidationError({"duplicate_of": _("请选择要合并或关联的线索。")})
        access_lead(actor, duplicate_of.pk)
        return [], on_duplicate
    action = on_duplicate
    if action == "policy":
        policy = DedupePolicy.current()
        rule = policy.import_action if via == "import" else policy.api_action
        action = "check" if rule == DedupePolicy.Action.BLOCK else "keep"
    matches = find_duplicates(values=values)
    if matches and action == "check":
        raise DuplicateLead(matches)
    return matches, action


def duplicates_changes(matches: list) -> list[dict[str, Any]]:
    """The changes recorded with `lead.duplicates_kept`: the matches' numbers and scores."""
    found = ", ".join(
        f"{m.lead.number} ({'/'.join(m.reasons)} {m.score:.0f})" for m in matches[:20]
    )
    return [{"field": "duplicates", "before": None, "after": found}]


def _record_duplicates(lead: Lead, matches: list, actor: User, action: str) -> None:
    audit.record(
        obj=lead,
        actor=actor,
        verb="lead.duplicates_kept",
        changes=duplicates_changes(matches),
        reason=action,
    )


@transaction.atomic
def update_lead(
    *,
    actor: User,
    lead: Lead,
    values: dict[str, Any],
    owner: User | None = None,
    via: str = "form",
) -> Lead:
    """Edit the registration sheet; grades follow the new inputs; every change is logged.

    `values` are the fields to change (a partial edit leaves the others as they are now in
    the database, even when another edit saved them after `lead` was read): the row is
    read again under a write lock, and only the fields that changed are written.
    A lead that becomes valid and is in no stage yet enters the default pipeline."""
    lead.refresh_from_db(from_queryset=Lead.objects.select_for_update())
    if lead.merged_into_id is not None:
        raise ValidationError(_("该线索已被合并，请修改保留的线索。"), code="merged")
    tracked = [*LEAD_FIELDS, *DERIVED_FIELDS, "owner"]
    before = audit.snapshot(lead, tracked)
    stored = {name: getattr(lead, name) for name in _DERIVED_STORED}
    _prepare(lead, values)
    reassigned = owner is not None and owner.pk != lead.owner_id
    if reassigned:
        ensure_assignable(actor, owner)
        lead.owner = owner
        lead.assigned_at = timezone.now()
    changes = audit.diff(before, audit.snapshot(lead, tracked))
    if changes:
        # only what changed: stage, status and contact times are written by their own
        # services, and other fields by other edits, possibly at the same moment
        written = {c["field"] for c in changes} | {
            name for name, value in stored.items() if getattr(lead, name) != value
        }
        lead.save(update_fields=[*written, "updated_at"])
        audit.record(obj=lead, actor=actor, verb="lead.updated", changes=changes)
    if reassigned:  # the new owner must see the lead's customer (as after a claim)
        follow_lead_owner(lead=lead, actor=actor)
    if lead.is_valid and lead.stage_id is None:
        from loudou.pipeline.services import place_new_lead

        place_new_lead(lead=lead, actor=actor, via=via)
    return lead
