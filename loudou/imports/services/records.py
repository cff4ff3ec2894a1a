"""Rows of a customers or contacts import (ImportJob.kind), and their revert.

Each row goes through `loudou.customers.services` (create_customer / create_contact: the
form's validation, ID/bank numbers refused, phones normalised, owner assignable) inside its
own savepoint, so a refused row leaves nothing. De-duplication:
- a customer whose `company_key` equals an existing customer's is `duplicate` when the
  importer may see that customer, and rejected as 撞单 naming its owner otherwise;
- a contact goes to the customer the importer may see with the same `company_key` (never
  a new customer: "客户不存在"), and is `duplicate` when that customer already has a contact
  with the same normalised phone or case-folded email.
A row whose fingerprint an earlier import created is `duplicate` (re-import changes nothing).
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from loudou.compliance.validation import clean_contact_fields
from loudou.core import audit
from loudou.customers import services as customer_services
from loudou.customers.models import Contact, Customer
from loudou.customers.selectors import visible_customers
from loudou.imports.mapping import kind_model
from loudou.imports.models import ImportJob, ImportKind, ImportRow, RowOutcome
from loudou.imports.services.convert import Converted
from loudou.imports.services.rows import RowResult, describe
from loudou.leads.dedupe import company_key
from loudou.org.models import User


@lru_cache(maxsize=100_000)
def _key(name: str) -> str:
    return company_key(name)


@dataclass(frozen=True)
class Known:
    pk: int
    name: str
    owner_id: int | None


class CustomerIndex:
    """The customers whose company key (Customer.company_key) is one of the batch's names'
    keys, read with one query per batch, and kept up to date with the rows the batch
    creates."""

    def __init__(self, customers, names: list[str]):
        self.by_key: dict[str, list[Known]] = defaultdict(list)
        keys = sorted({_key(name) for name in names} - {""})
        rows = customers.filter(company_key__in=keys).values_list(
            "pk", "name", "owner_id", "company_key"
        )
        for pk, name, owner_id, key in rows:
            self.by_key[key].append(Known(pk, name, owner_id))

    def add(self, known: Known) -> None:
        key = _key(known.name)
        if key:
            self.by_key[key].append(known)

    def find(self, name: str) -> list[Known]:
        """The customers of the same key, one with exactly this name first."""
        key = _key(name)
        found = list(self.by_key.get(key, [])) if key else []
        return sorted(found, key=lambda k: (k.name != name, k.pk))


def import_records(job: ImportJob, rows: list[tuple[int, Converted]]) -> list[RowResult]:
    """One result per converted row (line, converted), in order; the caller holds the
    batch's transaction and writes the ImportRows."""
    field = "customer_id" if job.kind == ImportKind.CUSTOMERS else "contact_id"
    known = dict(
        ImportRow.objects.filter(
            fingerprint__in=[c.fingerprint for _line, c in rows], outcome=RowOutcome.IMPORTED
        ).values_list("fingerprint", field)
    )
    if job.kind == ImportKind.CUSTOMERS:
        names = [str(c.values.get("name") or "").strip() for _line, c in rows]
        index = CustomerIndex(Customer.objects.all(), names)
        handle = _customer_row
    else:
        names = [str(c.values.get("customer") or "").strip() for _line, c in rows]
        index = CustomerIndex(visible_customers(job.user), names)
        handle = _contact_row
    model = kind_model(job.kind)
    results = []
    for line, converted in rows:
        result = RowResult(
            line=line, fingerprint=converted.fingerprint, outcome=RowOutcome.REJECTED
        )
        results.append(result)
        if converted.errors:
            result.reason = describe(converted.errors, model)
        elif converted.fingerprint in known:
            result.outcome = RowOutcome.DUPLICATE
            setattr(result, field, known[converted.fingerprint])
        else:
            try:
                with transaction.atomic():
                    handle(job, converted, index, result)
            except (ValidationError, PermissionDenied) as error:
                result.outcome, result.reason = RowOutcome.REJECTED, describe(error, model)
                result.customer_id = result.contact_id = None
            except DatabaseError:
                result.outcome, result.reason = RowOutcome.REJECTED, _("无法保存该行。")
                result.customer_id = result.contact_id = None
            if result.outcome == RowOutcome.IMPORTED:
                known[converted.fingerprint] = getattr(result, field)
    return results


def _customer_row(job: ImportJob, converted: Converted, index: CustomerIndex, result) -> None:
    values = dict(converted.values)
    name = (values.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写公司名称。")})
    matches = index.find(name)
    if matches:
        ids = [m.pk for m in matches]
        seen = set(visible_customers(job.user).filter(pk__in=ids).values_list("pk", flat=True))
        mine = [m for m in matches if m.pk in seen]
        if mine:
            result.outcome, result.customer_id = RowOutcome.DUPLICATE, mine[0].pk
            return
        raise ValidationError(_held_elsewhere(matches[0]))
    extras = converted.extras
    values["name"] = name
    values["owner"] = extras.get("owner") or job.owner
    customer = customer_services.create_customer(actor=job.user, values=values)
    if job.to_pool and not extras.get("owner") and customer.owner_id is not None:
        _release_to_pool(customer, job.user)
    index.add(Known(customer.pk, customer.name, customer.owner_id))
    result.outcome, result.customer_id = RowOutcome.IMPORTED, customer.pk


def _held_elsewhere(known: Known) -> str:
    """撞单: only the owner's name is told, nothing else about the customer."""
    owner = User.objects.filter(pk=known.owner_id).first() if known.owner_id else None
    if owner is None:
        return _("撞单：该客户已存在，尚未分配负责人。")
    return _("撞单：该客户已由{owner}负责。").format(owner=owner)


def _release_to_pool(customer: Customer, actor: User) -> None:
    """create_customer makes a seller the owner; an import into the pool (公海) frees it."""
    before = str(customer.owner)
    Customer.objects.filter(pk=customer.pk).update(owner=None)
    customer.owner = None
    changes = [{"field": "owner", "before": before, "after": None}]
    audit.record(
        obj=customer, actor=actor, verb="customer.updated", changes=changes, reason=_("导入公海")
    )


def _contact_row(job: ImportJob, converted: Converted, index: CustomerIndex, result) -> None:
    values = dict(converted.values)
    company = (values.pop("customer", "") or "").strip()
    if not company:
        raise ValidationError({"customer": _("请填写客户（公司名称）。")})
    matches = index.find(company)
    if not matches:
        raise ValidationError({"customer": _("客户不存在：{name}").format(name=company[:200])})
    customer = Customer.objects.get(pk=matches[0].pk)
    phone, email, problems = clean_contact_fields(values.get("phone", ""), values.get("email", ""))
    if problems:
        raise ValidationError(problems, code="invalid_contact")
    same = Q(pk__in=[])
    if phone:
        same |= Q(phone=phone)
    if email:
        same |= Q(email__iexact=email)
    existing = customer.contacts.filter(same).order_by("pk").first()
    if existing is not None:
        result.outcome, result.contact_id = RowOutcome.DUPLICATE, existing.pk
        return
    contact = customer_services.create_contact(
        actor=job.user, values={**values, "customer": customer}
    )
    result.outcome, result.contact_id = RowOutcome.IMPORTED, contact.pk


def _in_use(record: Customer | Contact) -> bool:
    """Whether anything but import rows refers to the record: a contact or a lead of a
    customer, a lead naming a contact (as contact, technical or purchasing contact, …)."""
    for rel in type(record)._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete) or rel.related_model is ImportRow:
            continue
        if rel.related_model._default_manager.filter(**{rel.field.name: record}).exists():
            return True
    return False


def revert_records(job: ImportJob, actor: User) -> None:
    """Delete what the job created (audited). A record something now refers to (a contact
    or a lead of a customer, a lead naming a contact) stays: its row keeps `imported` with
    the reason why it was kept."""
    customers = job.kind == ImportKind.CUSTOMERS
    rows = ImportRow.objects.filter(job=job, outcome=RowOutcome.IMPORTED).order_by("line")
    reverted, kept = [], []
    for row in rows.select_related("customer", "contact").iterator():
        record = row.customer if customers else row.contact
        if record is not None and _in_use(record):
            kept.append(row.pk)
            continue
        if record is not None:
            verb = "customer.deleted" if customers else "contact.deleted"
            audit.record(obj=record, actor=actor, verb=verb, reason=_("导入已撤销"))
            record.delete()
        reverted.append(row.pk)
    if customers:
        reason = _("撤销时未删除：该客户已有联系人或线索。")
    else:
        reason = _("撤销时未删除：该联系人已被线索引用。")
    for start in range(0, len(reverted), 500):
        chunk = reverted[start : start + 500]
        ImportRow.objects.filter(pk__in=chunk).update(outcome=RowOutcome.REVERTED)
    for start in range(0, len(kept), 500):
        ImportRow.objects.filter(pk__in=kept[start : start + 500]).update(reason=reason)
