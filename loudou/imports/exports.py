"""Exporting the lead, customer and contact lists (with their filters) to .csv and .xlsx.

Contact details are masked for the viewer exactly as on screen (compliance.masking.shown);
cells that a spreadsheet would read as a formula (= + - @, tab, CR) get a leading
apostrophe. Headers are the registration sheet's labels (leads) and the models' verbose
names (customers, contacts), so an export imports back.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from loudou.compliance.masking import shown
from loudou.customers.models import Contact, Customer
from loudou.customers.services import CONTACT_FIELDS, CUSTOMER_FIELDS
from loudou.leads.models import Lead
from loudou.leads.services import LEAD_FIELDS
from loudou.org.models import User

MASKED = {"phone", "email", "wechat"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXTRA = [
    ("number", "线索编号"),
    ("owner", "负责人"),
    ("captured_at", "录入时间"),
    ("stage", "阶段"),
    ("intent_grade", "意向等级"),
    ("is_valid", "有效线索"),
]


def headers() -> list[str]:
    labels = [str(Lead._meta.get_field(name).verbose_name) for name in LEAD_FIELDS]
    return [*labels, *(label for _name, label in EXTRA)]


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would evaluate gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(lead: Lead, name: str, viewer: User) -> Any:
    if name in MASKED:
        return shown(lead, name, viewer)
    value = getattr(lead, name)
    if name in {"owner", "captured_by"}:
        return value.username if value else ""
    if name == "captured_at":
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if name == "is_valid":
        return "是" if value else "否"
    field = Lead._meta.get_field(name)
    if field.choices and value:
        return str(dict(field.flatchoices).get(value, value))
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return value.name
    return str(value) if not isinstance(value, str) else value


def rows(leads: QuerySet[Lead], viewer: User) -> Iterator[list[Any]]:
    """One list of cells per lead, streamed from the database in chunks."""
    names = [*LEAD_FIELDS, *(name for name, _label in EXTRA)]
    leads = leads.select_related("owner", "industry", "region", "source", "stage")
    for lead in leads.iterator(chunk_size=500):
        yield [neutralise(_cell(lead, name, viewer)) for name in names]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(lines: Iterable[list[Any]], header: list[str] | None = None) -> Iterator[str]:
    """UTF-8 with BOM (Excel opens it as such), header (the leads' by default) first."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(headers() if header is None else header)
    for line in lines:
        yield writer.writerow(line)


def xlsx_file(lines: Iterable[list[Any]], header: list[str] | None = None, title: str = "线索"):
    """A temporary file holding the workbook (write-only: constant memory)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(headers() if header is None else header)
    for line in lines:
        sheet.append(line)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    book.save(handle)
    handle.seek(0)
    return handle


#: Exported columns of customers and contacts: the fields their services and the import
#: take (a contact's collection purpose is not imported: it stays with its consents)
CUSTOMER_COLUMNS = CUSTOMER_FIELDS
CONTACT_COLUMNS = [name for name in CONTACT_FIELDS if name != "purpose"]


def record_headers(model) -> list[str]:
    """The verbose names of a customer's or a contact's exported columns."""
    columns = CUSTOMER_COLUMNS if model is Customer else CONTACT_COLUMNS
    return [str(model._meta.get_field(name).verbose_name) for name in columns]


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, User):
        return value.username
    if hasattr(value, "pk"):
        return value.name
    return value if isinstance(value, (str, int)) else str(value)


def customer_rows(customers: QuerySet[Customer], viewer: User) -> Iterator[list[Any]]:
    customers = customers.select_related("owner", "industry", "region").order_by("name", "pk")
    for customer in customers.iterator(chunk_size=500):
        yield [neutralise(_plain(getattr(customer, name))) for name in CUSTOMER_COLUMNS]


def contact_rows(contacts: QuerySet[Contact], viewer: User) -> Iterator[list[Any]]:
    contacts = contacts.select_related("customer").order_by("customer__name", "customer_id", "pk")
    for contact in contacts.iterator(chunk_size=500):
        yield [
            neutralise(
                shown(contact, name, viewer) if name in MASKED else _plain(getattr(contact, name))
            )
            for name in CONTACT_COLUMNS
        ]
