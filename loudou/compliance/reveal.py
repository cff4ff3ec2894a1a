"""Revealing masked contact details, and the log of every reveal.

A record's phone, e-mail and WeChat are masked for everyone but its owner (masking.py).
Directors and administrators (`User.may_reveal_contacts`) may unmask them for a record
they see: by the reveal button or API, or by finding the record with its full phone
number. Each reveal writes an audit event `contact.revealed` on the record (who, when,
which fields, how), which nobody can edit from the UI."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from loudou.compliance.masking import owner_ids
from loudou.core import audit
from loudou.org.models import User
from loudou.org.selectors import owns

CONTACT_DETAILS = ("phone", "email", "wechat")


def sees_unmasked(viewer: User, record) -> bool:
    owner_id, captured_by_id = owner_ids(record)
    return owns(viewer, owner_id=owner_id, captured_by_id=captured_by_id)


def reveal_contact_details(*, record, viewer: User, via: str) -> dict[str, str]:
    """The record's full phone, e-mail and WeChat. The caller has checked that `viewer`
    sees the record; an owner sees them anyway (nothing logged), a director or
    administrator gets them with a `contact.revealed` event; anyone else PermissionDenied.
    `via`: how (button, api, search)."""
    values = {name: getattr(record, name) or "" for name in CONTACT_DETAILS}
    if sees_unmasked(viewer, record):
        return values
    if not viewer.may_reveal_contacts:
        raise PermissionDenied(_("您无权查看他人客户的完整联系方式。"))
    shown = [name for name, value in values.items() if value]
    _log(record=record, viewer=viewer, fields=shown, via=via)
    return values


def log_search_reveals(*, viewer: User, records: Iterable, digits: str) -> int:
    """Log a reveal for each record found by a full phone number `digits` whose phone
    `viewer` sees masked: finding it confirms the hidden digits. Returns how many.
    Nothing when `digits` is empty (not a phone search)."""
    if not digits:
        return 0
    logged = 0
    for record in records:
        if digits in (record.phone or "") and not sees_unmasked(viewer, record):
            _log(record=record, viewer=viewer, fields=["phone"], via="search")
            logged += 1
    return logged


def _log(*, record, viewer: User, fields: list[str], via: str) -> None:
    audit.record(obj=record, actor=viewer, verb="contact.revealed", reason=_reason(via, fields))


def _reason(via: str, fields: list[str]) -> str:
    """ "search: phone", "button: phone, email": how, and which fields."""
    return f"{via}: {', '.join(fields) or '-'}"
