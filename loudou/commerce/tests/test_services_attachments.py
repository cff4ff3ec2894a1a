"""Attachments are checked by content and size and kept out of any served directory."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError

from loudou.commerce import services
from loudou.commerce.models import Attachment
from loudou.commerce.tests.factories import PDF, make_contract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def _zip(name: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr(name, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("合同.pdf", PDF, "pdf"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "png"),
        ("scan.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 20, "jpeg"),
        ("条款.docx", _zip("word/document.xml"), "docx"),
        ("报价.xlsx", _zip("xl/workbook.xml"), "xlsx"),
    ],
)
def test_the_five_kinds_are_accepted_by_content(rep, data_dir, name, data, kind):
    # given
    contract = make_contract(actor=rep)
    # when
    attachment = services.add_attachment(
        contract=contract, actor=rep, name=name, stream=io.BytesIO(data)
    )
    # then
    stored = data_dir / "commerce" / "attachments" / attachment.stored_as
    assert (attachment.kind, attachment.size, stored.read_bytes()) == (kind, len(data), data)
    assert not str(stored).startswith(str(django_settings.STATIC_ROOT))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("invoice.pdf", b"MZ\x90\x00 not a pdf"),  # an executable named .pdf
        ("notes.docx", _zip("content.txt")),  # a ZIP that is no Word file
        ("page.pdf", b"<html><script>alert(1)</script>"),
    ],
)
def test_a_file_whose_content_is_not_an_accepted_kind_is_refused(rep, data_dir, name, data):
    # given
    contract = make_contract(actor=rep)
    # when / then
    with pytest.raises(ValidationError):
        services.add_attachment(contract=contract, actor=rep, name=name, stream=io.BytesIO(data))
    assert Attachment.objects.count() == 0
    assert [p for p in Path(data_dir).rglob("*") if p.is_file()] == []


def test_a_file_over_the_limit_is_refused_while_read(rep, data_dir, settings):
    # given
    settings.LOUDOU_ATTACHMENT_MAX_BYTES = 64
    contract = make_contract(actor=rep)
    data = PDF + b"%" * (65 - len(PDF))
    # when / then
    with pytest.raises(ValidationError):
        services.add_attachment(contract=contract, actor=rep, name="a.pdf", stream=io.BytesIO(data))
    assert Attachment.objects.count() == 0
    ok = services.add_attachment(
        contract=contract, actor=rep, name="b.pdf", stream=io.BytesIO(data[:64])
    )
    assert ok.size == 64
