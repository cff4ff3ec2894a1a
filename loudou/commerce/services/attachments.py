"""Contract attachments: checked by content, stored under settings.DATA_DIR.

A file is accepted when its first bytes say what it is: PDF (%PDF-), PNG, JPEG, or a ZIP
holding word/document.xml (DOCX) or xl/workbook.xml (XLSX); the name's extension is not
trusted. At most settings.LOUDOU_ATTACHMENT_MAX_BYTES; a larger upload is refused while it
is read. Files live in DATA_DIR/commerce/attachments/<random name>, outside STATIC_ROOT
and any served directory; the only way out is the permission-checked download.
"""

import hashlib
import io
import secrets
import zipfile
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from loudou.commerce.choices import ContractStatus
from loudou.commerce.models import Attachment, Contract
from loudou.core.audit import record
from loudou.core.text import control_character
from loudou.org.models import User

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 64 * 1024


def storage_dir() -> Path:
    return Path(settings.DATA_DIR) / "commerce" / "attachments"


def sniff(data: bytes) -> str | None:
    """The kind of file `data` holds (a key of CONTENT_TYPES), or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def _read_limited(stream: IO[bytes]) -> bytes:
    limit, parts, size = settings.LOUDOU_ATTACHMENT_MAX_BYTES, [], 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise ValidationError(
                {"file": [_("文件不能超过 {mb} MB。").format(mb=limit // (1024 * 1024))]}
            )
        parts.append(chunk)
    return b"".join(parts)


def _clean_name(name: str) -> str:
    name = Path(name.replace("\\", "/")).name.strip()[:200]
    if not name or control_character("name", name) is not None:
        raise ValidationError({"file": [_("文件名不正确。")]})
    return name


@transaction.atomic
def add_attachment(*, contract: Contract, actor: User, name: str, stream: IO[bytes]) -> Attachment:
    """Store the upload `stream` named `name` with `contract` after the checks above."""
    if contract.status == ContractStatus.CANCELLED:
        raise ValidationError(_("已取消的合同不能上传附件。"))
    name = _clean_name(name)
    data = _read_limited(stream)
    kind = sniff(data)
    if kind is None:
        raise ValidationError({"file": [_("只接受 PDF、PNG、JPEG、DOCX 或 XLSX 文件。")]})
    folder = storage_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored_as = secrets.token_hex(16)
    (folder / stored_as).write_bytes(data)
    attachment = Attachment.objects.create(
        contract=contract,
        name=name,
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        stored_as=stored_as,
        uploaded_by=actor,
    )
    change = {"field": "attachment", "before": None, "after": name}
    record(obj=contract, actor=actor, verb="contract.attachment_added", changes=[change])
    return attachment


def attachment_path(attachment: Attachment) -> Path:
    return storage_dir() / attachment.stored_as


@transaction.atomic
def remove_attachment(*, attachment: Attachment, actor: User) -> None:
    contract, path = attachment.contract, attachment_path(attachment)
    change = {"field": "attachment", "before": attachment.name, "after": None}
    attachment.delete()
    record(obj=contract, actor=actor, verb="contract.attachment_removed", changes=[change])
    transaction.on_commit(lambda: path.unlink(missing_ok=True))


def record_download(*, attachment: Attachment, actor: User) -> None:
    """Downloads are logged like any other access to a contract's papers."""
    change = {"field": "attachment", "before": None, "after": attachment.name}
    record(obj=attachment.contract, actor=actor, verb="contract.attachment_downloaded",
           changes=[change])  # fmt: skip
